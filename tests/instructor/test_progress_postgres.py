"""Progress on PostgreSQL: the optional report fields are read with the dialect's JSON operators."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from app import create_app, db, migrate
from tests.conftest import Factory, login
from tests.instructor.progress_cohort import build_progress_cohort, store_in_report

pytestmark = pytest.mark.postgres


def test_progress_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "pg-progress", "DATABASE_URL": pg_url})
    app.instance_path = str(tmp_path)
    try:
        migrate.upgrade(db.get_engine(app))
        factory = Factory(app)
        cohort = build_progress_cohort(factory, tmp_path)
        store_in_report(factory, cohort.fixed.attempts["alice"], discernment={"d_prime": 0.5})
        store_in_report(factory, cohort.second_attempts["alice"], discernment=2.0)
        client = app.test_client()
        login(client, "teacher")
        document = client.get(cohort.url(".json", pre=cohort.first_id, post=cohort.second_id)).get_json()
        measures = {entry["measure"]: entry for entry in document["measures"]}
        assert measures["score"]["change"] == {"count": 2, "mean": round(3250 / 143, 4), "median": round(3250 / 143, 4)}
        assert measures["d_prime"]["change"] == {"count": 1, "mean": 1.5, "median": 1.5}
        assert "brier" not in measures
        client.post("/logout")
        login(client, "bob")
        assert len(client.get("/api/progress").get_json()["submissions"]) == 3
    finally:
        # See test_dashboard_postgres: close every connection before the database is dropped.
        gc.collect()
        db.get_engine(app).dispose()
