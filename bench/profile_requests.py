"""Where a flag save and a submit spend their time: cProfile of each, through Flask's test client.

Runs on a fresh PostgreSQL database (the production set-up) with the classroom's exercise: a
trainee logs in and opens the workspace, then ``--saves`` flags are created (each profiled) and
``--submits`` trainees with ``--flags`` flags each submit (each profiled). Prints the top of each
profile by cumulative and by own time, and the SQL statements per request.

    .venv/bin/python bench/profile_requests.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With ``--cpu``, no profiler: the CPU time of ``--saves`` creates, as many edits, half as many
deletes and ``--submits`` submits, each request alternating with one to the minimal-insert ceiling
(``bench/insert_app.py`` on the same database, through its own test client), and the ratio of the two.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, db, exercise_import, migrate
from bench import insert_app
from bench.harness import TRAINEE_PASSWORD, fresh_postgres_database, seed_classroom

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def opened(client: FlaskClient, username: str, exercise_id: int) -> tuple[str, int]:
    """Log ``username`` in and open the workspace; the CSRF token and the attempt id."""
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_META.search(page).group(1)  # type: ignore[union-attr]
    done = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": TRAINEE_PASSWORD}, follow_redirects=True
    )
    token = CSRF_META.search(done.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    response = client.post(f"/exercises/{exercise_id}/attempts", data={"csrf_token": token})
    assert response.status_code == 302, response.status_code
    return token, int(response.headers["Location"].rsplit("/", 1)[1])


def flag_body(texts: dict[str, str], chooser: random.Random) -> dict[str, object]:
    article = chooser.choice(sorted(texts))
    words = [match for match in re.finditer(r"\w+(?:\W+\w+){0,3}", texts[article])]
    match = chooser.choice(words)
    return {
        "client_id": str(uuid.uuid4()),
        "article": article,
        "start": match.start(),
        "end": match.end(),
        "quote": match.group(0),
        "category": "unverified",
        "note": "",
        "links": [],
    }


def submitting(client: FlaskClient, token: str, attempt: int) -> Callable[[], int]:
    """A request that submits the attempt; its status."""
    return lambda: client.post(f"/api/attempts/{attempt}/submit", json={}, headers={"X-CSRFToken": token}).status_code


def submits_of(
    app: Flask, exercise_id: int, texts: dict[str, str], trainees: int, flags: int, chooser: random.Random
) -> list[Callable[[], int]]:
    """``trainees`` trainees (trainee0001 on) each with an opened attempt of ``flags`` flags: a submit of each."""
    submits = []
    for number in range(1, trainees + 1):
        trainee = app.test_client()
        token, attempt = opened(trainee, f"trainee{number:04d}", exercise_id)
        for _ in range(flags):
            trainee.post(
                f"/api/attempts/{attempt}/flags", json=flag_body(texts, chooser), headers={"X-CSRFToken": token}
            )
        submits.append(submitting(trainee, token, attempt))
    return submits


def profiled(name: str, requests: list[Callable[[], int]], statements: list[int], dump: Path | None) -> None:
    """Run each request under cProfile and print the top of the combined profile (and save it in ``dump``)."""
    # CPU time, not wall time: the machine is shared, and waiting for a core is not our cost.
    profile = cProfile.Profile(time.process_time)
    for request in requests:
        profile.enable()
        status = request()
        profile.disable()
        assert status < 400, f"{name}: {status}"
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(dump / f"{name.replace(' ', '_')}.prof")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(25)
        body = out.getvalue()
        print(f"=== {name}: {len(requests)} requests, by {order} ===")
        print(body[body.index("ncalls") - 20 :].rstrip())
    print(f"{name}: {sum(statements) / len(requests):.1f} SQL statements a request")


BATCH = 25
"""Pairs timed together: each batch gives one ratio, and the median batch is the figure."""


def paired_cpu(
    name: str, requests: list[Callable[[], int]], inserts: list[Callable[[], int]], statements: list[int]
) -> str:
    """Run each request alternately with a minimal insert; the CPU ms of each and their ratio.

    The machine's other jobs slow both alike, so the ratio moves far less than either figure.
    """
    statements.clear()
    ours: list[float] = []
    its: list[float] = []
    for first in range(0, len(requests), BATCH):
        spent = [0.0, 0.0]
        batch = list(zip(requests[first : first + BATCH], inserts[first : first + BATCH], strict=True))
        for request, insert in batch:
            started = time.process_time()
            status = request()
            between = time.process_time()
            assert status < 400 and insert() < 400, name
            spent[0] += between - started
            spent[1] += time.process_time() - between
        ours.append(spent[0] * 1000 / len(batch))
        its.append(spent[1] * 1000 / len(batch))
    ratio = statistics.median(mine / theirs for mine, theirs in zip(ours, its, strict=True))
    return (
        f"{name:<16}{len(requests):>7}{statistics.median(ours):>9.2f}{statistics.median(its):>9.2f}"
        f"{ratio:>8.2f}{sum(statements) / len(requests):>12.1f}"
    )


def cpu_of_changes(
    client: FlaskClient,
    token: str,
    attempt: int,
    texts: dict[str, str],
    saves: int,
    submits: list[Callable[[], int]],
    counted: Callable[[Callable[[], int]], Callable[[], int]],
    statements: list[int],
) -> None:
    """CPU of ``saves`` creates, as many edits, half as many deletes and the ``submits``, each beside a minimal insert."""
    chooser = random.Random(2)
    headers = {"X-CSRFToken": token}
    url_flags = f"/api/attempts/{attempt}/flags"
    bodies = [flag_body(texts, chooser) for _ in range(saves)]
    client_ids = [str(body["client_id"]) for body in bodies]

    def create(body: dict[str, object]) -> Callable[[], int]:
        return counted(lambda: client.post(url_flags, json=body, headers=headers).status_code)

    def edit(client_id: str, note: str) -> Callable[[], int]:
        body = {"note": note}
        return counted(lambda: client.patch(f"{url_flags}/{client_id}", json=body, headers=headers).status_code)

    def delete(client_id: str) -> Callable[[], int]:
        return counted(lambda: client.delete(f"{url_flags}/{client_id}", headers=headers).status_code)

    ceiling = insert_app.create_app().test_client()
    assert ceiling.post("/login", json={"username": "bench_user00"}).status_code == 204

    def inserts(count: int) -> list[Callable[[], int]]:
        notes = ["x" * chooser.randint(1, 40) for _ in range(count)]
        return [lambda note=note: ceiling.post("/rows", json={"note": note}).status_code for note in notes]

    print(f"{'request':<16}{'count':>7}{'CPU ms':>9}{'insert':>9}{'ratio':>8}{'statements':>12}")
    print(paired_cpu("create flag", [create(body) for body in bodies], inserts(saves), statements))
    edits = [edit(chooser.choice(client_ids), f"note {number}") for number in range(saves)]
    print(paired_cpu("edit flag", edits, inserts(saves), statements))
    deletes = [delete(client_id) for client_id in client_ids[: saves // 2]]
    print(paired_cpu("delete flag", deletes, inserts(saves // 2), statements))
    print(paired_cpu("submit", [counted(submit) for submit in submits], inserts(len(submits)), statements))
    statements.clear()
    for insert in inserts(BATCH):
        counted(insert)()
    print(f"minimal insert: {sum(statements) / BATCH:.1f} statements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="crosscheck_profile")
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--submits", type=int, default=40)
    parser.add_argument("--flags", type=int, default=10, help="flags of each submitting trainee")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15", help="Redis for the rate limits, as served")
    parser.add_argument("--dump", type=Path, help="a folder to save each profile in (for pstats or snakeviz)")
    parser.add_argument("--cpu", action="store_true", help="no profiler: CPU ms a change and a minimal insert")
    args = parser.parse_args()

    with fresh_postgres_database(args.postgres, args.database) as url:
        config = {"DATABASE_URL": url, "SECRET_KEY": "profile", "RATELIMIT_STORAGE_URI": args.redis_url}
        app = create_app(config)
        migrate.upgrade(db.get_engine(app))
        with app.app_context():
            exercise_import.import_directory(db.session())
        exercise_id, texts = seed_classroom(url, args.submits + 1)
        statements: list[int] = []
        """SQL statements of each profiled request; requests in between count nowhere."""
        counting = [False]

        def count_statement(*_: object) -> None:
            if counting[0]:
                statements[-1] += 1

        # Every engine: the minimal insert's has its own.
        event.listen(Engine, "before_cursor_execute", count_statement)

        def counted(call: Callable[[], int]) -> Callable[[], int]:
            def run() -> int:
                statements.append(0)
                counting[0] = True
                try:
                    return call()
                finally:
                    counting[0] = False

            return run

        chooser = random.Random(1)
        client = app.test_client()
        token, attempt = opened(client, "trainee0000", exercise_id)
        headers = {"X-CSRFToken": token}
        url_flags = f"/api/attempts/{attempt}/flags"
        # Warm up the way a worker is warm after its first requests.
        for _ in range(5):
            client.post(url_flags, json=flag_body(texts, chooser), headers=headers)
        if args.cpu:
            submits = submits_of(app, exercise_id, texts, args.submits, args.flags, chooser)
            insert_app.prepare(url)
            os.environ["DATABASE_URL"] = url
            cpu_of_changes(client, token, attempt, texts, args.saves, submits, counted, statements)
            db.get_engine(app).dispose()
            return
        saves = [
            counted(lambda: client.post(url_flags, json=flag_body(texts, chooser), headers=headers).status_code)
            for _ in range(args.saves)
        ]
        profiled("create flag", saves, statements, args.dump)

        statements.clear()
        submits = submits_of(app, exercise_id, texts, args.submits, args.flags, chooser)
        profiled("submit", [counted(submit) for submit in submits], statements, args.dump)
        db.get_engine(app).dispose()


if __name__ == "__main__":
    main()
