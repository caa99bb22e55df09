"""A class at work: N trainees log in, open the workspace, flag, edit, delete and submit.

Runs `make serve-prod` (gunicorn, WORKERS workers) on a fresh PostgreSQL database with rate limits
in Redis, all on loopback, and prints latency per endpoint, errors, a reconciliation of every
acknowledged flag, the flag-save throughput against a bare Flask endpoint served the same way, and
each worker's resident memory at start and end. Bounded in time: it stops by itself.

    .venv/bin/python bench/classroom.py --trainees 300 --duration 600
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    Latencies,
    ProdServer,
    TraineeClient,
    fresh_postgres_database,
    reconcile,
    rss_mb,
    seed_classroom,
)

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


ARRIVAL_SECONDS = 60.0
"""Trainees arrive, log in and open the workspace spread over this long (or a quarter of the run)."""


def run_class(
    server: ProdServer,
    exercise_id: int,
    texts: dict[str, str],
    trainees: int,
    duration: float,
    *,
    first_trainee: int = 0,
    on_warm: Callable[[], None] = lambda: None,
) -> tuple[list[TraineeClient], Latencies, int]:
    """Each trainee arrives, opens the workspace, acts every 5–15 s until the end, then submits.

    ``on_warm`` is called once everyone has arrived and worked for a while (for memory readings).
    """
    numbers = range(first_trainee, first_trainee + trainees)
    clients = [TraineeClient(server.url, f"trainee{number:04d}", texts, seed=number) for number in numbers]
    stop_at = time.monotonic() + duration
    submitted = [0]
    lock = threading.Lock()

    def trainee(client: TraineeClient) -> None:
        time.sleep(client.random.uniform(0, arrival))
        client.log_in_and_open(exercise_id)
        while time.monotonic() + 15 < stop_at:
            time.sleep(client.random.uniform(5, 15))
            client.act()
        if client.submit():
            with lock:
                submitted[0] += 1

    arrival = min(ARRIVAL_SECONDS, duration / 4)
    threads = [threading.Thread(target=trainee, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    warm_at = time.monotonic() + min(arrival + 60, duration / 2)
    while time.monotonic() < warm_at:
        time.sleep(0.5)
    on_warm()
    for thread in threads:
        thread.join(timeout=duration + 120)
    latencies = Latencies()
    for client in clients:
        latencies.merge(client.latencies)
    return clients, latencies, submitted[0]


def saturate(url: str, make_request, seconds: float, concurrency: int) -> float:  # type: ignore[no-untyped-def]
    """Requests per second that ``concurrency`` closed-loop clients get through in ``seconds``."""
    done = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(index: int) -> None:
        session = requests.Session()
        state = make_request(session, index, setup=True)
        count = 0
        while time.monotonic() < stop_at:
            if make_request(session, index, state=state):
                count += 1
        with lock:
            done[0] += count

    threads = [threading.Thread(target=loop, args=(index,)) for index in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--duration", type=float, default=180, help="seconds of class time (default 180)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--saturation-seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--postgres", default=POSTGRES, help="a PostgreSQL server URL (a database is created and dropped)"
    )
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_postgres_database(args.postgres, "crosscheck_classroom") as database_url,
    ):
        server = ProdServer(database_url, workers=args.workers)
        server.start(Path(folder) / "ours")
        try:
            exercise_id, texts = seed_classroom(database_url, args.trainees + args.concurrency)
            memory_start = {pid: rss_mb(pid) for pid in server.worker_pids()}
            memory_warm: dict[int, float] = {}
            print(
                f"classroom: {args.trainees} trainees, {args.duration:.0f} s, {args.workers} workers on PostgreSQL, {server.url}"
            )
            clients, latencies, submitted = run_class(
                server,
                exercise_id,
                texts,
                args.trainees,
                args.duration,
                on_warm=lambda: memory_warm.update({pid: rss_mb(pid) for pid in server.worker_pids()}),
            )
            memory_end = {pid: rss_mb(pid) for pid in server.worker_pids()}
            print(latencies.table())
            errors = sum(latencies.errors.values())
            total, matched, problems = reconcile(database_url, clients)
            print(f"errors: {errors}; submitted: {submitted}/{args.trainees}")
            print(
                f"reconciliation: {total} acknowledged flags, {matched} stored exactly once as acknowledged, {problems} problems"
            )
            print(
                "worker memory (MB, at start → everyone at work → end): "
                + ", ".join(
                    f"{pid}: {memory_start.get(pid, 0):.0f} → {memory_warm.get(pid, 0):.0f} → {memory_end.get(pid, 0):.0f}"
                    for pid in sorted(set(memory_start) | set(memory_end))
                )
            )
            growth = max((memory_end[pid] / memory_warm[pid] - 1) * 100 for pid in memory_end if memory_warm.get(pid))
            print(f"largest growth per worker once everyone was at work: {growth:.1f}%")

            spare = [
                TraineeClient(server.url, f"trainee{number:04d}", texts, seed=number)
                for number in range(args.trainees, args.trainees + args.concurrency)
            ]

            def save_flag(session, index, setup=False, state=None):  # type: ignore[no-untyped-def]
                client = spare[index]
                if setup:
                    client.http = session
                    client.log_in_and_open(exercise_id)
                    return client
                article, start, end = client.random_span()
                body = {
                    "client_id": str(uuid.uuid4()),
                    "article": article,
                    "start": start,
                    "end": end,
                    "quote": texts[article][start:end],
                    "category": "unverified",
                    "note": "",
                    "links": [],
                }
                created = session.post(
                    f"{server.url}/api/attempts/{client.attempt_id}/flags",
                    json=body,
                    headers=client._headers(),
                    timeout=15,
                )
                # Delete again at once, so the attempt stays under the flag limit during the run.
                session.delete(
                    f"{server.url}/api/attempts/{client.attempt_id}/flags/{body['client_id']}",
                    headers=client._headers(),
                    timeout=15,
                )
                return created.status_code == 201

            ours = saturate(server.url, save_flag, args.saturation_seconds, args.concurrency)
        finally:
            server.stop()

        bare = ProdServer(database_url, workers=args.workers, app="bench.bare_app:create_app()")
        bare.start(Path(folder) / "bare")
        try:

            def echo(session, index, setup=False, state=None):  # type: ignore[no-untyped-def]
                if setup:
                    return None
                return (
                    session.post(f"{bare.url}/echo", json={"note": "x" * random.randint(1, 40)}, timeout=15).status_code
                    == 201
                )

            baseline = saturate(bare.url, echo, args.saturation_seconds, args.concurrency)
        finally:
            bare.stop()
        print(
            f"flag saves (create + delete each): {ours:.0f}/s; bare Flask JSON endpoint: {baseline:.0f}/s; "
            f"ratio {ours / baseline:.2f} (a save is two requests: per request {2 * ours / baseline:.2f})"
        )


if __name__ == "__main__":
    main()
