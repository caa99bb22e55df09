"""The same first steps on PostgreSQL: set-up, a cohort, a trainee registering with its code."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app, db, migrate
from app.models import Flag
from app.trainee import flags
from tests.app.trainee_desk import flag_body
from tests.conftest import Factory, csrf_token, login, post_form

pytestmark = pytest.mark.postgres


def test_first_steps_on_postgresql(pg_url: str, tmp_path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "pg-test", "DATABASE_URL": pg_url})
    app.instance_path = str(tmp_path)
    try:
        migrate.upgrade(db.get_engine(app))
        admin = app.test_client()
        password = "a long enough password"
        account = {"username": "ada", "display_name": "Ada", "email": "", "password": password, "confirm": password}
        assert post_form(admin, "/setup", account, page="/setup").status_code == 302
        response = post_form(admin, "/instructor/cohorts", {"name": "PG cohort"}, page="/instructor/")
        page = admin.get(response.headers["Location"]).get_data(as_text=True)
        code = re.search(r'class="join-code">([^<]+)<', page).group(1)
        trainee = app.test_client()
        registration = {
            "join_code": code,
            "username": "tess",
            "display_name": "Tess",
            "password": password,
            "confirm": password,
        }
        assert post_form(trainee, "/register", registration, page="/register").status_code == 302
        assert "PG cohort" in trainee.get("/exercises").get_data(as_text=True)
        assert app.test_client().get("/setup").status_code == 404
    finally:
        db.get_engine(app).dispose()


def test_the_flag_limit_holds_under_concurrent_creates(pg_url: str, tmp_path) -> None:
    """30 creates at once on an attempt holding 295 flags: exactly 5 are stored, the rest refused."""
    app = create_app({"TESTING": True, "SECRET_KEY": "pg-race", "DATABASE_URL": pg_url})
    app.instance_path = str(tmp_path)
    try:
        migrate.upgrade(db.get_engine(app))
        factory = Factory(app)
        cohort = factory.cohort("Race")
        exercise = factory.exercise(assign_to=cohort)
        trainee = factory.user("tina", cohort=cohort)
        room = flags.MAX_FLAGS - 295
        attempt, _ = factory.attempt(trainee, exercise, flags=[("mini-a", "reportedly", "unverified")] * 295)
        first = app.test_client()
        login(first, "tina")
        token = csrf_token(first, "/exercises")
        cookie = first.get_cookie("session")
        assert cookie is not None
        body = flag_body(app)
        barrier = threading.Barrier(30)

        def create(number: int) -> int:
            client = app.test_client()
            client.set_cookie("session", cookie.value)
            barrier.wait()
            response = client.post(
                f"/api/attempts/{attempt.id}/flags",
                json={**body, "client_id": f"race-{number}"},
                headers={"X-CSRFToken": token},
            )
            return response.status_code

        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = sorted(pool.map(create, range(30)))
        assert statuses == [201] * room + [400] * (30 - room)
        with app.app_context():
            stored = db.session().scalar(select(func.count()).select_from(Flag).where(Flag.attempt_id == attempt.id))
        assert stored == flags.MAX_FLAGS
    finally:
        db.get_engine(app).dispose()
