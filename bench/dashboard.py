"""Time the instructor dashboard for demo cohorts of 500 and 10,000 submitted trainees.

    .venv/bin/python bench/dashboard.py                      # a fresh SQLite file in a temp folder
    .venv/bin/python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/cc_bench

The database must be empty (or hold only earlier benchmark cohorts): the schema is migrated, each
cohort is seeded with the ``seed-demo`` code, and the dashboard is rendered through Flask's test
client, once to warm up and then ``--repeat`` times. It prints the seeding time, the render times
(min and median, in ms), the page size, and the peak RSS increase of this process while it renders
the largest cohort's dashboard (Linux: the high-water mark is reset just before the render).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask

from app import create_app, db, migrate
from instructor.demo import DemoCohort, seed_demo

TARGETS_MS = {500: 300, 10_000: 2000}
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
    client = app.test_client()
    response = client.post("/login", data={"username": demo.instructor_username, "password": demo.instructor_password})
    assert response.status_code == 302, f"login failed: {response.status_code}"
    url = f"/instructor/cohorts/{demo.cohort_id}/exercises/{demo.exercise_id}/dashboard"
    started = time.perf_counter()
    page = client.get(url)
    elapsed = time.perf_counter() - started
    assert page.status_code == 200, page.status_code
    return elapsed, len(page.get_data())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--sizes", default="500,10000", help="cohort sizes, comma-separated (default: 500,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders per cohort (default: 5)")
    options = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="crosscheck-bench-")
    url = options.database_url or f"sqlite:///{Path(folder.name) / 'bench.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "TESTING": True})
    app.instance_path = folder.name
    engine = db.get_engine(app)
    print(f"database: {engine.dialect.name} ({engine.url.render_as_string(hide_password=True)})")
    migrate.upgrade(engine)

    sizes = [int(size) for size in options.sizes.split(",")]
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
        render(app, demo)  # warm: templates compiled, statements cached, pages in the OS cache
        timings = []
        page_bytes = 0
        for _ in range(options.repeat):
            seconds, page_bytes = render(app, demo)
            timings.append(seconds * 1000)
        target = TARGETS_MS.get(size)
        verdict = (
            ""
            if target is None
            else f" (target < {target} ms: {'met' if statistics.median(timings) < target else 'MISSED'})"
        )
        print(
            f"dashboard {size:>6} trainees: min {min(timings):7.1f} ms, median {statistics.median(timings):7.1f} ms, "
            f"page {page_bytes / 1024:.0f} KiB{verdict}"
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
    folder.cleanup()


if __name__ == "__main__":
    main()
