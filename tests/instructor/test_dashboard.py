"""The dashboard's figures for the fixed cohort equal the values worked out by hand."""

from __future__ import annotations

import json
import re
import statistics

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import db, grading
from app.cohort_figures.heatmap import ArticleHeat, heat_level
from app.cohort_figures.scope import scope_for
from app.models import Cohort
from instructor.dashboard.overview import build_dashboard
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort

ALICE, CAROL = 600 / 11, 150 / 11


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


@pytest.fixture
def board(app: Flask, fixed: FixedCohort):
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, fixed.cohort_id), fixed.exercise_id)
        key = grading.current_key_version(session, fixed.exercise_id).items
        yield build_dashboard(session, scope, key)


def test_completion_and_scores(board) -> None:
    done = board.completion
    assert (done.trainees, done.not_started, done.in_progress, done.submitted) == (5, 1, 1, 3)
    summary = board.summary
    assert summary.submissions == 3
    assert summary.mean == pytest.approx((ALICE + 0 + CAROL) / 3)
    assert summary.median == pytest.approx(CAROL)
    assert summary.histogram == (1, 1, 0, 0, 0, 1, 0, 0, 0, 0)
    assert summary.mean_seconds == pytest.approx(20 * 60, abs=1)
    assert summary.median_seconds == pytest.approx(20 * 60, abs=1)
    lower, _, upper = statistics.quantiles([0, CAROL, ALICE], n=4, method="inclusive")
    assert (summary.lower_quartile, summary.upper_quartile) == pytest.approx((lower, upper))


def test_key_items_hardest_first(board) -> None:
    rows = [
        (o.item.id, o.found, o.partial, o.lone_figure, o.wrong_category, o.missed, round(o.credit_share, 4))
        for o in board.items
    ]
    assert rows == [
        ("duration-three", 0, 0, 0, 0, 3, 0.0),
        ("duration-four", 0, 0, 1, 0, 2, round(1 / 6, 4)),  # a lone figure earns half
        ("pro-democracy", 0, 1, 0, 0, 2, round(1 / 6, 4)),
        ("force-500", 1, 0, 0, 0, 2, round(2 / 6, 4)),
        ("force-550", 1, 0, 0, 0, 2, round(2 / 6, 4)),
        ("reportedly", 1, 0, 0, 1, 1, round(1.25 / 3, 4)),
        ("brutal-regime", 2, 0, 0, 0, 1, round(2 / 3, 4)),
    ]
    assert [(d.item.id, d.flagged) for d in board.decoys] == [("americans-40", 1)]


def test_categories_pooled_and_equal_to_the_reports(board) -> None:
    figures = {f.category: (f.correct, f.flagged, f.expected, f.precision, f.recall) for f in board.categories}
    assert figures == {
        "unverified": (1, 3, 3, pytest.approx(1 / 3), pytest.approx(1 / 3)),
        "conflicting_number": (3, 4, 12, pytest.approx(3 / 4), pytest.approx(3 / 12)),
        "loaded_framing": (2, 3, 6, pytest.approx(2 / 3), pytest.approx(2 / 6)),
    }


def test_confusion_table(board) -> None:
    confusion = board.confusion
    table = {
        key: [confusion.cell(key, chosen) for chosen in ("unverified", "conflicting_number", "loaded_framing", None)]
        for key, _ in confusion.categories
    }
    assert table == {
        "unverified": [1, 0, 1, 1],
        "conflicting_number": [0, 3, 0, 9],
        "loaded_framing": [1, 0, 2, 3],
    }


def _count_at(heat: list[ArticleHeat], ref: str, offset: int) -> int:
    article = next(a for a in heat if a.ref == ref)
    return next(s.count for s in article.segments if s.start <= offset < s.end)


def test_heatmap_counts_flags_per_character(board) -> None:
    heat = board.heat
    assert _count_at(heat, "mini-b", 4) == 2  # "brutal regime": alice and carol
    assert _count_at(heat, "mini-a", 70) == 2  # "reportedly": alice and bob (dave has not submitted)
    assert _count_at(heat, "mini-a", 0) == 0
    article = next(a for a in heat if a.ref == "mini-b")
    assert "".join(s.text for s in article.segments).startswith("THE brutal regime sent 550 men")
    brutal = next(s for s in article.segments if s.start == 4)
    assert brutal.key_ids == ("brutal-regime",) and brutal.opens_key and brutal.closes_key
    assert brutal.level == heat_level(2, 3) == 6


def test_trainee_table(board) -> None:
    rows = {row.username: row for row in board.trainees.rows}
    assert list(rows) == ["alice", "bob", "carol", "dave", "erin"]
    assert rows["alice"].score == pytest.approx(ALICE)
    assert rows["alice"].precision == pytest.approx(1.0)
    assert rows["alice"].recall == pytest.approx(4 / 7)
    assert rows["bob"].seconds == pytest.approx(1200, abs=1)
    assert rows["dave"].attempt_id is None and rows["dave"].in_progress
    assert rows["erin"].attempt_id is None and not rows["erin"].in_progress


def test_dashboard_page_shows_the_figures(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    response = client.get(fixed.url())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Trainees 5 Not started 1 In progress 1 Submitted 3" in text
    # Scores rounded half up to whole numbers (app.formatting.whole_score): 22.73 → 23, 13.64 → 14.
    assert "Mean score 23 Median score 14 Mean time on task 20 min" in text
    assert "Results (CSV)" in page and "Flags with outcomes (CSV)" in page
    data = json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page).group(1))
    assert data["histogram"]["counts"] == [1, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    # The content security policy forbids inline script and style: none on the page.
    assert " style=" not in page and "<style" not in page
    assert re.findall(r"<script(?![^>]*(?:src=|type=\"application/json\"))", page) == []
    # Notes are trainees' text: escaped.
    assert '=HYPERLINK("x") who saw it?' not in page and "=HYPERLINK(&#34;x&#34;) who saw it?" in page


def test_hot_spot_lists_flags_and_notes(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    start = "THE brutal regime sent 550 men, it is said, in a three–hour battle. Witnesses 🙂 described ".__len__()
    payload = client.get(fixed.url(f"dashboard/flags?article=mini-b&at={start + 2}")).get_json()
    assert payload["total"] == 1
    assert payload["flags"][0]["quote"] == "heavy shelling"
    assert payload["flags"][0]["trainee"] == "Carol"
    assert payload["flags"][0]["note"].endswith("who saw it?")
    assert client.get(fixed.url("dashboard/flags?article=nope&at=1")).status_code == 400
    assert client.get(fixed.url("dashboard/flags?article=mini-b&at=x")).status_code == 400


def test_other_instructors_cohort_is_hidden(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "stranger")
    for suffix in (
        "dashboard",
        "dashboard/flags?article=mini-a&at=1",
        "export/flags.csv",
        f"trainees/{fixed.users['bob']}",
    ):
        assert client.get(fixed.url(suffix)).status_code == 404, suffix
    assert client.get(f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv").status_code == 404


def test_trainees_cannot_reach_the_dashboard(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "alice")
    assert client.get(fixed.url()).status_code == 403


def test_exercise_not_set_for_the_cohort_is_404(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    assert client.get(f"/instructor/cohorts/{fixed.cohort_id}/exercises/999/dashboard").status_code == 404


def test_drill_down_and_retry(client: FlaskClient, fixed: FixedCohort, app: Flask) -> None:
    login(client, "teacher")
    page = client.get(fixed.url(f"trainees/{fixed.users['carol']}")).get_data(as_text=True)
    assert "Carol" in page and "Attempt 1" in page and "heavy shelling" in page
    assert "Reported by whom?" in page  # the debrief, with the key's explanations
    response = client.post(
        fixed.url(f"trainees/{fixed.users['carol']}/retry"),
        data={"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)},
    )
    assert response.status_code == 302
    assert "1 more was allowed" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        from sqlalchemy import select

        from app.models import AttemptGrant

        grants = db.session().scalars(select(AttemptGrant)).all()
        assert [(g.user_id, g.exercise_id) for g in grants] == [(fixed.users["carol"], fixed.exercise_id)]
