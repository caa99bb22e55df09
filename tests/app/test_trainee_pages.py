"""Trainee pages: my exercises, the workspace, flagging without JavaScript, submitting, the debrief."""

from __future__ import annotations

import html
import json
import math
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import db
from app.formatting import points, whole_percent, whole_score
from app.models import Assignment, AttemptGrant, Exercise, ExerciseState, utcnow
from tests.app.trainee_desk import NBSP_TEXT, Desk, article_text, open_desk
from tests.conftest import Factory, csrf_token, login

KEY_EXPLANATIONS = ("Reported by whom?", "Nothing contradicts it.", "A label that takes a side.")


@pytest.fixture
def desk(app: Flask, factory: Factory) -> Desk:
    return open_desk(app, factory)


def page(desk: Desk, url: str) -> str:
    response = desk.client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def update_exercise(app: Flask, exercise_id: int, **values: object) -> None:
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, exercise_id)
        for name, value in values.items():
            setattr(exercise, name, value)
        session.commit()


def test_home_shows_each_status(app: Flask, factory: Factory) -> None:
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    factory.user("tina", cohort=cohort)
    client = app.test_client()
    login(client, "tina")
    assert "Not started" in client.get("/exercises").get_data(as_text=True)
    desk = open_desk(app, factory, "omar", cohort=cohort)
    desk.create()
    assert "In progress: 1 flag" in page(desk, "/exercises")
    desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    text = page(desk, "/exercises")
    assert re.search(r"Submitted: score \d+ / 100", text)
    assert f'href="/attempts/{desk.attempt_id}/debrief"' in text
    assert exercise.title in text


def test_home_shows_the_deadline(app: Flask, desk: Desk) -> None:
    with app.app_context():
        session = db.session()
        assignment = session.scalar(select(Assignment).where(Assignment.exercise_id == desk.exercise_id))
        assignment.deadline = utcnow() - timedelta(days=1)
        session.commit()
    text = page(desk, "/exercises")
    assert "deadline passed" in text and " UTC" in text


@pytest.mark.parametrize(
    "values",
    [
        {"state": ExerciseState.DRAFT},
        {"state": ExerciseState.CLOSED},
        {"available_from": utcnow() + timedelta(days=1)},
        {"available_until": utcnow() - timedelta(minutes=1)},
    ],
    ids=["draft", "closed", "not-yet", "ended"],
)
def test_only_open_exercises_are_listed_and_workable(app: Flask, desk: Desk, values: dict[str, object]) -> None:
    update_exercise(app, desk.exercise_id, **values)
    assert "Mini exercise" not in page(desk, "/exercises")
    assert desk.client.get(f"/attempts/{desk.attempt_id}").status_code == 409
    assert (
        desk.client.post(f"/exercises/{desk.exercise_id}/attempts", data={"csrf_token": desk.token}).status_code == 404
    )
    assert desk.create().status_code == 409


def test_starting_twice_resumes_the_same_attempt(desk: Desk) -> None:
    again = desk.client.post(f"/exercises/{desk.exercise_id}/attempts", data={"csrf_token": desk.token})
    assert again.headers["Location"] == f"/attempts/{desk.attempt_id}"


def test_a_granted_attempt_can_be_started_after_submitting(app: Flask, desk: Desk) -> None:
    desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    refused = desk.client.post(
        f"/exercises/{desk.exercise_id}/attempts", data={"csrf_token": desk.token}, follow_redirects=True
    )
    assert "every attempt allowed" in refused.get_data(as_text=True)
    with app.app_context():
        session = db.session()
        user_id = desk.attempt().user_id
        session.add(AttemptGrant(user_id=user_id, exercise_id=desk.exercise_id))
        session.commit()
    assert "Start attempt 2" in page(desk, f"/attempts/{desk.attempt_id}/debrief")
    second = desk.client.post(f"/exercises/{desk.exercise_id}/attempts", data={"csrf_token": desk.token})
    assert second.status_code == 302 and second.headers["Location"] != f"/attempts/{desk.attempt_id}"
    assert "Attempt 2 of 2" in page(desk, second.headers["Location"])


def test_the_workspace_shows_the_articles_as_single_text_nodes(app: Flask, desk: Desk) -> None:
    desk.create()
    text = page(desk, f"/attempts/{desk.attempt_id}")
    for ref in ("mini-a", "mini-b"):
        match = re.search(rf'<div class="article-text" id="text-{ref}"[^>]*>(.*?)</div>', text, re.DOTALL)
        assert match and html.unescape(match.group(1)) == article_text(app, ref)
        assert "<" not in match.group(1)
    assert "By A. Reporter" in text and "Test Tabloid" in text and "Event: 7 Feb 2018" in text
    for key, name in enumerate(("Unverified claim", "Conflicting number", "Loaded framing"), start=1):
        assert re.search(
            rf'<button type="button" class="category-button cat-\d" data-category="\w+" aria-keyshortcuts="{key}">'
            rf'<kbd class="hotkey" aria-hidden="true">{key}</kbd> {name}</button>',
            text,
        )
    assert '<details class="card briefing"' in text
    data = json.loads(
        re.search(r'<script type="application/json" id="workspace-data">(.*?)</script>', text, re.DOTALL).group(1)
    )
    assert data["revision"] == 1 and [flag["client_id"] for flag in data["flags"]] == ["c1"]
    assert data["flagsUrl"] == f"/api/attempts/{desk.attempt_id}/flags"


def test_the_workspace_has_a_status_bar_a_link_to_list_and_a_flag_list_per_article(desk: Desk) -> None:
    text = page(desk, f"/attempts/{desk.attempt_id}")
    bar = re.search(r'<div class="status-bar" id="status-bar">(.*?)</div>', text, re.DOTALL)
    assert bar, "no status bar"
    assert 'id="save-status"' in bar.group(1) and 'id="sync-notice"' in bar.group(1)
    assert (
        f'<a id="review-link" class="button primary" href="/attempts/{desk.attempt_id}/submit">Review and submit</a>'
        in bar.group(1)
    )
    assert re.search(r'<fieldset id="toolbar-links" class="toolbar-links" hidden>\s*<legend>Link to:</legend>', text)
    assert "used when you choose Conflicting number" in text
    for ref, title in (("mini-a", "A short wire report"), ("mini-b", "A short tabloid report")):
        assert (
            f'<ul class="visually-hidden flagged-words" id="flagged-{ref}" aria-label="Flagged in {title}" hidden></ul>'
            in text
        )


def test_the_workspace_never_carries_the_key(desk: Desk) -> None:
    text = page(desk, f"/attempts/{desk.attempt_id}")
    for explanation in KEY_EXPLANATIONS:
        assert explanation not in text
    assert "decoy" not in text.lower()
    assert "<script>" not in text and " style=" not in text


def test_the_debrief_is_forbidden_before_submission(desk: Desk) -> None:
    response = desk.client.get(f"/attempts/{desk.attempt_id}/debrief")
    assert response.status_code == 403
    assert "once you submit" in response.get_data(as_text=True)
    for explanation in KEY_EXPLANATIONS:
        assert explanation not in response.get_data(as_text=True)


def quote_form(desk: Desk, **fields: str) -> tuple[int, str]:
    data = {"csrf_token": desk.token, "article": "mini-a", "category": "conflicting_number", "note": "", **fields}
    response = desk.client.post(f"/attempts/{desk.attempt_id}/flags", data=data, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_flagging_by_quote_without_javascript(app: Flask, desk: Desk) -> None:
    status, text = quote_form(desk, quote="about 500 fighters", note="vs 550")
    assert status == 200 and "Flag added." in text
    (flag,) = desk.flags()
    start = article_text(app, "mini-a").index(NBSP_TEXT)
    assert (flag.start, flag.end, flag.quote, flag.note) == (start, start + len(NBSP_TEXT), NBSP_TEXT, "vs 550")
    assert desk.attempt().revision == 1
    # Curly quotes typed straight, and an en dash typed as a hyphen, are found too.
    assert quote_form(desk, quote='"pro-democracy rebels"', category="loaded_framing")[0] == 200
    assert quote_form(desk, article="mini-b", quote="three-hour battle")[0] == 200
    assert [flag.quote for flag in desk.flags()][1:] == ["“pro-democracy rebels”", "three–hour battle"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quote": "the"}, "occurs 3 times in the article. Add a few words"),
        ({"quote": "600 fighters"}, "This text is not in the article."),
        ({"quote": ""}, "Quote the words you want to flag."),
        ({"quote": "reportedly", "category": "rumour"}, "Not a valid choice"),
        ({"quote": "reportedly", "article": "mini-z"}, "Not a valid choice"),
        ({"quote": "reportedly", "note": "x" * 1001}, "Field cannot be longer than 1000 characters."),
    ],
)
def test_quote_form_errors(desk: Desk, fields: dict[str, str], message: str) -> None:
    status, text = quote_form(desk, **fields)
    assert status == 400
    assert message in html.unescape(text)
    assert desk.flags() == []


def test_deleting_without_javascript(desk: Desk) -> None:
    desk.create()
    (flag,) = desk.flags()
    response = desk.client.post(
        f"/attempts/{desk.attempt_id}/flags/{flag.id}/delete", data={"csrf_token": desk.token}, follow_redirects=True
    )
    assert "Flag deleted." in response.get_data(as_text=True)
    assert desk.flags() == []
    missing = desk.client.post(f"/attempts/{desk.attempt_id}/flags/{flag.id}/delete", data={"csrf_token": desk.token})
    assert missing.status_code == 404


def test_submit_confirms_counts_then_is_final(desk: Desk) -> None:
    desk.create()
    desk.create(client_id="c2", quote="four hours", category="conflicting_number")
    confirm = page(desk, f"/attempts/{desk.attempt_id}/submit")
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", confirm))
    assert rows == {"Unverified claim": "1", "Conflicting number": "1", "Loaded framing": "0"}
    assert "A submission is final." in confirm
    response = desk.client.post(
        f"/attempts/{desk.attempt_id}/submit", data={"csrf_token": csrf_token(desk.client, "/exercises")}
    )
    assert response.headers["Location"] == f"/attempts/{desk.attempt_id}/debrief"
    assert desk.client.get(f"/attempts/{desk.attempt_id}").headers["Location"] == f"/attempts/{desk.attempt_id}/debrief"
    assert desk.create(client_id="c3", quote="550 men", article="mini-b").status_code == 409


def test_the_debrief_shows_score_overlays_explanations_and_groups(desk: Desk) -> None:
    desk.create(client_id="a500", quote=NBSP_TEXT, category="conflicting_number", note="500 or 550?")
    desk.create(client_id="b550", article="mini-b", quote="550 men", category="conflicting_number", links=["a500"])
    desk.create(client_id="fp", quote="held the ridge", category="unverified", note="says who")
    desk.create(client_id="decoy", quote="40 Americans", category="conflicting_number")
    desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    text = page(desk, f"/attempts/{desk.attempt_id}/debrief")
    assert re.search(r'Score: <span class="score">\d+</span> / 100', text)
    assert "Scored against key version 1" in text
    assert re.search(
        r'<mark class="key key-found mine mine-matched" [^>]*><span class="visually-hidden">Note \d, Found, Conflicting number: </span>about\xa0500 fighters</mark>',
        text,
    )
    assert re.search(
        r'<mark class="key key-missed" [^>]*><span class="visually-hidden">Note \d, Missed, Unverified claim: </span>reportedly</mark>',
        text,
    )
    assert re.search(
        r'<mark class="mine mine-not_in_key" [^>]*><span class="visually-hidden">Note \d, False positive, Unverified claim: </span>held the ridge</mark>',
        text,
    )
    assert "key-decoy_flagged" in text and "Decoy flagged" in text
    for explanation in KEY_EXPLANATIONS:
        assert explanation in html.unescape(text)
    assert "Your note: says who" in text
    assert "Size of the attacking force" in text
    assert "linked 1 pair" in text
    assert '<th scope="row">Conflicting number</th>' in text
    # Flag ids in the engine's reasons are shown as the words flagged.
    assert "'a500'" not in html.unescape(text)


class _Visible(HTMLParser):
    """The text a reader sees: text nodes only, no attributes, no script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    parser = _Visible()
    parser.feed(markup)
    return " ".join(parser.parts)


def _submitted_debrief(desk: Desk) -> str:
    desk.create(client_id="a500", quote=NBSP_TEXT, category="conflicting_number")
    desk.create(client_id="b550", article="mini-b", quote="550 men", category="unverified")
    desk.create(client_id="near", article="mini-b", quote="battle", category="loaded_framing")
    desk.create(client_id="fp", quote="held the ridge", category="unverified")
    desk.create(client_id="decoy", quote="40 Americans", category="conflicting_number")
    desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    return page(desk, f"/attempts/{desk.attempt_id}/debrief")


def test_the_debrief_opens_with_what_to_learn_in_plain_words(desk: Desk) -> None:
    text = html.unescape(_submitted_debrief(desk))
    summary = text[text.index("What to learn") : text.index('id="score-heading')]
    assert "What went well" in summary and "You found 2 of 7 key items" in summary
    assert "What cost the most points" in summary
    assert "1 near miss: the flag touched a key item but not the words that carry the problem" in summary
    assert "1 flag was on the right words but under another category" in summary
    assert "What was missed" in summary and "One example of each:" in summary
    assert '<q>reportedly</q> <span class="muted">· Unverified claim</span>' in summary


def test_no_internal_id_reaches_the_page(desk: Desk) -> None:
    seen = visible_text(_submitted_debrief(desk))
    for internal in (
        "force-500",
        "force-550",
        "duration-four",
        "duration-three",
        "brutal-regime",
        "americans-40",
        "conflicting_number",
        "loaded_framing",
        "'force'",
        "'duration'",
        "“force”",
        "'a500'",
        "'b550'",
        "'fp'",
        "'decoy'",
    ):
        assert internal not in seen, internal
    assert "Size of the attacking force" in seen


def test_the_filter_row_is_a_radio_group_left_hidden_until_the_script_runs(desk: Desk) -> None:
    text = _submitted_debrief(desk)
    fieldset = re.search(r'<fieldset class="debrief-filter" data-filter hidden>.*?</fieldset>', text, re.DOTALL).group(
        0
    )
    labels = re.findall(
        r'<input type="radio" name="show-\d+" value="(\w+)"( checked)?> ([^<]+) <span class="count">\((\d+)\)', fieldset
    )
    assert [(value, checked, label) for value, checked, label, _ in labels] == [
        ("default", " checked", "My flags and what I missed"),
        ("mine", "", "My flags"),
        ("missed", "", "Missed"),
        ("false", "", "False positives"),
        ("decoys", "", "Decoys"),
        ("all", "", "All"),
    ]
    counts = {value: int(count) for value, _, _, count in labels}
    assert counts["all"] == len(re.findall(r'<li id="note-', text))
    assert counts == {"default": 11, "mine": 6, "missed": 5, "false": 3, "decoys": 2, "all": 11}, counts
    # Without the script every note is listed, each tagged with the filters it shows under.
    assert 'data-shows="missed"' in text and 'data-shows="mine false decoys"' in text


def test_every_score_is_rounded_half_up_and_the_rule_is_stated(desk: Desk) -> None:
    text = _submitted_debrief(desk)
    assert "Scores are rounded to whole points, halves up" in text
    assert not re.search(r"\d\.\d{3}", visible_text(text))
    for percentage in re.findall(r'<td class="num">(\d+)%</td>', text):
        assert 0 <= int(percentage) <= 100
    # The tables scroll in their own box (the discernment table among them).
    assert text.count('<div class="table-scroll"><table class="data') == 4
    # The JSON report shows the score as the page does.
    shown = int(re.search(r'Score: <span class="score">(\d+)</span>', text).group(1))
    report = desk.api("GET", f"/api/attempts/{desk.attempt_id}/report").get_json()
    assert report["score_shown"] == shown == whole_score(report["score"])


@pytest.mark.parametrize(
    ("value", "score", "shown_points", "percent"),
    [
        (62.5, 63, "62.50", 6250),
        (1.925, 2, "1.93", 193),
        (0.285, 0, "0.29", 29),
        (0.005, 0, "0.01", 1),
        (2.5, 3, "2.50", 250),
    ],
)
def test_scores_points_and_percentages_round_half_up(value: float, score: int, shown_points: str, percent: int) -> None:
    assert whole_score(value) == score
    assert points(value) == shown_points
    assert whole_percent(value) == percent


HALVES = st.integers(-(2**53), 2**53).map(lambda twice: twice / 2)
"""Whole numbers and halves, up to where floats stop holding halves."""
NEAR_HALVES = HALVES.flatmap(
    lambda half: st.sampled_from([half, math.nextafter(half, -math.inf), math.nextafter(half, math.inf)])
)


@given(st.floats(-(2.0**60), 2.0**60) | HALVES | NEAR_HALVES | st.integers(-(2**60), 2**60))
def test_whole_score_is_the_decimal_rule(value: float) -> None:
    """Rounded as the decimal number written (its repr), half away from zero."""
    assert whole_score(value) == int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
