"""Instructors set the source ratings of an exercise they made: stored with the key, asked of
trainees, and changed later as a new key version that rescores."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app import db, grading
from tests.conftest import login, post_form
from tests.instructor.test_authoring import create_via_browser, people

__all__ = ["people"]  # the fixture, shared with test_authoring


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "articles-0-asked": "y",
        "articles-0-reliability": "C",
        "articles-0-credibility": "2",
        "articles-0-accept_reliability": ["B", "C"],
        "articles-0-accept_credibility": ["2", "3"],
        "articles-0-reasoning": "A wire report: named agency, no link.",
        "articles-1-reliability": "F",
        "articles-1-credibility": "4",
        "articles-1-reasoning": "",
        "note": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _save(client: FlaskClient, exercise_id: int, data: dict[str, Any]) -> Any:
    page = f"/instructor/exercises/{exercise_id}/ratings"
    return post_form(client, page, data, page=page)


def _ratings(app: Flask, exercise_id: int) -> list[Any]:
    with app.app_context():
        return list(grading.current_key_version(db.session(), exercise_id).ratings)


def test_the_author_sets_ratings_that_trainees_are_then_asked_for(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    page = client.get(f"/instructor/exercises/{exercise_id}/ratings")
    assert page.status_code == 200 and "Ask trainees to rate this article" in page.get_data(as_text=True)
    response = _save(client, exercise_id, _form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (rating,) = _ratings(app, exercise_id)  # only the asked article
    assert (rating.article, rating.reliability, rating.credibility) == ("wire-report", "C", "2")
    assert (rating.accept_reliability, rating.accept_credibility) == (("B", "C"), ("2", "3"))
    assert rating.reasoning == "A wire report: named agency, no link."
    # the form shows what was saved
    form = client.get(f"/instructor/exercises/{exercise_id}/ratings").get_data(as_text=True)
    assert re.search(r'<select id="articles-0-reliability"[^>]*>.*?<option selected value="C">', form, re.DOTALL)
    assert re.search(
        r'<input checked id="articles-0-accept_reliability-\d" name="articles-0-accept_reliability" type="checkbox" value="B">',
        form,
    )


def test_bad_ratings_are_a_400_naming_the_field_and_store_nothing(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    response = _save(
        client, exercise_id, _form(**{"articles-0-accept_reliability": ["B"], "articles-0-reasoning": " "})
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Accept at least your own grade, C." in text and "Say why, for the trainees&#39; debrief." in text
    assert _ratings(app, exercise_id) == []
    response = _save(client, exercise_id, _form(**{"articles-0-reliability": "G"}))
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)


def test_only_the_author_sets_ratings(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    client.post("/logout", data={})
    login(client, "colleague")
    assert client.get(f"/instructor/exercises/{exercise_id}/ratings").status_code in (403, 404)


def test_after_submissions_new_ratings_are_a_new_key_version_that_rescores(app: Flask, factory: Any) -> None:
    from pathlib import Path

    from sqlalchemy import select

    from app.models import Exercise, Score, User
    from instructor.authoring import rating_keys

    seed = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort, package=seed)
    attempt, _ = factory.attempt(factory.user("tess", cohort=cohort), exercise, submit=True)
    admin = factory.user("boss", role="admin")
    with app.app_context():
        session = db.session()
        saved = rating_keys.save_ratings(
            session, session.get(User, admin.id), session.get(Exercise, exercise.id), (), "no ratings"
        )
        session.commit()
        assert (saved.new_version, saved.version.number, saved.rescored) == (True, 2, 1)
        assert saved.version.ratings == ()
        assert len(saved.version.items) == 58  # the items stay
        current = session.scalar(select(Score).where(Score.attempt_id == attempt.id, Score.is_current.is_(True)))
        assert current.note == "Key version 2: no ratings" and current.report["totals"]["possible"] == 82.0
