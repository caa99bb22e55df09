"""Discernment on the dashboard, in the drill-down and in the exports, for the fixed cohort.

The mini key has 7 problems and 1 sound passage (the decoy "40 Americans"). With log-linear
corrected rates H = (hits + 0.5) / 8 and F = (false alarms + 0.5) / 2:

* alice: 4 hits, no false alarm: z(0.5625) − z(0.25) = 0.157311 + 0.674490 = 0.831800;
* bob: 2 hits (a wrong category and a lone figure still find the span), the decoy:
  z(0.3125) − z(0.75) = −0.488776 − 0.674490 = −1.163266;
* carol: 2 hits, no false alarm: −0.488776 + 0.674490 = 0.185713.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask.testing import FlaskClient

from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort
from tests.instructor.test_exports import download


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dashboard_shows_the_spread_of_discernment(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    page = client.get(fixed.url())
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html[html.index('id="discernment-table"') : html.index("</table>", html.index('id="discernment-table"'))]
    bands = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td>", table)
    assert bands == [
        ("below 0", "1"),
        ("0 to 0.5", "1"),
        ("0.5 to 1", "1"),
        ("1 to 1.5", "0"),
        ("1.5 to 2", "0"),
        ("2 to 3", "0"),
        ("3 and above", "0"),
    ]
    assert "Median d′ 0.19 over 3 submissions" in _text(html)


def test_results_export_carries_each_trainees_discernment(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    rows = {
        row["username"]: row
        for row in csv.DictReader(
            io.StringIO(download(client, f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv"))
        )
    }
    assert (rows["alice"]["d_prime"], rows["alice"]["hit_rate"], rows["alice"]["false_alarm_rate"]) == (
        "0.8318",
        "0.5714",
        "0.0",
    )
    assert (rows["bob"]["d_prime"], rows["bob"]["false_alarm_rate"]) == ("-1.1633", "1.0")
    assert rows["carol"]["d_prime"] == "0.1857"
    assert rows["dave"]["d_prime"] == "" and rows["erin"]["d_prime"] == ""


def test_flag_exports_carry_the_submissions_discernment(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    rows = list(csv.DictReader(io.StringIO(download(client, fixed.url("export/flags.csv")))))
    assert {row["username"]: row["d_prime"] for row in rows} == {
        "alice": "0.8318",
        "bob": "-1.1633",
        "carol": "0.1857",
    }
    records = json.loads(download(client, fixed.url("export/flags.json")))
    assert {record["username"]: record["d_prime"] for record in records} == {
        "alice": 0.8318,
        "bob": -1.1633,
        "carol": 0.1857,
    }


def test_drill_down_reads_discernment_in_plain_language(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    page = client.get(fixed.url(f"trainees/{fixed.users['bob']}"))
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "You found about a third of the problems but also flagged all of the sound passages." in text
    assert "Sound passages flagged 1 of 1 (100%)" in text
    assert "Discernment (d′) -1.16" in text
