"""Time a 50-article exercise's workspace and dashboard in the app, against the classroom targets.

    .venv/bin/python bench/large_workspace.py            # SQLite, and PostgreSQL when a server answers
    .venv/bin/python bench/large_workspace.py --profile /tmp/large50   # also cProfile dumps
    .venv/bin/python bench/large_workspace.py --database-url sqlite:////tmp/large50.sqlite3 --keep   # seed once, reuse

Builds a package of 50 synthetic articles with ``bench/large_exercise.py``'s generator (about 16
key items an article, as its SemEval-sized one), loads it with ``crosscheck load-exercises`` into
a fresh database (a SQLite file in a temp folder; and, when a server answers at ``--postgres``, a
PostgreSQL database created and dropped), seeds a demo cohort of ``--trainees`` submitted trainees
on it with the ``seed-demo`` code, and adds one trainee who can log in, holding ``--flags`` flags
saved through the flags API. Then, through Flask's test client, after a warm-up, it times
``--repeat`` times the trainee opening the workspace (the start-or-resume POST and the workspace
page it redirects to) and the instructor's dashboard. It prints min and median wall time and the
median CPU time of this process (on SQLite that includes the database's work, on PostgreSQL it does
not), against the targets, with the page sizes and the SQL statements each sends.

With ``--database-url`` it runs on that database only (empty, or holding an earlier ``--keep``
run's cohort). With ``--keep`` the exercise, cohort and trainee an earlier ``--keep`` run loaded
and seeded there are reused (seeding takes minutes), so main and a branch can time the same cohort
in turn. ``--save DIR`` writes the dashboard and one article's heatmap page (CSRF tokens blanked)
for comparing two trees byte for byte.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from werkzeug.test import TestResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import accounts, create_app, db, migrate, serving
from app.models import Assignment, Cohort, Exercise, Role, User
from bench.dashboard import CSRF_TOKEN, KEPT_PASSWORD, postgres_answers
from bench.harness import fresh_postgres_database, vacuum_analyze
from bench.large_exercise import ARTICLES, ITEMS, build_package
from instructor.demo import DemoCohort, seed_demo

SLUG = "semeval-50"
TARGETS_MS = {"open workspace": 300, "dashboard": 150}
"""The classroom targets (issue 18): the workspace's p95 at 300 trainees, the dashboard of 500 trainees."""
COHORT = "Large exercise"
TRAINEE = "large-trainee"
PASSWORD = "large exercise password 1"


@dataclass(frozen=True)
class Measured:
    """One request's figures over the timed runs."""

    wall_ms: list[float]
    cpu_ms: list[float]
    page_bytes: int
    statements: int


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """The statements sent to the database while active."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def measure(app: Flask, request: Callable[[], TestResponse], repeat: int, profile: Path | None) -> Measured:
    """Warm up, count the statements of one run, then time ``repeat`` runs (and profile one more)."""
    page = request()
    with counting_statements(app) as statements:
        page = request()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        page = request()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    if profile is not None:
        profiler = cProfile.Profile()
        profiler.runcall(request)
        profiler.dump_stats(profile)
    return Measured(walls, cpus, len(page.get_data()), len(statements))


def logged_in(app: Flask, username: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"login of {username} failed: {response.status_code}"
    return client


def add_trainee(app: Flask, demo: DemoCohort, flags: int, rng: random.Random) -> FlaskClient:
    """A trainee of the demo cohort who can log in, with ``flags`` flags on key items saved through the API."""
    with app.app_context():
        database = db.session()
        trainee = accounts.create_user(
            database, username=TRAINEE, display_name="Large Trainee", password=PASSWORD, role=Role.TRAINEE
        )
        cohort = database.get(Cohort, demo.cohort_id)
        assert cohort is not None
        cohort.trainees.append(trainee)
        database.commit()
        exercise = database.scalar(select(Exercise).where(Exercise.id == demo.exercise_id))
        assert exercise is not None
        texts = {article.ref: article.text for article in exercise.articles}
        version = exercise.key_versions[-1]
        items = rng.sample([item for item in version.items if not item.decoy], flags)
    client = logged_in(app, TRAINEE, PASSWORD)
    opened = client.post(f"/exercises/{demo.exercise_id}/attempts")
    assert opened.status_code == 302, opened.status_code
    flags_url = opened.headers["Location"].replace("/attempts/", "/api/attempts/") + "/flags"
    for number, item in enumerate(items, start=1):
        text = texts[item.article]
        body = {
            "client_id": f"flag-{number}",
            "article": item.article,
            "start": item.start,
            "end": item.end,
            "quote": text[item.start : item.end],
            "prefix": text[max(0, item.start - 20) : item.start],
            "suffix": text[item.end : item.end + 20],
            "category": item.category,
        }
        saved = client.post(flags_url, json=body)
        assert saved.status_code == 201, saved.get_data(as_text=True)
    return client


def report(name: str, measured: Measured) -> None:
    median = statistics.median(measured.wall_ms)
    target = TARGETS_MS[name]
    print(
        f"{name:>15}: min {min(measured.wall_ms):7.1f} ms, median {median:7.1f} ms, "
        f"CPU median {statistics.median(measured.cpu_ms):7.1f} ms (target < {target} ms: "
        f"{'met' if median < target else 'MISSED'}), page {measured.page_bytes / 1024:.0f} KiB, "
        f"{measured.statements} SQL statements"
    )


def kept_cohort(app: Flask) -> DemoCohort | None:
    """The cohort an earlier ``--keep`` run seeded, if there is one (its instructor's password `KEPT_PASSWORD`)."""
    with app.app_context():
        database = db.session()
        cohort = database.scalar(select(Cohort).where(Cohort.name == COHORT).order_by(Cohort.id))
        if cohort is None:
            return None
        assignment = database.scalars(select(Assignment).where(Assignment.cohort_id == cohort.id)).one()
        trainees = len(cohort.trainees) - 1  # less the trainee who opens the workspace
        return DemoCohort(
            cohort.id, assignment.exercise_id, cohort.instructors[0].username, KEPT_PASSWORD, trainees, trainees
        )


def seeded_cohort(app: Flask, folder: Path, options: argparse.Namespace) -> DemoCohort:
    """Load the package and seed the cohort; with ``--keep``, give its instructor `KEPT_PASSWORD`."""
    started = time.process_time()
    loaded = app.test_cli_runner().invoke(args=["load-exercises", "--from", str(folder / "packages")])
    assert loaded.exit_code == 0, loaded.output
    print(f"load-exercises: {time.process_time() - started:6.2f} s CPU ({loaded.output.strip()})")
    with app.app_context():
        started = time.perf_counter()
        database = db.session()
        demo = seed_demo(database, cohort_name=COHORT, trainees=options.trainees, exercise_slug=SLUG, seed=50)
        print(
            f"seed-demo {options.trainees} trainees: {time.perf_counter() - started:6.1f} s ({demo.submitted} submitted)"
        )
        if options.keep:
            instructor = database.scalars(select(User).where(User.username == demo.instructor_username)).one()
            instructor.set_password(KEPT_PASSWORD)
            database.commit()
            demo = dataclasses.replace(demo, instructor_password=KEPT_PASSWORD)
    if db.get_engine(app).dialect.name == "postgresql":
        vacuum_analyze(db.get_engine(app))
    return demo


def run(url: str, folder: Path, options: argparse.Namespace) -> None:
    """Load the package and seed the cohort on ``url`` (or reuse the kept ones) and time the two pages."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "TESTING": True})
    app.instance_path = str(folder)
    engine = db.get_engine(app)
    print(f"database: {engine.dialect.name}")
    migrate.upgrade(engine)
    kept = kept_cohort(app) if options.keep else None
    if kept is None:
        demo = seeded_cohort(app, folder, options)
        trainee = add_trainee(app, demo, options.flags, random.Random(50))
    else:
        print(f"seed-demo: kept from an earlier run (cohort {kept.cohort_id}, {kept.trainees} trainees)")
        demo = kept
        trainee = logged_in(app, TRAINEE, PASSWORD)
    instructor = logged_in(app, demo.instructor_username, demo.instructor_password)
    pages_url = f"/instructor/cohorts/{demo.cohort_id}/exercises/{demo.exercise_id}"
    dashboard_url = f"{pages_url}/dashboard"

    def open_workspace() -> TestResponse:
        page = trainee.post(f"/exercises/{demo.exercise_id}/attempts", follow_redirects=True)
        assert page.status_code == 200, page.status_code
        return page

    def dashboard() -> TestResponse:
        page = instructor.get(dashboard_url)
        assert page.status_code == 200, page.status_code
        return page

    serving.freeze_start_up_heap()  # as each gunicorn worker does once the app is loaded
    for name, request in (("open workspace", open_workspace), ("dashboard", dashboard)):
        profile = None
        if options.profile is not None:
            profile = options.profile / f"{engine.dialect.name}-{name.replace(' ', '-')}.prof"
        report(name, measure(app, request, options.repeat, profile))
    if options.save is not None:
        with app.app_context():
            first = db.session().scalars(select(Exercise).where(Exercise.id == demo.exercise_id)).one().articles[0]
        for name, url_of_page in (
            ("dashboard", dashboard_url),
            ("heatmap", f"{pages_url}/heatmaps/{first.ref}"),
        ):
            page = instructor.get(url_of_page)
            assert page.status_code == 200, page.status_code
            (options.save / f"{engine.dialect.name}-{name}.html").write_bytes(
                CSRF_TOKEN.sub(rb"\1csrf\2", page.get_data())
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50, help="articles in the exercise (default: 50)")
    parser.add_argument("--trainees", type=int, default=500, help="submitted demo trainees (default: 500)")
    parser.add_argument("--flags", type=int, default=30, help="flags of the trainee who opens the workspace")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each page (default: 10)")
    parser.add_argument("--profile", type=Path, help="a folder to write a cProfile dump of each page into")
    parser.add_argument("--sqlite-only", action="store_true", help="do not run on PostgreSQL")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to run on as well when it answers (a database is created and dropped)",
    )
    parser.add_argument("--postgres-database", default="crosscheck_large_workspace", help="the name of that database")
    parser.add_argument("--database-url", help="run on this database only (default: a new SQLite file, and PostgreSQL)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="with --database-url: reuse the cohort an earlier --keep run seeded there, or seed one to keep",
    )
    parser.add_argument("--save", type=Path, help="a folder to write the dashboard and one heatmap page into")
    options = parser.parse_args()
    if options.keep and not options.database_url:
        parser.error("--keep needs --database-url (a database that outlives the run)")
    for folder in (options.profile, options.save):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crosscheck-large-workspace-") as name:
        folder = Path(name)
        # As many key items an article as the SemEval-sized exercise.
        build_package(
            folder / "packages" / SLUG,
            random.Random(2020),
            articles=options.articles,
            items=round(ITEMS * options.articles / ARTICLES),
            slug=SLUG,
        )
        if options.database_url:
            run(options.database_url, folder, options)
            return
        run(f"sqlite:///{folder / 'bench.sqlite3'}", folder, options)
        if options.sqlite_only:
            return
        if postgres_answers(options.postgres):
            with fresh_postgres_database(options.postgres, options.postgres_database) as url:
                run(url, folder, options)
        else:
            print(f"PostgreSQL: no server answers at {options.postgres}; not run")


if __name__ == "__main__":
    main()
