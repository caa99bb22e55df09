"""Discernment in the trainee's debrief and in the JSON report, on the mini exercise.

The mini key has 7 problems and 1 sound passage (the decoy "40 Americans"). Two problems found
and the decoy flagged: H = 2.5/8, F = 1.5/2, d′ = z(0.3125) − z(0.75) = −0.488776 − 0.674490 =
−1.163266; c = −(−0.488776 + 0.674490) / 2 = −0.092857.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.conftest import Factory, login

FLAGS = [
    ("mini-a", "reportedly", "unverified"),
    ("mini-a", "40 Americans", "conflicting_number"),
    ("mini-b", "brutal regime", "loaded_framing"),
]


@pytest.fixture
def submitted(factory: Factory) -> int:
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    trainee = factory.user("tess", cohort=cohort)
    attempt, _ = factory.attempt(trainee, exercise, flags=FLAGS, submit=True)
    return attempt.id


def test_debrief_reads_discernment_in_plain_language(client: FlaskClient, submitted: int) -> None:
    login(client, "tess")
    page = client.get(f"/attempts/{submitted}/debrief")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    assert (
        "You found about a third of the problems but also flagged all of the sound passages. "
        "Your flags did not tell problems from sound passages: you flagged both about as often." in text
    )
    assert "Problems found 2 of 7 (29%)" in text
    assert "Discernment (d′) -1.16" in text


def test_json_report_carries_discernment(client: FlaskClient, submitted: int) -> None:
    login(client, "tess")
    body = client.get(f"/api/attempts/{submitted}/report").get_json()
    # Stored in the report too, so queries read it without rebuilding the report.
    assert body["report"]["discernment"] == body["discernment"]
    assert body["report"]["calibration"]["brier"] is None
    discernment = body["discernment"]
    assert (discernment["problems"], discernment["hits"]) == (7, 2)
    assert (discernment["sound_passages"], discernment["false_alarms"]) == (1, 1)
    assert discernment["d_prime"] == pytest.approx(-1.163266, abs=1e-6)
    assert discernment["criterion"] == pytest.approx(-0.092857, abs=1e-6)
    assert discernment["measurable"] is True and discernment["reason"] == ""
    assert discernment["reading"].startswith("You found about a third of the problems")


def test_progress_reads_the_discernment_stored_with_the_score(client: FlaskClient, submitted: int) -> None:
    login(client, "tess")
    (submission,) = client.get("/api/progress").get_json()["submissions"]
    assert submission["discernment"] == pytest.approx(-1.163266, abs=1e-6)
    assert "brier" not in submission  # no confidence given
