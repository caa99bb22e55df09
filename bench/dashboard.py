"""Time the instructor dashboard for demo cohorts of 500 and 10,000 submitted trainees.

    .venv/bin/python bench/dashboard.py            # SQLite, and PostgreSQL when a server answers
    .venv/bin/python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/cc_bench

Without ``--database-url`` it runs on a fresh SQLite file in a temp folder and, when a PostgreSQL
server answers at ``--postgres``, on a fresh database there (created and dropped). A given
database must be empty (or hold only earlier benchmark cohorts). The schema is migrated, each
cohort is seeded with the ``seed-demo`` code, and the dashboard is rendered through Flask's test
client, once to warm up and then ``--repeat`` times. It prints the seeding time, the render times
(min and median wall time, and the median CPU time of this process, which a shared machine
disturbs less), the page size, and the peak RSS increase of this process while it renders the
largest cohort's dashboard (Linux: the high-water mark is reset just before the render).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, db, migrate
from bench.harness import fresh_postgres_database
from instructor.demo import DemoCohort, seed_demo

TARGETS_MS = {500: 150, 10_000: 500}
MEMORY_TARGET_MB = 50


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


def timed_render(app: Flask, demo: DemoCohort) -> tuple[float, float, int]:
    """Like ``render``: (wall seconds, CPU seconds of this process, page bytes)."""
    client = app.test_client()
    response = client.post("/login", data={"username": demo.instructor_username, "password": demo.instructor_password})
    assert response.status_code == 302, f"login failed: {response.status_code}"
    url = f"/instructor/cohorts/{demo.cohort_id}/exercises/{demo.exercise_id}/dashboard"
    started, cpu_started = time.perf_counter(), time.process_time()
    page = client.get(url)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert page.status_code == 200, page.status_code
    return elapsed, cpu, len(page.get_data())


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


def run(url: str, folder: Path, sizes: list[int], repeat: int) -> None:
    """Seed a cohort of each size on ``url`` and time its dashboard."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "TESTING": True})
    app.instance_path = str(folder)
    engine = db.get_engine(app)
    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    migrate.upgrade(engine)

    cohorts = []
    for size in sizes:
        with app.app_context():
            started = time.perf_counter()
            demo = seed_demo(db.session(), cohort_name=f"Benchmark {size}", trainees=size, unfinished=0.0, seed=size)
            seconds = time.perf_counter() - started
        print(f"seed-demo {size:>6} trainees: {seconds:6.1f} s ({demo.submitted} submitted and scored)")
        cohorts.append((size, demo))
    if engine.dialect.name == "postgresql":
        # Fresh bulk-loaded tables have no statistics until autovacuum gets to them; a serving
        # database has them, so give the planner what it would have.
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")

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
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="crosscheck-bench-") as name:
        folder = Path(name)
        if options.database_url:
            run(options.database_url, folder, sizes, options.repeat)
            return
        run(f"sqlite:///{folder / 'bench.sqlite3'}", folder, sizes, options.repeat)
        if postgres_answers(options.postgres):
            with fresh_postgres_database(options.postgres, options.postgres_database) as url:
                run(url, folder, sizes, options.repeat)
        else:
            print(f"PostgreSQL: no server answers at {options.postgres}; not run")


if __name__ == "__main__":
    main()
