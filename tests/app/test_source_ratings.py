"""Source ratings before submitting, the article header, and what the debrief says about them."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app import db, grading
from app.formatting import long_date, whole_score
from app.models import Assignment, Attempt, Score, SourceRating
from tests.app.trainee_desk import Desk, open_desk
from tests.conftest import Factory, csrf_token
from tests.rated_exercise import MINI_TRACING, rate_sources, rating_form


@pytest.fixture
def desk(app: Flask, factory: Factory) -> Desk:
    desk = open_desk(app, factory)
    rate_sources(app, desk.exercise_id)
    return desk


def submit_url(desk: Desk) -> str:
    return f"/attempts/{desk.attempt_id}/submit"


def post_submit(desk: Desk, data: dict[str, str]) -> tuple[int, str]:
    response = desk.client.post(submit_url(desk), data={"csrf_token": csrf_token(desk.client, "/exercises"), **data})
    return response.status_code, response.get_data(as_text=True)


def stored_ratings(app: Flask, attempt_id: int) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session().scalars(select(SourceRating).where(SourceRating.attempt_id == attempt_id))
        return [(row.article_ref, row.reliability, row.credibility, row.reason) for row in rows]


@pytest.mark.parametrize(
    ("value", "expected"), [(62.5, 63), (62.49, 62), (0.5, 1), (1.5, 2), (2.5, 3), (100.0, 100), (0.0, 0), (75.6, 76)]
)
def test_scores_round_half_up(value: float, expected: int) -> None:
    assert whole_score(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("2018-02-07", "7 Feb 2018"), ("2026-12-02", "2 Dec 2026"), ("", "not stated")]
)
def test_dates_read_as_day_month_year(value: str, expected: str) -> None:
    assert long_date(value) == expected


def test_the_article_header_labels_dates_and_shows_provenance_escaped(app: Flask, desk: Desk) -> None:
    text = desk.client.get(f"/attempts/{desk.attempt_id}").get_data(as_text=True)
    assert '<span class="byline">By A. Reporter</span>' in text
    assert '<span class="outlet">Test Wire</span>' in text
    assert "Event: 7 Feb 2018 · Published: 14 Feb 2018" in text
    assert "Event: 7 Feb 2018 · Published: not stated" in text
    assert "<summary>Where this text comes from</summary>" in text
    assert "<p>Written for the test suite; unsigned.</p>" in text


def test_the_submit_page_asks_for_a_rating_of_each_rated_article(desk: Desk) -> None:
    text = desk.client.get(submit_url(desk)).get_data(as_text=True)
    assert "Rate each source" in text
    assert "<legend>A short wire report</legend>" in text and "<legend>A short tabloid report</legend>" in text
    for words in (
        "A – completely reliable",
        "F – reliability cannot be judged",
        "1 – confirmed",
        "6 – truth cannot be judged",
    ):
        assert words in text
    assert 'name="ratings-1-reason"' in text and 'name="ratings-2-reason"' not in text
    assert "Submit my flags and ratings" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ratings-0-reliability": ""}, "Choose how reliable the source is, A to F."),
        ({"ratings-1-reliability": "G"}, "Choose how reliable the source is, A to F."),
        ({"ratings-0-credibility": "7"}, "Choose how credible the information is, 1 to 6."),
        ({"ratings-1-credibility": ""}, "Choose how credible the information is, 1 to 6."),
        ({"ratings-0-reason": "   "}, "Give a one-line reason for this rating."),
        ({"ratings-1-reason": "x" * 301}, "Keep the reason to 300 characters or fewer."),
    ],
)
def test_a_bad_rating_is_a_400_that_says_what_is_wrong_and_stores_nothing(
    app: Flask, desk: Desk, change: dict[str, str], message: str
) -> None:
    desk.create()
    status, text = post_submit(desk, {**rating_form(), **change})
    assert status == 400
    assert message in text
    assert "Please correct the fields marked below." in text
    assert stored_ratings(app, desk.attempt_id) == []
    with app.app_context():
        assert db.session().get(Attempt, desk.attempt_id).submitted_at is None


def test_a_missing_rating_is_refused(app: Flask, desk: Desk) -> None:
    form = {name: value for name, value in rating_form().items() if not name.startswith("ratings-1-")}
    status, text = post_submit(desk, form)
    assert status == 400
    assert "Give a one-line reason for this rating." in text
    assert stored_ratings(app, desk.attempt_id) == []


def test_ratings_are_stored_and_scored_with_the_submission(app: Flask, desk: Desk) -> None:
    desk.create()
    status, _ = post_submit(desk, {**rating_form(), "ratings-1-reason": "  Unsigned.  "})
    assert status == 302
    assert stored_ratings(app, desk.attempt_id) == [
        ("mini-a", "C", "2", "Named wire reporter, attributed figures."),
        ("mini-b", "E", "5", "Unsigned."),
    ]
    with app.app_context():
        score = db.session().scalar(select(Score).where(Score.attempt_id == desk.attempt_id))
        # mini-a: C and 2 both in range (1 point); mini-b: E in range, 5 not (half a point).
        assert score.report["totals"]["rating_credit"] == pytest.approx(1.5)


def test_a_failing_score_rolls_the_ratings_back(app: Flask, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("scoring failed")

    monkeypatch.setattr("app.trainee.submission.score_attempt", fail)
    with pytest.raises(RuntimeError):
        post_submit(desk, rating_form())
    assert stored_ratings(app, desk.attempt_id) == []


def test_an_exercise_without_rated_sources_submits_as_before(app: Flask, factory: Factory) -> None:
    desk = open_desk(app, factory, "uma")
    text = desk.client.get(submit_url(desk)).get_data(as_text=True)
    assert "Rate each source" not in text
    status, _ = post_submit(desk, {})
    assert status == 302
    debrief = desk.client.get(f"/attempts/{desk.attempt_id}/debrief").get_data(as_text=True)
    assert "Source judgement" not in debrief and "Source ratings" not in debrief
    assert "How a professional would trace this text" not in debrief


def debrief_of(desk: Desk) -> str:
    response = desk.client.get(f"/attempts/{desk.attempt_id}/debrief")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_debrief_shows_source_judgement_tracing_and_rating_credit(desk: Desk) -> None:
    post_submit(desk, rating_form())
    text = debrief_of(desk)
    assert re.search(r'<th scope="row">Source ratings</th><td class="num">1\.50</td>', text)
    assert "Source judgement" in text
    assert "C2 (fairly reliable; probably true)" in text
    assert "<q>Named wire reporter, attributed figures.</q>" in text
    assert "B2 (usually reliable; probably true)" in text
    assert "reliability B or C (yours is in range)" in text
    assert "reliability D, E or F (yours is in range)" in text and "credibility 4 (yours is not)" in text
    assert "1.00 of 1.00 points" in text and "0.50 of 1.00 points" in text
    # The instructor's reasoning and the tracing note are text, never markup.
    assert "Unsigned &lt;b&gt;tabloid&lt;/b&gt;: no record to judge." in text
    assert "How a professional would trace this text" in text
    assert html.escape(MINI_TRACING, quote=False) in text
    assert text.count("How a professional would trace this text") == 1


def test_work_closed_at_the_deadline_has_no_ratings_and_the_debrief_says_so(app: Flask, desk: Desk) -> None:
    desk.create()
    with app.app_context():
        session = db.session()
        assignment = session.get(Assignment, (desk.cohort.id, desk.exercise_id))
        assignment.deadline = session.get(Attempt, desk.attempt_id).started_at - timedelta(minutes=1)
        session.commit()
    text = debrief_of(desk)
    assert text.count("None given. Work submitted at the deadline goes in without ratings") == 2
    assert stored_ratings(app, desk.attempt_id) == []


def test_a_rescored_debrief_says_from_what_to_what_when_and_why(app: Flask, desk: Desk) -> None:
    desk.create()
    post_submit(desk, rating_form())
    with app.app_context():
        session = db.session()
        attempt = session.get(Attempt, desk.attempt_id)
        version = grading.current_key_version(session, desk.exercise_id)
        grading.add_key_version(
            session,
            attempt.exercise,
            tuple(item for item in version.items if item.quote != "reportedly"),
            origin="editor",
            note="dropped an item",
        )
        session.commit()
        before, after = (
            score.score
            for score in session.scalars(select(Score).where(Score.attempt_id == desk.attempt_id).order_by(Score.id))
        )
        when = session.scalars(select(Score.created_at).where(Score.is_current.is_(True))).one()
    assert whole_score(before) != whole_score(after)
    text = debrief_of(desk)
    expected = f"Your score changed from {whole_score(before)} to {whole_score(after)} on {long_date(when)}: Key version 2: dropped an item"
    assert expected in html.unescape(text)
