"""The key editor keeps each item's core (the words that carry the problem) and agreeing figures."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app import db, grading
from app.models import Exercise
from instructor.authoring import keys
from tests.conftest import login
from tests.instructor.test_authoring import ARTICLE_ONE, create_via_browser, people, save_key, span

__all__ = ["people"]  # the fixture, shared with test_authoring

CLAIM = "The assault reportedly lasted four hours."


def _item(**fields: Any) -> dict[str, Any]:
    return {
        "id": "lasted",
        "article": "wire-report",
        **span(ARTICLE_ONE, CLAIM),
        "category": "unverified",
        "explanation": "Who says so?",
        **fields,
    }


def _stored(app: Flask, exercise_id: int) -> list[Any]:
    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        return list(grading.current_key_version(db.session(), exercise.id).items)


def test_the_editor_stores_the_core_and_shows_it_again(app: Flask, client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    response = save_key(client, exercise_id, [_item(core="reportedly lasted four hours")])
    assert response.status_code == 200, response.get_data(as_text=True)
    (item,) = _stored(app, exercise_id)
    assert item.core_quote == "reportedly lasted four hours"
    assert (item.start, item.end) == (ARTICLE_ONE.index(CLAIM), ARTICLE_ONE.index(CLAIM) + len(CLAIM))
    with app.app_context():
        state = keys.editor_state(db.session(), db.session().get(Exercise, exercise_id))
    assert state["items"][0]["core"] == "reportedly lasted four hours"
    # The saved key comes back as the editor shows it, so saving again keeps the core.
    assert response.get_json()["items"] == state["items"]
    again = save_key(client, exercise_id, response.get_json()["items"])
    assert again.status_code == 200 and _stored(app, exercise_id)[0].core_quote == "reportedly lasted four hours"


def test_without_a_core_the_whole_span_counts(app: Flask, client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    assert save_key(client, exercise_id, [_item()]).status_code == 200
    (item,) = _stored(app, exercise_id)
    assert item.core == (item.start, item.end)


def test_a_core_outside_the_span_is_a_problem_beside_its_field(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    response = save_key(client, exercise_id, [_item(core="500 fighters")])
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert any(p["field"] == "core" and "is not inside the item's quote" in p["message"] for p in problems)


def test_a_repeated_core_is_taken_where_it_was_selected(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    # "out" occurs twice in the span ("about", "outpost"): the editor sends where the selection began
    login(client, "author")
    exercise_id = create_via_browser(client)
    quote = "about 500 fighters attacked the outpost"
    second = ARTICLE_ONE.index("outpost")
    item = {
        "id": "x",
        "article": "wire-report",
        **span(ARTICLE_ONE, quote),
        "category": "unverified",
        "explanation": "x",
        "core": "out",
        "core_start": second,
    }
    assert save_key(client, exercise_id, [item]).status_code == 200
    (stored,) = _stored(app, exercise_id)
    assert stored.core == (second, second + 3)
    # without the position, the editor cannot tell which: a problem, not a guess
    del item["core_start"]
    response = save_key(client, exercise_id, [item])
    assert response.status_code == 400
    assert any("set core_occurrence" in p["message"] for p in response.get_json()["problems"])
