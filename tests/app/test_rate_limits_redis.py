"""With several workers, login throttling is shared through Redis, not counted per process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from flask import Flask

from app import create_app, db
from app.models import Role
from bench.harness import free_port
from tests.conftest import CSRF_META, PASSWORD, Factory, login, redis_is_running

CROSSCHECK = Path(sys.executable).parent / "crosscheck"


@pytest.mark.skipif(not redis_is_running(), reason="needs Redis on 127.0.0.1:6379")
def test_two_workers_share_the_failed_login_count(app_config: dict[str, Any], tmp_path) -> None:
    config = {
        **app_config,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    workers = [create_app(config), create_app(config)]
    for worker in workers:
        worker.instance_path = str(tmp_path)
    try:
        Factory(workers[0]).user("grace", Role.INSTRUCTOR)
        for attempt in range(5):
            response = login(workers[attempt % 2].test_client(), "grace", f"guess {attempt}")
            assert response.status_code == 200
        assert login(workers[1].test_client(), "grace").status_code == 429
        assert login(workers[0].test_client(), "grace").status_code == 429
    finally:
        for worker in workers:
            db.get_engine(worker).dispose()


@pytest.mark.skipif(not redis_is_running(), reason="needs Redis on 127.0.0.1:6379")
def test_two_instances_on_one_redis_keep_their_own_counts(app: Flask, tmp_path: Path) -> None:
    """Two instances (two processes) on one Redis, each with its RATELIMIT_KEY_PREFIX: failures on
    one never lock the same username out of the other, and every key carries its instance's prefix."""
    Factory(app).user("grace", Role.INSTRUCTOR)
    storage = "redis://127.0.0.1:6379/14"
    prefixes = [f"instance-{uuid.uuid4().hex}", f"instance-{uuid.uuid4().hex}"]
    environment = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SECRET_KEY": "two-instances",
        "RATELIMIT_STORAGE_URI": storage,
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [CROSSCHECK, "serve", "--port", str(port)],
            env={**environment, "RATELIMIT_KEY_PREFIX": prefix},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port, prefix in zip(ports, prefixes)
    ]
    try:
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        for guess in range(5):
            assert http_login(first, "grace", f"guess {guess}") == 200
        assert http_login(first, "grace", PASSWORD) == 429
        assert http_login(second, "grace", PASSWORD) == 302
        keys = [key.decode() for key in redis.Redis.from_url(storage).keys("*login-account:grace*")]
        assert any(key.startswith(f"LIMITS:LIMITER/{prefixes[0]}/") for key in keys), keys
        assert not any(key.startswith("LIMITS:LIMITER/login-account") for key in keys), keys
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def http_login(base: str, username: str, password: str) -> int:
    """Log in over HTTP as a browser does; the status of the POST."""
    session = requests.Session()
    deadline = time.monotonic() + 30
    while True:
        try:
            page = session.get(f"{base}/login", timeout=2).text
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, f"{base} did not start"
            time.sleep(0.2)
    token = CSRF_META.search(page).group(1)
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def test_the_key_prefix_is_set_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, app_config: dict[str, Any]
) -> None:
    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "classroom-7")
    instance = create_app(app_config)
    try:
        assert instance.config["RATELIMIT_KEY_PREFIX"] == "classroom-7"
    finally:
        db.get_engine(instance).dispose()
