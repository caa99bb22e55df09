"""Confidence per flag: set through the API and the no-JavaScript form, scored as calibration in
the debrief and the JSON report; refused where the exercise does not ask for it.

Calibration worked out by hand for `CONFIDENT_FLAGS` on the mini exercise: "reportedly" almost
certain (matched: right), the decoy "40 Americans" likely (wrong), "brutal regime" roughly even
(right), "heavy shelling" unlikely (in no key item: wrong), "four hours" without a confidence
(left out). Brier = ((1 − 0.95)² + 0.75² + (1 − 0.5)² + 0.25²) / 4 = (0.0025 + 0.5625 + 0.25 +
0.0625) / 4 = 0.219375.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app import db
from app.models import Exercise, Flag
from tests.app.trainee_desk import Desk, open_desk
from tests.conftest import Factory, csrf_token, login

CONFIDENT_FLAGS = [
    ("mini-a", "reportedly", "unverified", "almost_certain"),
    ("mini-a", "40 Americans", "conflicting_number", "likely"),
    ("mini-b", "brutal regime", "loaded_framing", "roughly_even"),
    ("mini-b", "heavy shelling", "unverified", "unlikely"),
    ("mini-a", "four hours", "conflicting_number", None),
]


def ask_confidence(app: Flask, exercise_id: int) -> None:
    with app.app_context():
        session = db.session()
        session.execute(update(Exercise).where(Exercise.id == exercise_id).values(asks_confidence=True))
        session.commit()


@pytest.fixture
def desk(app: Flask, factory: Factory) -> Desk:
    desk = open_desk(app, factory)
    ask_confidence(app, desk.exercise_id)
    return desk


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_flag_takes_changes_and_clears_a_confidence(desk: Desk) -> None:
    created = desk.create(confidence="likely")
    assert created.status_code == 201
    assert created.get_json()["flag"]["confidence"] == "likely"
    changed = desk.api("PATCH", f"{desk.flags_url}/c1", {"confidence": "almost_certain"})
    assert changed.status_code == 200 and changed.get_json()["flag"]["confidence"] == "almost_certain"
    assert desk.api("PATCH", f"{desk.flags_url}/c1", {"note": "kept"}).get_json()["flag"]["confidence"] == (
        "almost_certain"
    )
    cleared = desk.api("PATCH", f"{desk.flags_url}/c1", {"confidence": None})
    assert "confidence" not in cleared.get_json()["flag"]  # not stated: left out
    assert [flag.confidence for flag in desk.flags()] == [None]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("sure", "Unknown confidence 'sure'; expected one of: almost_certain, likely, roughly_even, unlikely."),
        (0.75, "Unknown confidence 0.75; expected one of: almost_certain, likely, roughly_even, unlikely."),
    ],
)
def test_an_unknown_confidence_is_refused_by_name(desk: Desk, value: object, message: str) -> None:
    refused = desk.create(confidence=value)
    assert refused.status_code == 400
    assert refused.get_json()["fields"]["confidence"] == [message]
    assert desk.flags() == []


def test_an_exercise_that_does_not_ask_refuses_a_confidence(app: Flask, factory: Factory) -> None:
    desk = open_desk(app, factory, "nico")
    refused = desk.create(confidence="likely")
    assert refused.status_code == 400
    assert refused.get_json()["fields"]["confidence"] == ["This exercise does not ask for a confidence."]
    page = desk.client.get(f"/attempts/{desk.attempt_id}").get_data(as_text=True)
    assert "How sure are you" not in page and 'name="confidence"' not in page
    assert "confidence" not in desk.create().get_json()["flag"]


def test_the_no_javascript_form_takes_a_confidence(desk: Desk) -> None:
    page = desk.client.get(f"/attempts/{desk.attempt_id}").get_data(as_text=True)
    assert 'id="toolbar-confidence"' in page and '<select id="confidence" name="confidence">' in page
    response = desk.client.post(
        f"/attempts/{desk.attempt_id}/flags",
        data={
            "csrf_token": csrf_token(desk.client, f"/attempts/{desk.attempt_id}"),
            "article": "mini-b",
            "quote": "brutal regime",
            "category": "loaded_framing",
            "confidence": "unlikely",
        },
    )
    assert response.status_code == 302
    assert [flag.confidence for flag in desk.flags()] == ["unlikely"]
    assert "Confidence: Unlikely" in _text(desk.client.get(f"/attempts/{desk.attempt_id}").get_data(as_text=True))


def submit_confident(app: Flask, factory: Factory, username: str = "cleo") -> int:
    """A submitted attempt at the mini exercise (asking for confidence) with `CONFIDENT_FLAGS`."""
    cohort = factory.cohort(f"Cohort of {username}")
    exercise = factory.exercise(assign_to=cohort)
    ask_confidence(app, exercise.id)
    trainee = factory.user(username, cohort=cohort)
    attempt, _ = factory.attempt(trainee, exercise, flags=[flag[:3] for flag in CONFIDENT_FLAGS])
    with app.app_context():
        session = db.session()
        for flag, (*_, confidence) in zip(
            session.scalars(select(Flag).where(Flag.attempt_id == attempt.id).order_by(Flag.id)),
            CONFIDENT_FLAGS,
            strict=True,
        ):
            flag.confidence = confidence
        session.commit()
    client = app.test_client()
    login(client, username)
    token = csrf_token(client, f"/attempts/{attempt.id}/submit")
    submitted = client.post(f"/api/attempts/{attempt.id}/submit", headers={"X-CSRFToken": token})
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    return attempt.id


def test_debrief_and_report_score_calibration(app: Flask, client: FlaskClient, factory: Factory) -> None:
    attempt_id = submit_confident(app, factory)
    login(client, "cleo")
    text = _text(client.get(f"/attempts/{attempt_id}/debrief").get_data(as_text=True))
    assert "Calibration (Brier score) 0.22 over 4 flags you gave a confidence; 1 without one is left out." in text
    assert "Almost certain 95% 1 1 (100%)" in text
    assert "Likely 75% 1 0 (0%)" in text
    assert "Roughly even 50% 1 1 (100%)" in text
    assert "Unlikely 25% 1 0 (0%)" in text
    body = client.get(f"/api/attempts/{attempt_id}/report").get_json()
    calibration = body["calibration"]
    assert body["report"]["calibration"] == calibration  # stored with the score at submission
    assert (calibration["rated"], calibration["unrated"]) == (4, 1)
    assert calibration["brier"] == pytest.approx(0.219375)
    assert [(row["confidence"], row["flags"], row["right"]) for row in calibration["reliability"]] == [
        ("almost_certain", 1, 1),
        ("likely", 1, 0),
        ("roughly_even", 1, 1),
        ("unlikely", 1, 0),
    ]


def test_report_has_no_calibration_where_confidence_is_not_asked(app: Flask, factory: Factory) -> None:
    other = open_desk(app, factory, "nico")
    other.create()
    other.api("POST", f"/api/attempts/{other.attempt_id}/submit")
    assert "calibration" not in other.api("GET", f"/api/attempts/{other.attempt_id}/report").get_json()
    text = _text(other.client.get(f"/attempts/{other.attempt_id}/debrief").get_data(as_text=True))
    assert "How sure you were" not in text
