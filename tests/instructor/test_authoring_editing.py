"""Authoring after creation: details and article metadata, kept suggestion dismissals, the
creator's name in the list, and pages served as HTML."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import db
from app.models import Exercise
from instructor.authoring import details
from scoring.types import Policy
from tests.conftest import Factory, csrf_token, login, post_form
from tests.instructor.test_authoring import ARTICLE_ONE, NEW_PAGE, create_via_browser, people, save_key, span

__all__ = ["people"]  # the fixture, shared with test_authoring


def details_form(exercise_id: int, **overrides: str) -> dict[str, str]:
    """The details form as the page fills it for the exercise made by ``create_via_browser``."""
    data = {
        "title": "Night raid, revised",
        "briefing": "Two reports of one raid.",
        "instructions": "Flag what you would check.",
        "suggested_minutes": "25",
        "attempts": "2",
    }
    for index, category in enumerate(details.default_categories()):
        data[f"categories-{index}-name"] = category.name
        data[f"categories-{index}-definition"] = category.definition
        data[f"categories-{index}-example"] = category.example
    for index, title in enumerate(("Wire report", "Tabloid page")):
        data.update(
            {
                f"articles-{index}-title": title,
                f"articles-{index}-byline": "",
                f"articles-{index}-outlet": "Wire",
                f"articles-{index}-event_date": "2024-03-01",
                f"articles-{index}-language": "en",
                f"articles-{index}-provenance": "Pasted for the test.",
            }
        )
    data.update(overrides)
    return data


def post_details(client: FlaskClient, exercise_id: int, data: dict[str, str]) -> Any:
    page = f"/instructor/exercises/{exercise_id}/details"
    return post_form(client, page, data, page=page)


def dismiss(client: FlaskClient, exercise_id: int, payload: Any) -> Any:
    token = csrf_token(client, f"/instructor/exercises/{exercise_id}/key")
    return client.post(
        f"/instructor/exercises/{exercise_id}/suggestions/dismissed",
        json=payload,
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )


def test_authoring_pages_are_html(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    for page in (NEW_PAGE, f"/instructor/exercises/{exercise_id}", f"/instructor/exercises/{exercise_id}/details"):
        assert client.get(page).mimetype == "text/html", page
    bad = post_form(client, NEW_PAGE, {"title": ""}, page=NEW_PAGE)
    assert (bad.status_code, bad.mimetype) == (400, "text/html")


def test_details_and_article_metadata_change_but_not_the_text(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    form = client.get(f"/instructor/exercises/{exercise_id}/details").get_data(as_text=True)
    assert 'value="Wire report"' in form and 'value="2024-03-01"' in form and "Definition" in form

    data = details_form(
        exercise_id,
        **{
            "categories-2-name": "Loaded words",
            "articles-0-title": "Wire report, 2 March",
            "articles-0-byline": "By A. Reporter",
            "articles-1-event_date": "2024-03-02",
            "articles-1-provenance": "A saved page <script>x</script>",
        },
    )
    assert post_details(client, exercise_id, data).status_code == 302
    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        assert (exercise.title, exercise.suggested_minutes, exercise.attempts_allowed) == ("Night raid, revised", 25, 2)
        assert [c.name for c in exercise.categories] == ["Unverified claim", "Conflicting number", "Loaded words"]
        assert [c.id for c in exercise.categories] == ["unverified", "conflicting_number", "loaded_framing"]
        assert exercise.categories[1].grouped is True
        wire, tabloid = exercise.articles
        assert (wire.title, wire.byline, wire.text) == ("Wire report, 2 March", "By A. Reporter", ARTICLE_ONE)
        assert (tabloid.event_date, tabloid.provenance) == ("2024-03-02", "A saved page <script>x</script>")
    # Metadata is escaped where trainees read it.
    preview = client.get(f"/instructor/exercises/{exercise_id}/preview").get_data(as_text=True)
    assert "Wire report, 2 March" in preview and "Loaded words" in preview and "<script>x" not in preview


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"articles-0-event_date": "March"}, "Not a valid date value."),
        ({"articles-1-provenance": ""}, "This field is required."),
        ({"categories-0-definition": ""}, "This field is required."),
        ({"suggested_minutes": "0"}, "Number must be between 1 and 600."),
    ],
)
def test_details_form_rejects_bad_input(
    client: FlaskClient, people: dict[str, Any], overrides: dict[str, str], message: str
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    response = post_details(client, exercise_id, details_form(exercise_id, **overrides))
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_details_refuse_a_missing_article(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    data = {k: v for k, v in details_form(exercise_id).items() if not k.startswith("articles-1-")}
    response = post_details(client, exercise_id, data)
    assert response.status_code == 400 and "expected metadata for 2 article(s), got 1" in response.get_data(
        as_text=True
    )


def test_categories_are_reworded_only_on_a_draft(app: Flask, client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    save_key(
        client,
        exercise_id,
        [
            {
                "id": "h",
                "article": "wire-report",
                **span(ARTICLE_ONE, "reportedly"),
                "category": "unverified",
                "explanation": "x",
            }
        ],
    )
    page = f"/instructor/exercises/{exercise_id}"
    assert post_form(client, f"{page}/publishing", {"state": "published"}, page=page).status_code == 302
    assert "trainees have seen these categories" in client.get(f"{page}/details").get_data(as_text=True)
    data = details_form(exercise_id, **{"categories-0-name": "Renamed", "articles-0-outlet": "Agency"})
    assert post_details(client, exercise_id, data).status_code == 302
    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        assert exercise.categories[0].name == "Unverified claim"
        assert exercise.articles[0].outlet == "Agency"


def test_only_editors_change_details(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    other = client.application.test_client()
    login(other, "colleague")
    assert other.get(f"/instructor/exercises/{exercise_id}/details").status_code == 404  # a draft is private


def test_dismissed_suggestions_are_kept_and_do_not_touch_scoring(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    found = client.get(f"/instructor/exercises/{exercise_id}/suggestions").get_json()["suggestions"]
    keys = [f"{s['article']}:{s['start']}:{s['end']}:{s['category']}" for s in found[:2]]
    assert dismiss(client, exercise_id, {"keys": keys, "dismissed": True}).get_json() == {"dismissed": sorted(keys)}
    editor = client.get(f"/instructor/exercises/{exercise_id}/key").get_data(as_text=True)
    assert keys[0] in editor  # handed to the script in the editor's state
    assert dismiss(client, exercise_id, {"keys": keys[:1], "dismissed": False}).get_json() == {"dismissed": keys[1:]}
    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        assert exercise.dismissed_suggestions == tuple(keys[1:])
        assert exercise.policy == Policy()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"keys": "a:1:2:b", "dismissed": True}, "Send JSON"),
        ({"keys": ["a:1:2:b"]}, "Send JSON"),
        ({"keys": ["wire-report:1:x:unverified"], "dismissed": True}, "is not a suggestion key"),
        ({"keys": [7], "dismissed": True}, "7 is not a suggestion key"),
    ],
)
def test_dismissals_reject_bad_input(client: FlaskClient, people: dict[str, Any], payload: Any, message: str) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    response = dismiss(client, exercise_id, payload)
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_the_list_names_each_exercise_s_creator(client: FlaskClient, factory: Factory, people: dict[str, Any]) -> None:
    factory.exercise()
    login(client, "author")
    create_via_browser(client)
    listing = client.get("/instructor/exercises/").get_data(as_text=True)
    assert "Author (you)" in listing and "shipped package" in listing
    admin = client.application.test_client()
    login(admin, "boss")
    assert "<td>Author</td>" in admin.get("/instructor/exercises/").get_data(as_text=True)


def test_confidence_is_off_by_default_and_a_checkbox_turns_it_on_and_off(
    app: Flask, client: FlaskClient, people: dict[str, Any]
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    form = client.get(f"/instructor/exercises/{exercise_id}/details").get_data(as_text=True)
    assert 'type="checkbox"' in form and "Ask trainees how sure they are of each flag" in form
    assert re.search(r'<input aria-describedby="asks_confidence-help" id="asks_confidence"', form)  # not checked
    assert post_details(client, exercise_id, details_form(exercise_id, asks_confidence="y")).status_code == 302
    with app.app_context():
        assert db.session().get(Exercise, exercise_id).asks_confidence is True
    form = client.get(f"/instructor/exercises/{exercise_id}/details").get_data(as_text=True)
    assert re.search(r'<input aria-describedby="asks_confidence-help" checked id="asks_confidence"', form)
    assert post_details(client, exercise_id, details_form(exercise_id)).status_code == 302
    with app.app_context():
        assert db.session().get(Exercise, exercise_id).asks_confidence is False
