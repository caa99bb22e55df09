"""Exports: columns, row counts, formula-safe cells; out of reach for trainees and other instructors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask.testing import FlaskClient

from app.csv_export import safe_cell
from instructor.dashboard.exports import FLAG_COLUMNS, result_columns
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import FLAGS, FixedCohort, build_fixed_cohort


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


def download(client: FlaskClient, url: str) -> str:
    """The body of a streamed export; closing the response ends its request (and frees its connection)."""
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        return response.get_data(as_text=True)


def _rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(download(client, url))))


def test_results_csv(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    with client.get(f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv") as response:
        assert response.mimetype == "text/csv"
        header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == result_columns(["unverified", "conflicting_number", "loaded_framing"])
    rows = {row["username"]: row for row in _rows(client, f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv")}
    assert len(rows) == 5
    assert [rows[name]["status"] for name in ("alice", "bob", "carol", "dave", "erin")] == [
        "submitted",
        "submitted",
        "submitted",
        "in progress",
        "not started",
    ]
    alice = rows["alice"]
    assert (alice["score"], alice["score_exact"], alice["precision"], alice["recall"], alice["seconds"]) == (
        "55",
        "54.55",
        "1.0",
        "0.5714",
        "600",
    )
    assert (
        alice["conflicting_number_correct"],
        alice["conflicting_number_flagged"],
        alice["conflicting_number_expected"],
    ) == ("2", "2", "4")
    assert (alice["conflicting_number_precision"], alice["conflicting_number_recall"]) == ("1.0", "0.5")
    carol = rows["carol"]
    assert (carol["unverified_correct"], carol["unverified_flagged"], carol["unverified_precision"]) == (
        "0",
        "2",
        "0.0",
    )
    assert rows["erin"]["score"] == "" and rows["erin"]["unverified_recall"] == ""
    assert alice["submitted_at"].endswith("+00:00")


def test_flags_csv_and_json(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    header = next(csv.reader(io.StringIO(download(client, fixed.url("export/flags.csv")))))
    assert header == list(FLAG_COLUMNS)
    rows = _rows(client, fixed.url("export/flags.csv"))
    assert len(rows) == sum(len(flags) for flags in FLAGS.values())  # dave's unsubmitted flag is left out
    shelling = next(row for row in rows if row["quote"] == "heavy shelling")
    assert shelling["username"] == "carol" and shelling["article"] == "mini-b"
    assert int(shelling["end"]) - int(shelling["start"]) == len("heavy shelling")
    assert shelling["note"] == '\'=HYPERLINK("x") who saw it?'  # made safe for spreadsheets
    records = json.loads(download(client, fixed.url("export/flags.json")))
    assert len(records) == len(rows)
    assert {record["quote"] for record in records} == {row["quote"] for row in rows}
    assert next(r for r in records if r["quote"] == "heavy shelling")["note"] == '=HYPERLINK("x") who saw it?'


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (3, 3),
        (None, None),
    ],
)
def test_safe_cell(value: object, safe: object) -> None:
    assert safe_cell(value) == safe


@pytest.mark.parametrize("who", ["alice", "stranger"])
def test_exports_out_of_reach(client: FlaskClient, fixed: FixedCohort, who: str) -> None:
    login(client, who)
    expected = 403 if who == "alice" else 404
    for url in (
        f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv",
        fixed.url("export/flags.csv"),
        fixed.url("export/flags.json"),
    ):
        with client.get(url) as response:
            assert response.status_code == expected, url
