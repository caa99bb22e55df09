"""Cohort calibration on the dashboard and confidence in the exports.

Two trainees at the mini exercise, which asks for confidence:

* cleo: "reportedly" almost certain (right), the decoy "40 Americans" likely (wrong), "brutal
  regime" roughly even (right), "heavy shelling" unlikely (wrong), "four hours" without one:
  squared errors 0.0025 + 0.5625 + 0.25 + 0.0625 = 0.8775 over 4, Brier 0.219375;
* dan: "reportedly" likely (right), "pro-democracy rebels" likely (right, an accepted
  alternative category still matches): 0.0625 + 0.0625 over 2, Brier 0.0625.

Pooled: 1.0025 over 6 flags, Brier 0.167083; "likely" 3 flags, 2 right (67%).
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app import db
from app.models import Exercise, Flag, Role
from tests.conftest import Factory, login
from tests.instructor.test_exports import download

FLAGS = {
    "cleo": [
        ("mini-a", "reportedly", "unverified", "almost_certain"),
        ("mini-a", "40 Americans", "conflicting_number", "likely"),
        ("mini-b", "brutal regime", "loaded_framing", "roughly_even"),
        ("mini-b", "heavy shelling", "unverified", "unlikely"),
        ("mini-a", "four hours", "conflicting_number", None),
    ],
    "dan": [
        ("mini-a", "reportedly", "unverified", "likely"),
        ("mini-a", "pro-democracy rebels", "unverified", "likely"),
    ],
}


@pytest.fixture
def urls(app: Flask, factory: Factory) -> tuple[str, str]:
    """The dashboard URL and the cohort's results export URL."""
    cohort = factory.cohort("Calibrated")
    factory.user("teacher", Role.INSTRUCTOR, teaches=cohort)
    exercise = factory.exercise(assign_to=cohort)
    for name, flags in FLAGS.items():
        attempt, _ = factory.attempt(
            factory.user(name, cohort=cohort), exercise, flags=[flag[:3] for flag in flags], submit=True
        )
        with app.app_context():
            session = db.session()
            stored = session.scalars(select(Flag).where(Flag.attempt_id == attempt.id).order_by(Flag.id))
            for flag, (*_, confidence) in zip(stored, flags, strict=True):
                flag.confidence = confidence
            session.execute(update(Exercise).where(Exercise.id == exercise.id).values(asks_confidence=True))
            session.commit()
    base = f"/instructor/cohorts/{cohort.id}"
    return f"{base}/exercises/{exercise.id}/", f"{base}/export/results.csv"


def test_dashboard_shows_cohort_calibration(client: FlaskClient, urls: tuple[str, str]) -> None:
    login(client, "teacher")
    html = client.get(urls[0] + "dashboard").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Brier score 0.17 over 6 flags given a confidence (1 without one left out)" in text
    assert "Almost certain 95% 1 100%" in text
    assert "Likely 75% 3 67%" in text
    assert "Roughly even 50% 1 100%" in text
    assert "Unlikely 25% 1 0%" in text


def test_exports_carry_confidence_and_brier(client: FlaskClient, urls: tuple[str, str]) -> None:
    login(client, "teacher")
    rows = list(csv.DictReader(io.StringIO(download(client, urls[0] + "export/flags.csv"))))
    assert sorted((row["username"], row["quote"], row["confidence"]) for row in rows) == sorted(
        (name, quote, confidence or "") for name, flags in FLAGS.items() for _, quote, _, confidence in flags
    )
    records = json.loads(download(client, urls[0] + "export/flags.json"))
    assert {(record["quote"], record["confidence"]) for record in records if record["username"] == "dan"} == {
        ("reportedly", "likely"),
        ("pro-democracy rebels", "likely"),
    }
    results = {row["username"]: row for row in csv.DictReader(io.StringIO(download(client, urls[1])))}
    assert (results["cleo"]["brier"], results["dan"]["brier"]) == ("0.2194", "0.0625")
