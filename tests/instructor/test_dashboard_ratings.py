"""The dashboard's source judgement, the ceiling beside the grade and the rescore notice, on the
fixed cohort once its exercise asks for source ratings.

Rating the sources adds 2 possible points (one per article) to the 11 of the fixed cohort, and
rescores its three submissions (see dashboard_cohort.py) with the note "Source ratings added":

* alice rated mini-a B2 and mini-b F4, both in range: (6 + 2) / 13, score 61.54;
* bob rated mini-a C3 (in range) and mini-b A1 (neither grade in range);
* carol gave no rating (as work closed at a deadline): 1.5 / 13, score 11.54.

The median goes from carol's 13.64 (alice 54.55, bob 0) to carol's 11.54: "median 14 → 12".
Two blind calibration sets: alice's flags and ratings (8 / 13 → 62), and carol's flags rated
C3 and D4, both in range ((1.5 + 2) / 13 → 27).
"""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import db, grading
from app.cohort_figures.scope import scope_for
from app.formatting import long_date
from app.models import Attempt, Cohort, CountedSubmission, Exercise, Score, SourceRating
from exercises.answers import read_answers, read_ratings
from instructor.dashboard.exports import result_columns
from instructor.dashboard.overview import build_dashboard
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import FLAGS, FixedCohort, build_fixed_cohort
from tests.rated_exercise import rate_sources

RATINGS = {"alice": {"mini-a": ("B", "2"), "mini-b": ("F", "4")}, "bob": {"mini-a": ("C", "3"), "mini-b": ("A", "1")}}
NOTE = "Source ratings added"


def answers(
    flags: list[tuple[str, str, str]], texts: dict[str, str], ratings: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """An answers file (the calibration format) with ``flags`` located in ``texts``."""
    records = []
    for number, (article, quote, category) in enumerate(flags, start=1):
        start = texts[article].index(quote)
        records.append(
            {
                "id": f"f{number}",
                "article": article,
                "start": start,
                "end": start + len(quote),
                "quote": quote,
                "category": category,
            }
        )
    return {
        "flags": records,
        "ratings": [
            {"article": a, "reliability": r, "credibility": c, "reason": "blind"} for a, (r, c) in ratings.items()
        ],
    }


@pytest.fixture
def fixed(app: Flask, factory: Factory) -> FixedCohort:
    fixed = build_fixed_cohort(factory)
    rate_sources(app, fixed.exercise_id)
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, fixed.exercise_id)
        texts = {article.ref: article.text for article in exercise.articles}
        exercise.calibration = [
            {"name": "analyst", "answers": answers(FLAGS["alice"], texts, RATINGS["alice"])},
            {
                "name": "factchecker",
                "answers": answers(FLAGS["carol"], texts, {"mini-a": ("C", "3"), "mini-b": ("D", "4")}),
            },
        ]
        for name, ratings in RATINGS.items():
            attempt = session.get(Attempt, fixed.attempts[name])
            attempt.ratings.extend(
                SourceRating(article_ref=article, reliability=r, credibility=c, reason="because")
                for article, (r, c) in ratings.items()
            )
        session.flush()
        grading.rescore_exercise(session, exercise, note=NOTE)
        session.commit()
    return fixed


@pytest.fixture
def board(app: Flask, fixed: FixedCohort):
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, fixed.cohort_id), fixed.exercise_id)
        key = grading.current_key_version(session, fixed.exercise_id)
        yield build_dashboard(session, scope, key.items, key.ratings)


def grades(counts) -> dict[str, tuple[int, bool, bool]]:
    return {grade.grade: (grade.count, grade.is_key, grade.accepted) for grade in counts}


def test_the_cohort_distribution_of_grades_per_rated_article(board) -> None:
    wire, tabloid = board.ratings
    assert (wire.article, wire.title, wire.unrated) == ("mini-a", "A short wire report", 1)
    assert grades(wire.reliability) == {
        "A": (0, False, False),
        "B": (1, True, True),
        "C": (1, False, True),
        "D": (0, False, False),
        "E": (0, False, False),
        "F": (0, False, False),
    }
    assert grades(wire.credibility)["2"] == (1, True, True) and grades(wire.credibility)["3"] == (1, False, True)
    assert grades(tabloid.reliability)["F"] == (1, True, True) and grades(tabloid.reliability)["A"] == (1, False, False)
    assert grades(tabloid.credibility)["1"] == (1, False, False) and grades(tabloid.credibility)["4"] == (1, True, True)


def test_the_rescore_is_dated_explained_and_moves_the_median(board) -> None:
    (rescore,) = board.rescores
    assert (rescore.note, rescore.submissions) == (NOTE, 3)
    assert rescore.median_before == pytest.approx(150 / 11)
    assert rescore.median_after == pytest.approx(1.5 / 13 * 100)
    assert sorted(round(row.score, 2) for row in board.trainees.rows if row.score is not None)[1:] == [11.54, 61.54]


def test_no_rescore_no_notice(app: Flask, factory: Factory) -> None:
    fixed = build_fixed_cohort(factory)
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, fixed.cohort_id), fixed.exercise_id)
        board = build_dashboard(session, scope, grading.current_key_version(session, fixed.exercise_id).items)
        replaced = session.scalars(select(CountedSubmission.previous_score)).all()
    assert board.rescores == [] and board.ratings == []
    assert replaced and all(previous is None for previous in replaced)


@pytest.fixture
def client(app: Flask, fixed: FixedCohort) -> FlaskClient:
    client = app.test_client()
    login(client, "teacher")
    return client


def test_the_dashboard_page_shows_the_ceiling_the_rescore_and_the_spread(
    app: Flask, client: FlaskClient, fixed: FixedCohort
) -> None:
    response = client.get(fixed.url())
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, fixed.exercise_id)
        key = grading.prepared_key(exercise, grading.current_key_version(session, exercise.id))
        texts = {article.ref: article.text for article in exercise.articles}
        f1 = [
            key.score(
                read_answers(entry["answers"], texts), read_ratings(entry["answers"], texts)
            ).spans.category_blind.f1
            for entry in exercise.calibration
        ]
        current = session.scalars(select(Score).where(Score.is_current.is_(True)).order_by(Score.score)).all()
        when = long_date(current[0].created_at)
        cohort_f1 = current[1].report["spans"]["category_blind"]["f1"]
    sentence = (
        f"Independent experts who never saw the key score 62 and 27 (span agreement F1 {f1[0]:.2f}, {f1[1]:.2f}); "
        f"this cohort’s median score is 12 (span agreement F1 {cohort_f1:.2f})."
    )
    assert sentence in re.sub(r"\s+", " ", text)
    assert f"Rescored on {when}: {NOTE} (median 14 → 12)." in text
    assert "Source judgement" in text
    spread = text[text.index('data-article="mini-a"') : text.index('data-article="mini-b"')]
    assert re.search(
        r'<tr class="key-grade accepted"><th scope="row">B <span class="muted small">usually reliable</span></th>\s*<td class="num">1</td>\s*<td><strong>Key</strong></td>',
        spread,
    )
    assert re.search(r'<tr class=" accepted"><th scope="row">C ', spread)
    assert "1 submission without a rating (closed at the deadline)." in spread


def test_the_results_csv_carries_the_ratings_and_the_rating_credit(client: FlaskClient, fixed: FixedCohort) -> None:
    with client.get(f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv") as response:
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0])[-11:] == [
        "rating_credit",
        "mini-a_reliability",
        "mini-a_credibility",
        "mini-a_reason",
        "mini-a_instructor_comments",
        "mini-b_reliability",
        "mini-b_credibility",
        "mini-b_reason",
        "mini-b_instructor_comments",
        "instructor_points",
        "final_score",
    ]
    assert list(rows[0]) == result_columns(["unverified", "conflicting_number", "loaded_framing"], ["mini-a", "mini-b"])
    by_name = {row["username"]: row for row in rows}
    alice, carol, erin = by_name["alice"], by_name["carol"], by_name["erin"]
    assert (alice["score"], alice["score_exact"], alice["rating_credit"]) == ("62", "61.54", "2.0")
    assert [alice[f"mini-{a}_{s}"] for a in "ab" for s in ("reliability", "credibility")] == ["B", "2", "F", "4"]
    assert (carol["rating_credit"], carol["mini-a_reliability"]) == ("0.0", "")
    assert (erin["rating_credit"], erin["mini-b_credibility"]) == ("", "")
