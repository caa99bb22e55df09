"""A class at work: N trainees log in, open the workspace, flag, edit, delete and submit.

Runs `make serve-prod` (gunicorn, WORKERS workers × THREADS threads) on a fresh PostgreSQL database
with rate limits in Redis, all on loopback, and prints:

* latency per endpoint during the class, errors, a reconciliation of every acknowledged flag, and
  each worker's resident memory at start, once everyone is at work, and at the end;
* the workers' CPU time per request of each type (from /proc, measured in phases where a few
  spare trainees do only that), so a figure does not depend on how busy the machine was;
* flag-save throughput against two ceilings served the same way: a bare Flask JSON endpoint, and
  a minimal authenticated Flask + SQLAlchemy endpoint that inserts one row (bench/insert_app.py);
* the issue's targets, each met or MISSED.

Bounded in time: it stops by itself.

    .venv/bin/python bench/classroom.py --trainees 300 --duration 180 --redis-url redis://127.0.0.1:6379/5
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
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import insert_app
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


P95_TARGETS_MS = {
    "create flag": 150,
    "edit flag": 150,
    "delete flag": 150,
    "open workspace": 300,
    "submit": 500,
    "login": 500,
}
CEILING_RATIO_TARGET = 0.5
"""Flag-save requests per second, at least this share of the minimal-insert ceiling's."""
MEMORY_TARGET_MB = 200
GROWTH_TARGET_PERCENT = 10

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


def saturate(
    make_request: Callable[..., object], seconds: float, concurrency: int, cpu_seconds: Callable[[], float]
) -> tuple[float, float]:
    """Calls per second that ``concurrency`` closed-loop clients get through in ``seconds``, and
    the workers' CPU ms a call (``cpu_seconds`` reads the workers' total).

    Both are counted from the moment every client has set up (logged in): a login costs an
    argon2 check, which would otherwise be charged to the calls of an app that hashes passwords
    and not to the ceilings' apps, which do not.
    """
    done = [0]
    lock = threading.Lock()
    window: dict[str, float] = {}

    def start() -> None:
        window["cpu"] = cpu_seconds()
        window["started"] = time.monotonic()
        window["stop_at"] = window["started"] + seconds

    ready = threading.Barrier(concurrency, action=start)

    def loop(index: int) -> None:
        session = requests.Session()
        state = make_request(session, index, setup=True)
        ready.wait()
        count = 0
        while time.monotonic() < window["stop_at"]:
            if make_request(session, index, state=state):
                count += 1
        with lock:
            done[0] += count

    threads = [threading.Thread(target=loop, args=(index,)) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - window["started"]
    cpu = cpu_seconds() - window["cpu"]
    return done[0] / elapsed, cpu * 1000 / max(1, done[0])


@dataclass
class Phase:
    """What the workers spent on one kind of request, done alone by a few spare trainees."""

    name: str
    requests: int
    cpu_seconds: float
    latencies: list[float]

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / max(1, self.requests)


def run_phase(
    server: ProdServer, name: str, clients: list[TraineeClient], action: Callable[[TraineeClient], object]
) -> Phase:
    """Every client runs ``action`` at once; the workers' CPU time is read before and after."""
    before = {client.username: len(client.latencies.samples[name]) for client in clients}
    cpu_before = server.worker_cpu_seconds()
    threads = [threading.Thread(target=action, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = server.worker_cpu_seconds() - cpu_before
    samples = [value for client in clients for value in client.latencies.samples[name][before[client.username] :]]
    return Phase(name, len(samples), cpu, samples)


def repeat(times: int, action: Callable[[TraineeClient], object]) -> Callable[[TraineeClient], None]:
    def run(client: TraineeClient) -> None:
        for _ in range(times):
            action(client)

    return run


def cpu_per_request(server: ProdServer, exercise_id: int, clients: list[TraineeClient], per_client: int) -> list[Phase]:
    """CPU per request of each type; a login is counted without its page (measured on its own)."""
    pages = run_phase(server, "login page", clients, repeat(per_client, lambda client: client.login_page()))
    logins = run_phase(server, "login", clients, repeat(per_client, lambda client: client.log_in()))
    # Each login above loaded its page too: take the pages' CPU off.
    logins.cpu_seconds -= pages.cpu_ms / 1000 * logins.requests
    phases = [pages, logins]
    phases.append(run_phase(server, "open workspace", clients, repeat(per_client, lambda c: c.open(exercise_id))))
    phases.append(run_phase(server, "create flag", clients, repeat(per_client, lambda c: c.create_flag())))
    phases.append(run_phase(server, "edit flag", clients, repeat(per_client, lambda c: c.edit_flag())))
    phases.append(run_phase(server, "delete flag", clients, repeat(per_client // 2, lambda c: c.delete_flag())))
    phases.append(run_phase(server, "submit", clients, lambda client: client.submit()))
    return phases


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def phase_table(phases: list[Phase]) -> str:
    lines = [f"{'request (alone)':<16}{'count':>8}{'CPU ms':>9}{'p50 ms':>9}{'p95 ms':>9}"]
    for phase in phases:
        lines.append(
            f"{phase.name:<16}{phase.requests:>8}{phase.cpu_ms:>9.1f}"
            f"{percentile(phase.latencies, 0.5):>9.1f}{percentile(phase.latencies, 0.95):>9.1f}"
        )
    return "\n".join(lines)


@dataclass
class Ceiling:
    name: str
    per_second: float
    cpu_ms: float


def measure_ceiling(
    name: str, database_url: str, folder: Path, args: argparse.Namespace, app: str, make_request: Callable[..., object]
) -> Ceiling:
    """Requests per second and CPU per request of a comparison app served like ours."""
    server = ProdServer(database_url, workers=args.workers, app=app, redis_url=args.redis_url)
    server.start(folder / name.replace(" ", "-"))
    try:
        rate, cpu_ms = saturate(
            lambda *a, **k: make_request(server.url, *a, **k),
            args.saturation_seconds,
            args.concurrency,
            server.worker_cpu_seconds,
        )
    finally:
        server.stop()
    return Ceiling(name, rate, cpu_ms)


def echo(base: str, session: requests.Session, index: int, setup: bool = False, state: object = None) -> object:
    if setup:
        return None
    return session.post(f"{base}/echo", json={"note": "x" * random.randint(1, 40)}, timeout=15).status_code == 201


def insert_row(base: str, session: requests.Session, index: int, setup: bool = False, state: object = None) -> object:
    if setup:
        response = session.post(
            f"{base}/login", json={"username": f"bench_user{index % insert_app.USERS:02d}"}, timeout=15
        )
        assert response.status_code == 204, response.status_code
        return None
    return session.post(f"{base}/rows", json={"note": "x" * random.randint(1, 40)}, timeout=15).status_code == 201


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--duration", type=float, default=180, help="seconds of class time (default 180)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--saturation-seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--per-client", type=int, default=20, help="requests of each type per spare trainee when measuring CPU"
    )
    parser.add_argument(
        "--postgres", default=POSTGRES, help="a PostgreSQL server URL (a database is created and dropped)"
    )
    parser.add_argument("--database", default="crosscheck_classroom", help="the name of that database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15", help="Redis for the rate limits")
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_postgres_database(args.postgres, args.database) as database_url,
    ):
        server = ProdServer(database_url, workers=args.workers, redis_url=args.redis_url)
        server.start(Path(folder) / "ours")
        try:
            exercise_id, texts = seed_classroom(database_url, args.trainees + 2 * args.concurrency)
            memory_start = {pid: rss_mb(pid) for pid in server.worker_pids()}
            memory_warm: dict[int, float] = {}
            print(
                f"classroom: {args.trainees} trainees, {args.duration:.0f} s, {args.workers} workers × "
                f"{server.threads} threads on PostgreSQL, {server.url}"
            )
            cpu_before = server.worker_cpu_seconds()
            clients, latencies, submitted = run_class(
                server,
                exercise_id,
                texts,
                args.trainees,
                args.duration,
                on_warm=lambda: memory_warm.update({pid: rss_mb(pid) for pid in server.worker_pids()}),
            )
            class_cpu = server.worker_cpu_seconds() - cpu_before
            memory_end = {pid: rss_mb(pid) for pid in server.worker_pids()}
            print(latencies.table())
            class_requests = sum(len(values) for values in latencies.samples.values())
            print(
                f"workers' CPU during the class: {class_cpu:.1f} s for {class_requests} requests "
                f"({class_cpu * 1000 / max(1, class_requests):.1f} ms a request)"
            )
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
            largest = max(memory_end.values())
            print(f"largest growth per worker once everyone was at work: {growth:.1f}%")

            spare = [
                TraineeClient(server.url, f"trainee{number:04d}", texts, seed=number)
                for number in range(args.trainees, args.trainees + 2 * args.concurrency)
            ]
            measured, saturating = spare[: args.concurrency], spare[args.concurrency :]
            for client in measured:
                client.log_in_and_open(exercise_id)
            phases = cpu_per_request(server, exercise_id, measured, args.per_client)
            print(phase_table(phases))

            def save_flag(session, index, setup=False, state=None):  # type: ignore[no-untyped-def]
                client = saturating[index]
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

            saves, cpu_ms = saturate(save_flag, args.saturation_seconds, args.concurrency, server.worker_cpu_seconds)
            # A save above is two requests (create, delete): compare requests with requests.
            ours = Ceiling("flag saves", 2 * saves, cpu_ms / 2)
        finally:
            server.stop()

        insert_app.prepare(database_url)
        ceilings = [
            measure_ceiling("bare JSON", database_url, Path(folder), args, "bench.bare_app:create_app()", echo),
            measure_ceiling(
                "minimal insert", database_url, Path(folder), args, "bench.insert_app:create_app()", insert_row
            ),
        ]
        # "its CPU / ours" does not depend on how much of the machine the load generator takes.
        print(f"{'throughput':<34}{'requests/s':>11}{'CPU ms':>9}{'ours / it':>11}{'its CPU / ours':>16}")
        print(f"{'flag saves (creates and deletes)':<34}{ours.per_second:>11.0f}{ours.cpu_ms:>9.1f}")
        for ceiling in ceilings:
            print(
                f"{'ceiling: ' + ceiling.name:<34}{ceiling.per_second:>11.0f}{ceiling.cpu_ms:>9.1f}"
                f"{ours.per_second / ceiling.per_second:>11.2f}{ceiling.cpu_ms / ours.cpu_ms:>16.2f}"
            )

        print("targets:")
        for name, target in P95_TARGETS_MS.items():
            p95 = percentile(latencies.samples.get(name, []), 0.95)
            print(f"  {name} p95 {p95:.0f} ms < {target} ms: {verdict(p95 < target)}")
        ratio = ours.per_second / ceilings[1].per_second
        print(
            f"  flag saves {ratio:.2f} of the minimal-insert ceiling ≥ {CEILING_RATIO_TARGET}: {verdict(ratio >= CEILING_RATIO_TARGET)}"
        )
        print(f"  errors {errors} = 0: {verdict(errors == 0)}")
        print(f"  lost or duplicated flags {problems} = 0: {verdict(problems == 0)}")
        print(f"  worker memory {largest:.0f} MB < {MEMORY_TARGET_MB} MB: {verdict(largest < MEMORY_TARGET_MB)}")
        print(
            f"  worker memory growth {growth:.1f}% < {GROWTH_TARGET_PERCENT}%: {verdict(growth < GROWTH_TARGET_PERCENT)}"
        )


if __name__ == "__main__":
    main()
