"""The production set-up under faults: `make serve-prod` (gunicorn on PostgreSQL, Redis rate
limits) drives a trainee through an exercise, and a worker killed mid-load loses no flag."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from bench.harness import ProdServer, TraineeClient, fresh_postgres_database, reconcile, seed_classroom
from tests.conftest import postgres_server_url, redis_is_running

pytestmark = pytest.mark.postgres

TRAINEES = 8
"""Per test; the classroom has three times as many accounts, so each test has fresh trainees."""


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ProdServer, str, int, dict[str, str]]]:
    base = postgres_server_url()
    if not redis_is_running():
        pytest.skip("the production set-up needs Redis on 127.0.0.1:6379")
    with fresh_postgres_database(base, "crosscheck_faults") as url:
        server = ProdServer(url, workers=2)
        server.start(tmp_path_factory.mktemp("serve-prod"))
        try:
            exercise_id, texts = seed_classroom(url, 3 * TRAINEES)
            yield server, url, exercise_id, texts
        finally:
            server.stop()


def test_serve_prod_takes_a_trainee_through_an_exercise(classroom: tuple[ProdServer, str, int, dict[str, str]]) -> None:
    server, url, exercise_id, texts = classroom
    trainee = TraineeClient(server.url, "trainee0000", texts, seed=1)
    trainee.log_in_and_open(exercise_id)
    for _ in range(3):
        trainee.create_flag()
    trainee.edit_flag()
    trainee.delete_flag()
    assert len(trainee.acknowledged) == 2
    assert trainee.submit()
    debrief = trainee.http.get(f"{server.url}/attempts/{trainee.attempt_id}/debrief", timeout=10)
    assert debrief.status_code == 200
    assert "Scored against key version 1" in debrief.text
    assert reconcile(url, [trainee]) == (2, 2, 0)
    assert "Content-Security-Policy" in debrief.headers


def test_a_killed_worker_loses_no_acknowledged_flag(classroom: tuple[ProdServer, str, int, dict[str, str]]) -> None:
    server, url, exercise_id, texts = classroom
    clients = [TraineeClient(server.url, f"trainee{number:04d}", texts, seed=number) for number in range(1, TRAINEES)]
    for client in clients:
        client.log_in_and_open(exercise_id)
    stop_at = time.monotonic() + 6

    def work(client: TraineeClient) -> None:
        while time.monotonic() < stop_at:
            client.act()

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    time.sleep(2)
    victims = server.worker_pids()
    os.kill(victims[0], signal.SIGKILL)
    for thread in threads:
        thread.join(timeout=60)

    acknowledged, stored_once, problems = reconcile(url, clients)
    assert acknowledged > 20
    assert (stored_once, problems) == (acknowledged, 0)
    # Clients recover: the master replaced the worker, and every trainee can still save and submit.
    deadline = time.monotonic() + 20
    while len(server.worker_pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert victims[0] not in server.worker_pids() and len(server.worker_pids()) == 2
    for client in clients:
        client.create_flag()
        assert client.submit()
    assert reconcile(url, clients)[2] == 0


def test_a_short_class_runs_without_errors(classroom: tuple[ProdServer, str, int, dict[str, str]]) -> None:
    """bench/classroom.py in small: a few trainees arrive, flag every few seconds and submit."""
    from bench.classroom import run_class

    server, url, exercise_id, texts = classroom
    clients, latencies, submitted = run_class(
        server, exercise_id, texts, trainees=TRAINEES, duration=32, first_trainee=TRAINEES
    )
    assert sum(latencies.errors.values()) == 0, latencies.table()
    assert submitted == TRAINEES
    acknowledged, stored_once, problems = reconcile(url, clients)
    assert acknowledged > 0 and (stored_once, problems) == (acknowledged, 0)
