"""The dashboard, its exports and a key change on PostgreSQL (time on task and SQL aggregation differ by dialect)."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from pathlib import Path

import pytest

from app import create_app, db, migrate
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import build_fixed_cohort
from tests.instructor.test_exports import download

pytestmark = pytest.mark.postgres


def test_dashboard_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "pg-dashboard", "DATABASE_URL": pg_url})
    app.instance_path = str(tmp_path)
    try:
        migrate.upgrade(db.get_engine(app))
        fixed = build_fixed_cohort(Factory(app))
        client = app.test_client()
        login(client, "teacher")
        page = client.get(fixed.url())
        assert page.status_code == 200
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
        assert "Trainees 5 Not started 1 In progress 1 Submitted 3" in text
        assert "Mean score 23 Median score 14 Mean time on task 20 min Median time on task 20 min" in text
        assert "heavy shelling" in text and "Accept Loaded framing as alternative" in text
        results = download(client, f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv")
        rows = {row["username"]: row for row in csv.DictReader(io.StringIO(results))}
        assert (
            rows["alice"]["seconds"] == "600"
            and rows["alice"]["score"] == "55"
            and rows["alice"]["score_exact"] == "54.55"
        )
        flags = json.loads(download(client, fixed.url("export/flags.json")))
        assert len(flags) == 10
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
        change = client.post(
            fixed.url("key/accept"), data={"csrf_token": token, "item_id": "reportedly", "category": "loaded_framing"}
        )
        assert change.status_code == 302
        assert "Key version 2 saved" in client.get(change.headers["Location"]).get_data(as_text=True)
    finally:
        # Return the connection of any session the requests left to the garbage collector while
        # the database exists, so that dispose() closes it. Finalized after the database is
        # dropped, it fails to roll back and logs that from inside whatever allocates next: on
        # Python 3.11 that can be an ast.parse (werkzeug's routing), which then raises
        # "SystemError: AST constructor recursion depth mismatch".
        gc.collect()
        db.get_engine(app).dispose()
