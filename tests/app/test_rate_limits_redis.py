"""With several workers, login throttling is shared through Redis, not counted per process."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app import create_app, db
from app.models import Role
from tests.conftest import Factory, login, redis_is_running


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
