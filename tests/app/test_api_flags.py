"""The flags API: offsets in code points, validation, idempotent replays, revisions, limits, IDOR."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import db
from app.models import Role, Score
from app.trainee import flags
from tests.app.trainee_desk import NBSP_TEXT, Desk, article_text, flag_body, open_desk
from tests.conftest import Factory, csrf_token, login


@pytest.fixture
def desk(app: Flask, factory: Factory) -> Desk:
    return open_desk(app, factory)


def test_create_lists_and_bumps_the_revision(desk: Desk) -> None:
    response = desk.create(note="Who reported it?")
    assert response.status_code == 201
    body = response.get_json()
    assert body["revision"] == 1 and body["changed"] is True
    assert body["flag"] == {
        "client_id": "c1",
        "article": "mini-a",
        "start": 68,
        "end": 78,
        "quote": "reportedly",
        "category": "unverified",
        "note": "Who reported it?",
        "links": [],
    }
    listed = desk.api("GET", desk.flags_url).get_json()
    assert listed == {"attempt_id": desk.attempt_id, "revision": 1, "submitted": False, "flags": [body["flag"]]}


def test_offsets_after_a_no_break_space_are_code_points(desk: Desk, app: Flask) -> None:
    text = article_text(app, "mini-a")
    start = text.index(NBSP_TEXT)
    # What a browser sends for its selection: the quote as the DOM has it, NBSP included.
    response = desk.create(quote=NBSP_TEXT, category="conflicting_number")
    assert response.status_code == 201, response.get_json()
    (flag,) = desk.flags()
    assert (flag.start, flag.end, flag.quote) == (start, start + len(NBSP_TEXT), NBSP_TEXT)


def test_a_typed_quote_with_a_plain_space_is_folded(desk: Desk, app: Flask) -> None:
    text = article_text(app, "mini-a")
    start = text.index(NBSP_TEXT)
    body = flag_body(app, quote=NBSP_TEXT, category="conflicting_number")
    body["quote"] = "about 500 fighters"
    assert desk.api("POST", desk.flags_url, body).status_code == 201
    (flag,) = desk.flags()
    assert (flag.start, flag.quote) == (start, NBSP_TEXT)


def test_offsets_after_an_emoji_are_code_points(desk: Desk, app: Flask) -> None:
    text = article_text(app, "mini-b")
    start = text.index("described")
    assert text[start - 2] == "\U0001f642"
    response = desk.create(article="mini-b", quote="described", category="unverified")
    assert response.status_code == 201
    (flag,) = desk.flags()
    assert (flag.start, flag.end, flag.quote) == (start, start + 9, "described")


def test_utf16_offsets_by_mistake_are_re_anchored_by_the_quote(desk: Desk, app: Flask) -> None:
    text = article_text(app, "mini-b")
    start = text.index("described")
    utf16_start = len(text[:start].encode("utf-16-le")) // 2
    assert utf16_start == start + 1
    body = flag_body(app, article="mini-b", quote="described", start=utf16_start, end=utf16_start + 9)
    assert desk.api("POST", desk.flags_url, body).status_code == 201
    assert (desk.flags()[0].start, desk.flags()[0].quote) == (start, "described")


def test_a_replayed_create_is_idempotent(desk: Desk) -> None:
    first = desk.create()
    again = desk.create()
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["changed"] is False
    assert again.get_json()["revision"] == 1
    assert len(desk.flags()) == 1


INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"client_id": None}, "client_id", "client_id must be 1-64 letters"),
    ({"client_id": "has space"}, "client_id", "client_id must be 1-64 letters"),
    ({"article": "mini-z"}, "article", "Unknown article 'mini-z'"),
    ({"start": "60"}, "start", "start must be a whole number"),
    ({"start": True}, "start", "start must be a whole number"),
    ({"start": 60.0}, "start", "start must be a whole number"),
    ({"start": -1}, "start", "start must not be negative"),
    ({"start": 70, "end": 60}, "end", "end must be greater than start"),
    ({"start": 60, "end": 60}, "end", "end must be greater than start"),
    ({"end": 10_000}, "end", "end is past the end of the article"),
    ({"quote": ""}, "quote", "quote must not be empty"),
    ({"quote": 7}, "quote", "quote must be text"),
    ({"quote": "not in the text"}, "quote", "The quote was not found in the article"),
    ({"category": "rumour"}, "category", "Unknown category 'rumour'"),
    ({"category": None}, "category", "category is required"),
    ({"note": "x" * 1001}, "note", "note is too long: at most 1000 characters"),
    ({"note": ["a"]}, "note", "note must be text"),
    ({"prefix": "x" * 201}, "prefix", "prefix is too long"),
    ({"links": "c2"}, "links", "links must be a list"),
    ({"links": ["c9"]}, "links", "Only a Conflicting number flag can be linked"),
    ({"colour": "red"}, "colour", "Unknown field."),
]


@pytest.mark.parametrize(
    ("change", "field", "message"), INVALID, ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(INVALID)]
)
def test_invalid_creates_say_what_is_wrong_and_change_nothing(
    desk: Desk, app: Flask, change: dict[str, Any], field: str, message: str
) -> None:
    body = {**flag_body(app), **change}
    response = desk.api("POST", desk.flags_url, body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["status"] == 400 and payload["error"]
    assert any(message in text for text in payload["fields"][field]), payload
    assert desk.flags() == []
    assert desk.attempt().revision == 0


def test_every_problem_is_reported_at_once(desk: Desk, app: Flask) -> None:
    body = {**flag_body(app), "note": 5, "start": 70, "end": 60, "category": "rumour", "colour": "red"}
    response = desk.api("POST", desk.flags_url, body)
    assert response.status_code == 400
    assert response.get_json()["fields"] == {
        "note": ["note must be text."],
        "end": ["end must be greater than start."],
        "category": ["Unknown category 'rumour'; expected one of: unverified, conflicting_number, loaded_framing."],
        "colour": ["Unknown field."],
    }


def test_a_missing_field_is_reported(desk: Desk, app: Flask) -> None:
    body = flag_body(app)
    del body["start"]
    response = desk.api("POST", desk.flags_url, body)
    assert response.status_code == 400
    assert response.get_json()["fields"]["start"] == ["start is required."]


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        ("{not json", "application/json", "The body is not valid JSON."),
        ("[1, 2]", "application/json", "The body must be a JSON object."),
        ("null", "application/json", "The body must be a JSON object."),
        (
            "client_id=c1",
            "application/x-www-form-urlencoded",
            "Send a JSON object with Content-Type: application/json.",
        ),
    ],
)
def test_malformed_bodies_are_400_json(desk: Desk, data: str, content_type: str, message: str) -> None:
    response = desk.client.post(
        desk.flags_url, data=data, content_type=content_type, headers={"X-CSRFToken": desk.token}
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == message
    assert desk.flags() == []


def test_a_body_over_64_kb_is_413_json(desk: Desk, app: Flask) -> None:
    body = flag_body(app, note="x" * 70_000)
    response = desk.api("POST", desk.flags_url, body)
    assert response.status_code == 413
    assert response.get_json()["error"] == "The request is too large."


def test_without_the_csrf_header_nothing_is_saved(desk: Desk, app: Flask) -> None:
    response = desk.client.post(desk.flags_url, json=flag_body(app))
    assert response.status_code == 400
    assert "security token" in response.get_json()["error"]
    assert desk.flags() == []


def test_the_flag_limit(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flags, "MAX_FLAGS", 1)
    assert desk.create().status_code == 201
    response = desk.create(client_id="c2", quote="four hours", category="conflicting_number")
    assert response.status_code == 400
    assert "already has 1 flags" in response.get_json()["error"]


def test_changes_that_do_not_apply_leave_the_attempt_as_it_was(
    desk: Desk, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each is refused (or replayed) after the save's revision bump was tried: nothing of it stays."""
    assert desk.create().status_code == 201
    before = desk.attempt()
    answers = {
        "link to itself": desk.create(client_id="c5", quote="four hours", category="conflicting_number", links=["c5"])
    }
    monkeypatch.setattr(flags, "MAX_FLAGS", 1)
    answers |= {
        "replay": desk.create(),
        "same client id, other note": desk.create(note="other"),
        "quote not in the text": desk.api(
            "POST", desk.flags_url, {**flag_body(app, client_id="c2"), "quote": "not in the text"}
        ),
        "over the limit": desk.create(client_id="c3", quote="four hours", category="conflicting_number"),
        "link to no flag": desk.create(client_id="c4", quote="four hours", category="conflicting_number", links=["c9"]),
        "edit of no flag": desk.api("PATCH", f"{desk.flags_url}/c9", {"note": "x"}),
        "edit linking to no flag": desk.api("PATCH", f"{desk.flags_url}/c1", {"links": ["c9"]}),
        "delete of no flag": desk.api("DELETE", f"{desk.flags_url}/c9"),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "link to itself": 400,
        "replay": 200,
        "same client id, other note": 400,
        "quote not in the text": 400,
        "over the limit": 400,
        "link to no flag": 400,
        "edit of no flag": 404,
        "edit linking to no flag": 400,
        "delete of no flag": 404,
    }
    assert answers["replay"].get_json()["revision"] == 1
    assert (
        "already used by a different flag" in answers["same client id, other note"].get_json()["fields"]["client_id"][0]
    )
    assert "already has 1 flags" in answers["over the limit"].get_json()["error"]
    assert answers["link to no flag"].get_json()["fields"]["links"] == ["No flag 'c9' in this attempt."]
    assert answers["link to itself"].get_json()["fields"]["links"] == ["A flag cannot link to itself."]
    assert answers["edit of no flag"].get_json()["error"] == "There is no such flag in this attempt."
    after = desk.attempt()
    assert (after.revision, after.last_activity_at) == (before.revision, before.last_activity_at)
    assert [(flag.client_id, flag.note) for flag in desk.flags()] == [("c1", "")]


def test_update_category_note_and_span(desk: Desk, app: Flask) -> None:
    desk.create(quote="fighters", category="unverified")
    text = article_text(app, "mini-a")
    url = f"{desk.flags_url}/c1"
    response = desk.api("PATCH", url, {"category": "conflicting_number", "note": "500 vs 550"})
    assert response.status_code == 200
    assert response.get_json()["flag"]["category"] == "conflicting_number"
    start = text.index(NBSP_TEXT)
    response = desk.api("PATCH", url, {"start": start, "end": start + len(NBSP_TEXT), "quote": NBSP_TEXT})
    assert response.status_code == 200
    flag = response.get_json()["flag"]
    assert (flag["start"], flag["quote"], flag["note"]) == (start, NBSP_TEXT, "500 vs 550")
    assert response.get_json()["revision"] == 3


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, None, "Nothing to change"),
        ({"start": 0}, "quote", "quote is required."),
        ({"note": "x" * 1001}, "note", "at most 1000 characters"),
        ({"category": "rumour"}, "category", "Unknown category"),
        ({"links": ["c1"]}, "links", "Only a Conflicting number flag"),
        ({"article": "mini-b"}, "article", "Unknown field."),
        ({"note": None}, "note", "note must not be null; leave it out to keep it as it is."),
        ({"links": ["c1"] * 51}, "links", "A flag can link to at most 50 others."),
        ({"quote": "   ", "start": 0, "end": 3}, "quote", "quote must not be empty."),
    ],
)
def test_invalid_updates(desk: Desk, body: dict[str, Any], field: str | None, message: str) -> None:
    desk.create()
    response = desk.api("PATCH", f"{desk.flags_url}/c1", body)
    assert response.status_code == 400
    payload = response.get_json()
    texts = payload["fields"][field] if field else [payload["error"]]
    assert any(message in text for text in texts), payload
    assert desk.attempt().revision == 1


def test_links_between_conflicting_numbers(desk: Desk, app: Flask) -> None:
    desk.create(client_id="a500", quote=NBSP_TEXT, category="conflicting_number")
    response = desk.create(
        client_id="b550", article="mini-b", quote="550 men", category="conflicting_number", links=["a500"]
    )
    assert response.get_json()["flag"]["links"] == ["a500"]
    for links, message in ((["b550"], "cannot link to itself"), (["nope"], "No flag 'nope'")):
        bad = desk.api("PATCH", f"{desk.flags_url}/b550", {"links": links})
        assert bad.status_code == 400 and message in bad.get_json()["fields"]["links"][0]
    # Deleting a flag removes the links to it.
    assert desk.api("DELETE", f"{desk.flags_url}/a500").status_code == 200
    listed = desk.api("GET", desk.flags_url).get_json()
    assert listed["flags"][0]["links"] == []


def test_a_submit_scores_each_flag_with_its_links(desk: Desk, app: Flask) -> None:
    desk.create(client_id="a500", quote=NBSP_TEXT, category="conflicting_number")
    desk.create(client_id="a4h", quote="four hours", category="conflicting_number")
    desk.create(
        client_id="b550", article="mini-b", quote="550 men", category="conflicting_number", links=["a4h", "a500"]
    )
    desk.create(
        client_id="b3h", article="mini-b", quote="three\u2013hour battle", category="conflicting_number", links=["a4h"]
    )
    assert desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit", {}).status_code == 200
    with app.app_context():
        report = db.session().scalars(select(Score.report).where(Score.attempt_id == desk.attempt_id)).one()
    assert [(link["flag_ids"], link["status"], link["group"]) for link in report["links"]] == [
        (["a4h", "b3h"], "correct", "duration"),
        (["a4h", "b550"], "cross_group", None),
        (["a500", "b550"], "correct", "force"),
    ]
    assert report["totals"]["correct_links"] == 2


def test_a_category_without_groups_drops_links(desk: Desk) -> None:
    desk.create(client_id="a500", quote=NBSP_TEXT, category="conflicting_number")
    desk.create(client_id="b550", article="mini-b", quote="550 men", category="conflicting_number", links=["a500"])
    response = desk.api("PATCH", f"{desk.flags_url}/b550", {"category": "unverified"})
    assert response.get_json()["flag"]["links"] == []


def test_delete_and_a_repeated_delete(desk: Desk) -> None:
    desk.create()
    assert desk.api("DELETE", f"{desk.flags_url}/c1").get_json() == {"revision": 2, "changed": True}
    assert desk.api("DELETE", f"{desk.flags_url}/c1").status_code == 404
    assert desk.flags() == []


def test_two_tabs_the_later_change_wins_and_revisions_tell(desk: Desk, app: Flask) -> None:
    other_tab = app.test_client()
    login(other_tab, "tina")
    tab_b = Desk(app, other_tab, csrf_token(other_tab, "/exercises"), desk.exercise_id, desk.attempt_id, desk.cohort)
    assert desk.create().get_json()["revision"] == 1
    assert tab_b.api("PATCH", f"{desk.flags_url}/c1", {"note": "from tab B"}).get_json()["revision"] == 2
    # Tab A knew revision 1; its next save answers 3, not 2, so it knows it is behind.
    response = desk.api("PATCH", f"{desk.flags_url}/c1", {"note": "from tab A"})
    assert response.get_json()["revision"] == 3
    assert desk.flags()[0].note == "from tab A"
    assert tab_b.api("GET", desk.flags_url).get_json()["revision"] == 3


def test_submit_is_final(desk: Desk) -> None:
    desk.create()
    response = desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    assert response.status_code == 200
    body = response.get_json()
    assert body["debrief_url"] == f"/attempts/{desk.attempt_id}/debrief"
    assert 0 <= body["score"] <= 100
    for method, url, payload in (
        (
            "POST",
            desk.flags_url,
            {**flag_body(desk.app, client_id="c2", quote="four hours", category="conflicting_number")},
        ),
        ("PATCH", f"{desk.flags_url}/c1", {"note": "late"}),
        ("DELETE", f"{desk.flags_url}/c1", None),
        ("POST", f"/api/attempts/{desk.attempt_id}/submit", None),
    ):
        late = desk.api(method, url, payload)
        assert late.status_code == 409, (method, url)
        assert "final" in late.get_json()["error"]
    assert [flag.note for flag in desk.flags()] == [""]


def test_the_report_only_after_submission(desk: Desk) -> None:
    desk.create()
    before = desk.api("GET", f"/api/attempts/{desk.attempt_id}/report")
    assert before.status_code == 403
    assert "explanation" not in before.get_data(as_text=True)
    desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    after = desk.api("GET", f"/api/attempts/{desk.attempt_id}/report").get_json()
    assert after["key_version"] == 1
    assert any(item["explanation"] == "Reported by whom?" for item in after["report"]["items"])


def test_other_trainees_attempts_and_flags_are_404(app: Flask, factory: Factory, desk: Desk) -> None:
    desk.create()
    other = open_desk(app, factory, "omar", cohort=desk.cohort)
    other.create(client_id="theirs")
    mine = desk.attempt_id
    for method, url, body in (
        ("GET", f"/api/attempts/{mine}/flags", None),
        ("POST", f"/api/attempts/{mine}/flags", flag_body(app, client_id="x1")),
        ("PATCH", f"/api/attempts/{mine}/flags/c1", {"note": "mine now"}),
        ("DELETE", f"/api/attempts/{mine}/flags/c1", None),
        ("POST", f"/api/attempts/{mine}/submit", None),
        ("GET", f"/api/attempts/{mine}/report", None),
    ):
        response = other.api(method, url, body)
        assert response.status_code == 404, (method, url)
        assert response.get_json()["error"] == "There is no such attempt."
    # A flag id from another attempt is simply not there.
    assert other.api("PATCH", f"/api/attempts/{other.attempt_id}/flags/c1", {"note": "x"}).status_code == 404
    assert desk.api("PATCH", f"{desk.flags_url}/theirs", {"note": "x"}).status_code == 404
    assert desk.flags()[0].note == ""


def test_anonymous_and_instructors_get_json_errors(app: Flask, factory: Factory, desk: Desk) -> None:
    anonymous = app.test_client().get(desk.flags_url)
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "Please log in."
    factory.user("ines", Role.INSTRUCTOR, teaches=desk.cohort)
    instructor = app.test_client()
    login(instructor, "ines")
    assert instructor.get(desk.flags_url).status_code == 403
