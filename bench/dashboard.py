"""Time the instructor dashboard for demo cohorts of 500 and 10,000 submitted trainees.

    .venv/bin/python bench/dashboard.py            # SQLite, and PostgreSQL when a server answers
    .venv/bin/python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/cc_bench
    .venv/bin/python bench/dashboard.py --database-url sqlite:////tmp/cc_bench.sqlite3 --keep   # seed once, reuse
    .venv/bin/python bench/dashboard.py --database-url ... --keep --explain   # also each statement's server time

Without ``--database-url`` it runs on a fresh SQLite file in a temp folder and, when a PostgreSQL
server answers at ``--postgres``, on a fresh database there (created and dropped). A given
database must be empty (or hold only earlier benchmark cohorts). The schema is migrated, each
cohort is seeded with the ``seed-demo`` code, and the dashboard is rendered through Flask's test
client, once to warm up and then ``--repeat`` times. It prints the seeding time, the render times
(min and median wall time, and the median CPU time of this process, which a shared machine
disturbs less), the page size, and the peak RSS increase of this process while it renders the
largest cohort's dashboard (Linux: the high-water mark is reset just before the render).

With ``--keep``, cohorts an earlier ``--keep`` run seeded in the given database (by their name,
"Benchmark <size>") are reused and only missing ones are seeded, so main and a branch can render
the same cohorts in turn. ``--explain`` runs each statement of one render again under
``EXPLAIN ANALYZE`` (PostgreSQL) and prints its execution time, slowest first; ``--save DIR``
writes each cohort's page (and ``--pages``' pages of the trainee table) for comparing two trees.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, db, migrate, serving
from app.models import Assignment, Cohort, User
from bench.harness import fresh_postgres_database, vacuum_analyze
from instructor.demo import DemoCohort, seed_demo

TARGETS_MS = {500: 150, 10_000: 500}
MEMORY_TARGET_MB = 50
CSRF_TOKEN = re.compile(rb'(name="csrf[-_]token" (?:content|value)=")[^"]+(")')
"""A CSRF token differs at each render: saved pages blank it, so two trees' pages compare byte for byte."""
KEPT_PASSWORD = "benchmark instructor"
"""The password a kept cohort's instructor is given, so a later run can log in."""


def memory_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmRSS: now, VmHWM: peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak_rss() -> bool:
    """Reset the process's peak RSS to its current RSS (Linux 4.0+); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def render(app: Flask, demo: DemoCohort) -> tuple[float, int]:
    """Log in as the demo instructor in a fresh client; return (render seconds, page bytes)."""
    seconds, _, size = timed_render(app, demo)
    return seconds, size


def timed_render(app: Flask, demo: DemoCohort, query: str = "") -> tuple[float, float, int]:
    """Like ``render``: (wall seconds, CPU seconds of this process, page bytes)."""
    elapsed, cpu, page = timed_page(app, demo, query)
    return elapsed, cpu, len(page)


def timed_page(app: Flask, demo: DemoCohort, query: str = "") -> tuple[float, float, bytes]:
    """Render the dashboard (with ``query``, e.g. "page=2"): (wall seconds, CPU seconds, the page)."""
    client = app.test_client()
    response = client.post("/login", data={"username": demo.instructor_username, "password": demo.instructor_password})
    assert response.status_code == 302, f"login failed: {response.status_code}"
    url = f"/instructor/cohorts/{demo.cohort_id}/exercises/{demo.exercise_id}/dashboard"
    if query:
        url += "?" + query
    started, cpu_started = time.perf_counter(), time.process_time()
    page = client.get(url)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert page.status_code == 200, page.status_code
    return elapsed, cpu, page.get_data()


def kept_cohort(app: Flask, size: int) -> DemoCohort | None:
    """The cohort an earlier ``--keep`` run seeded for ``size`` trainees, if there is one."""
    with app.app_context():
        database = db.session()
        cohort = database.scalar(select(Cohort).where(Cohort.name == f"Benchmark {size}").order_by(Cohort.id))
        if cohort is None:
            return None
        assignment = database.scalars(select(Assignment).where(Assignment.cohort_id == cohort.id)).one()
        instructor = cohort.instructors[0]
        return DemoCohort(cohort.id, assignment.exercise_id, instructor.username, KEPT_PASSWORD, size, size)


def keep(app: Flask, demo: DemoCohort) -> DemoCohort:
    """Give a new cohort's instructor `KEPT_PASSWORD`, so later runs can log in."""
    with app.app_context():
        database = db.session()
        instructor = database.scalars(select(User).where(User.username == demo.instructor_username)).one()
        instructor.set_password(KEPT_PASSWORD)
        database.commit()
    return DemoCohort(
        demo.cohort_id, demo.exercise_id, demo.instructor_username, KEPT_PASSWORD, demo.trainees, demo.submitted
    )


def explain(app: Flask, demo: DemoCohort) -> None:
    """Print each statement of one render with its server execution time (EXPLAIN ANALYZE), slowest first."""
    captured: list[tuple[str, Any]] = []

    def capture(
        conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            captured.append((statement, parameters))

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", capture)
    try:
        timed_render(app, demo)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    timings = []
    with engine.connect() as connection:
        for statement, parameters in captured:
            if engine.dialect.name == "postgresql":
                plan = connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
                ).scalar_one()
                timings.append((float(plan[0]["Execution Time"]), statement))
            else:
                started = time.process_time()
                connection.exec_driver_sql(statement, parameters).fetchall()
                timings.append(((time.process_time() - started) * 1000, statement))
    unit = "server ms" if engine.dialect.name == "postgresql" else "CPU ms (SQLite, rows fetched)"
    print(f"{len(captured)} statements that read, {sum(ms for ms, _ in timings):.1f} {unit} in all:")
    for ms, statement in sorted(timings, reverse=True):
        print(f"  {ms:8.1f}  {' '.join(statement.split())[:150]}")


def postgres_answers(url: str) -> bool:
    """Whether a PostgreSQL server answers at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        return False
    finally:
        engine.dispose()
    return True


def run(
    url: str,
    folder: Path,
    sizes: list[int],
    repeat: int,
    *,
    kept: bool = False,
    explained: bool = False,
    save: Path | None = None,
    pages: Sequence[str] = (),
) -> None:
    """Seed a cohort of each size on ``url`` (or reuse the kept ones) and time its dashboard."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "TESTING": True})
    app.instance_path = str(folder)
    engine = db.get_engine(app)
    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    migrate.upgrade(engine)

    cohorts = []
    seeded = False
    for size in sizes:
        found = kept_cohort(app, size) if kept else None
        if found is not None:
            print(f"seed-demo {size:>6} trainees: kept from an earlier run (cohort {found.cohort_id})")
            cohorts.append((size, found))
            continue
        with app.app_context():
            started = time.perf_counter()
            demo = seed_demo(db.session(), cohort_name=f"Benchmark {size}", trainees=size, unfinished=0.0, seed=size)
            seconds = time.perf_counter() - started
        print(f"seed-demo {size:>6} trainees: {seconds:6.1f} s ({demo.submitted} submitted and scored)")
        cohorts.append((size, keep(app, demo) if kept else demo))
        seeded = True
    if engine.dialect.name == "postgresql" and seeded:
        vacuum_analyze(engine)

    serving.freeze_start_up_heap()  # as each gunicorn worker does once the app is loaded
    for size, demo in cohorts:
        timed_render(app, demo)  # warm: templates compiled, statements cached, pages in the OS cache
        timings, cpu_timings = [], []
        page_bytes = 0
        for _ in range(repeat):
            seconds, cpu, page_bytes = timed_render(app, demo)
            timings.append(seconds * 1000)
            cpu_timings.append(cpu * 1000)
        target = TARGETS_MS.get(size)
        median = statistics.median(timings)
        verdict = "" if target is None else f" (target < {target} ms: {'met' if median < target else 'MISSED'})"
        print(
            f"dashboard {size:>6} trainees: min {min(timings):7.1f} ms, median {median:7.1f} ms, "
            f"CPU median {statistics.median(cpu_timings):7.1f} ms, page {page_bytes / 1024:.0f} KiB{verdict}"
        )
        if explained:
            explain(app, demo)
        if save is not None:
            for query in ["", *pages]:
                name = f"{engine.dialect.name}-{size}{'-' + query if query else ''}.html"
                page = CSRF_TOKEN.sub(rb"\1csrf\2", timed_page(app, demo, query)[2])
                (save / name.replace("&", "-").replace("=", "")).write_bytes(page)

    largest, demo = cohorts[-1]
    if reset_peak_rss():
        before = memory_kb("VmRSS")
        render(app, demo)
        increase = (memory_kb("VmHWM") - before) / 1024
        verdict = "met" if increase < MEMORY_TARGET_MB else "MISSED"
        print(
            f"peak RSS increase rendering the {largest}-trainee dashboard: {increase:.1f} MB (target < {MEMORY_TARGET_MB} MB: {verdict})"
        )
    else:
        print("peak RSS: /proc/self/clear_refs is not writable here; not measured")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file, and PostgreSQL)")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to run on as well when it answers (a database is created and dropped)",
    )
    parser.add_argument("--postgres-database", default="crosscheck_dashboard", help="the name of that database")
    parser.add_argument("--sizes", default="500,10000", help="cohort sizes, comma-separated (default: 500,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders per cohort (default: 5)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="with --database-url: reuse the cohorts an earlier --keep run seeded there, seed only the missing ones",
    )
    parser.add_argument(
        "--explain", action="store_true", help="each statement of one render and its server time, slowest first"
    )
    parser.add_argument("--save", type=Path, help="a folder to write each cohort's page into")
    parser.add_argument(
        "--pages",
        default="",
        help="with --save: more dashboard queries to write, comma-separated (e.g. page=2,page=3&share=5)",
    )
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    if options.keep and not options.database_url:
        parser.error("--keep needs --database-url (a database that outlives the run)")
    extra = {
        "kept": options.keep,
        "explained": options.explain,
        "save": options.save,
        "pages": [query for query in options.pages.split(",") if query],
    }
    if options.save is not None:
        options.save.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="crosscheck-bench-") as name:
        folder = Path(name)
        if options.database_url:
            run(options.database_url, folder, sizes, options.repeat, **extra)
            return
        run(f"sqlite:///{folder / 'bench.sqlite3'}", folder, sizes, options.repeat, **extra)
        if postgres_answers(options.postgres):
            with fresh_postgres_database(options.postgres, options.postgres_database) as url:
                run(url, folder, sizes, options.repeat, **extra)
        else:
            print(f"PostgreSQL: no server answers at {options.postgres}; not run")


if __name__ == "__main__":
    main()
