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
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.models import Role
from tests.conftest import MINI_PACKAGE, Factory, login
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


DECOY = """[[items]]
id = "americans-40"
article = "mini-a"
quote = "40 Americans"
category = "conflicting_number"
decoy = true
explanation = "Nothing contradicts it."
"""


def test_a_key_without_sound_passages_says_why_there_is_no_d_prime(
    factory: Factory, client: FlaskClient, tmp_path: Path
) -> None:
    # The mini key without its one decoy: nothing marks a passage as sound, so d′ cannot tell
    # "finds problems" from "flags everything"; every place that shows it says so instead.
    package = tmp_path / "no-decoys"
    shutil.copytree(MINI_PACKAGE, package)
    key = package / "key.toml"
    assert DECOY in key.read_text()
    key.write_text(key.read_text().replace(DECOY, ""))
    cohort = factory.cohort("Undecoyed")
    factory.user("lead", Role.INSTRUCTOR, teaches=cohort)
    exercise = factory.exercise(assign_to=cohort, package=package)
    trainee = factory.user("tess", cohort=cohort)
    attempt, _ = factory.attempt(trainee, exercise, flags=[("mini-a", "reportedly", "unverified")], submit=True)
    reason = "The key marks no sound passages (decoys), so flagging everything cannot be told apart."

    login(client, "tess")
    debrief = _text(client.get(f"/attempts/{attempt.id}/debrief").get_data(as_text=True))
    assert reason in debrief and "Discernment (d′)" not in debrief
    discernment = client.get(f"/api/attempts/{attempt.id}/report").get_json()["discernment"]
    assert (discernment["measurable"], discernment["reason"], discernment["reading"]) == (False, reason, reason)
    assert "d_prime" not in discernment and discernment["hit_rate"] == pytest.approx(1 / 7)

    login(client, "lead")
    base = f"/instructor/cohorts/{cohort.id}"
    dashboard = _text(client.get(f"{base}/exercises/{exercise.id}/dashboard").get_data(as_text=True))
    assert f"Not measurable: {reason}" in dashboard
    results = csv.DictReader(io.StringIO(download(client, f"{base}/export/results.csv")))
    row = next(row for row in results if row["username"] == "tess")
    assert (row["d_prime"], row["hit_rate"], row["false_alarm_rate"]) == ("", "0.1429", "")
