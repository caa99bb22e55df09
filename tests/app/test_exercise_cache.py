"""Texts, categories and prepared keys are cached per process, and never outlive a change."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app import db, grading
from app.models import Exercise, Score
from exercises.types import Category
from tests.app.trainee_desk import open_desk
from tests.conftest import Factory


def test_a_category_added_to_the_exercise_is_accepted_at_the_next_save(app: Flask, factory: Factory) -> None:
    desk = open_desk(app, factory)
    assert desk.create(client_id="before").status_code == 201
    refused = desk.create(client_id="new", category="hearsay")
    assert refused.status_code == 400 and "hearsay" in refused.get_json()["fields"]["category"][0]
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, desk.exercise_id)
        exercise.categories = (
            *exercise.categories,
            Category(id="hearsay", name="Hearsay", definition="", example=""),
        )
        session.commit()
    assert desk.create(client_id="new", category="hearsay").status_code == 201


def test_a_submit_after_a_new_key_version_is_scored_against_it(app: Flask, factory: Factory) -> None:
    first = open_desk(app, factory, "uma")
    assert first.create(quote="reportedly", category="unverified").status_code == 201
    assert first.api("POST", f"/api/attempts/{first.attempt_id}/submit", {}).status_code == 200
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, first.exercise_id)
        kept = tuple(
            item for item in grading.current_key_version(session, exercise.id).items if item.quote != "reportedly"
        )
        version, _ = grading.add_key_version(session, exercise, kept, origin="editor", note="reportedly is fine")
        session.commit()
        version_id = version.id
    second = open_desk(app, factory, "vic", cohort=first.cohort)
    assert second.create(quote="reportedly", category="unverified").status_code == 201
    assert second.api("POST", f"/api/attempts/{second.attempt_id}/submit", {}).status_code == 200
    with app.app_context():
        session = db.session()
        scores = {
            attempt_id: session.scalar(select(Score).where(Score.attempt_id == attempt_id, Score.is_current.is_(True)))
            for attempt_id in (first.attempt_id, second.attempt_id)
        }
        # The first attempt was rescored against the new version; the second was scored against it.
        assert {score.key_version_id for score in scores.values()} == {version_id}
        assert scores[first.attempt_id].report == scores[second.attempt_id].report
        assert "reportedly" not in {item["id"] for item in scores[second.attempt_id].report["items"]}
