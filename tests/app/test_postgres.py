"""The same first steps on PostgreSQL: set-up, a cohort, a trainee registering with its code."""

from __future__ import annotations

import re

import pytest

from app import create_app, db, migrate
from tests.conftest import post_form

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
        registration = {"join_code": code, "username": "tess", "display_name": "Tess", "password": password, "confirm": password}
        assert post_form(trainee, "/register", registration, page="/register").status_code == 302
        assert "PG cohort" in trainee.get("/exercises").get_data(as_text=True)
        assert app.test_client().get("/setup").status_code == 404
    finally:
        db.get_engine(app).dispose()
