"""Possible key gaps on the fixed cohort, and the key changes that close them."""

from __future__ import annotations

import random
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import db, grading
from app.cohort_figures.scope import scope_for
from app.models import Attempt, Cohort, Exercise, Flag, KeyVersion, Score, ScoreItem
from instructor.dashboard import key_gaps
from instructor.dashboard.overview import build_dashboard
from scoring.types import KeyItem
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_gaps_found_at_the_threshold(app: Flask, fixed: FixedCohort) -> None:
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, fixed.cohort_id), fixed.exercise_id)
        key = grading.current_key_version(session, fixed.exercise_id).items
        board = build_dashboard(session, scope, key)
        clusters = key_gaps.unkeyed_clusters(session, scope, key, board.spans, 3, 0.2)
        # "heavy shelling" (carol) is outside the key; bob's "40 Americans" hits a decoy: not a gap.
        assert [(c.proposed_quote, c.submissions, c.proposed_category) for c in clusters] == [
            ("heavy shelling", 1, "unverified")
        ]
        assert clusters[0].notes == ['=HYPERLINK("x") who saw it?']
        assert key_gaps.unkeyed_clusters(session, scope, key, board.spans, 3, 0.5) == []
        disagreements = key_gaps.category_disagreements(board.status_counts, key, 3, 0.2)
        assert [(d.item.id, d.category, d.count) for d in disagreements] == [("reportedly", "loaded_framing", 1)]
        assert key_gaps.category_disagreements(board.status_counts, key, 3, 0.5) == []


@pytest.mark.parametrize("seed", range(3))
def test_each_gap_counts_the_submissions_with_a_flag_on_it_that_touches_no_key_item(
    app: Flask, factory: Factory, seed: int
) -> None:
    """Flags of random extents, many running across a gap into key items: a gap counts each
    submission with a flag that overlaps it and touches no key item (decoys included), once, and
    samples the notes of those flags in trainee order."""
    rng = random.Random(seed)
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    with app.app_context():
        texts = {article.ref: article.text for article in db.session().get(Exercise, exercise.id).articles}
    for number in range(12):
        flags = []
        for _ in range(rng.randint(1, 8)):
            ref = rng.choice(sorted(texts))
            start = rng.randrange(len(texts[ref]) - 1)
            quote = texts[ref][start : start + rng.randint(1, 60)]
            flags.append((ref, quote, "unverified"))
        factory.attempt(factory.user(f"trainee{number}", cohort=cohort), exercise, flags=flags, submit=True)
    with app.app_context():
        session = db.session()
        for flag in session.scalars(select(Flag)):
            flag.note = f"note of flag {flag.id}" if rng.random() < 0.5 else ""
        session.commit()
        scope = scope_for(session, session.get(Cohort, cohort.id), exercise.id)
        key = grading.current_key_version(session, exercise.id).items
        board = build_dashboard(session, scope, key)
        clusters = key_gaps.unkeyed_clusters(session, scope, key, board.spans, 12, 1e-9)
        flags = session.execute(
            select(Attempt.user_id, Flag.attempt_id, Flag.article_ref, Flag.start, Flag.end, Flag.note)
            .join(Attempt, Attempt.id == Flag.attempt_id)
            .order_by(Attempt.user_id, Flag.start, Flag.end, Flag.category, Flag.id)
        ).all()
    extents = key_gaps.KeyExtents(key)
    assert clusters
    for cluster in clusters:
        on_gap = [
            (attempt_id, note)
            for _, attempt_id, ref, start, end, note in flags
            if ref == cluster.article_ref
            and start < cluster.end
            and cluster.start < end
            and not extents.touch(ref, start, end)
        ]
        assert cluster.submissions == len({attempt_id for attempt_id, _ in on_gap}), cluster
        # The sample: the first notes on the gap, trainee by trainee.
        assert cluster.notes == [note for _, note in on_gap if note][: key_gaps.SAMPLE_NOTES], cluster


@pytest.mark.parametrize(("share", "submissions", "needed"), [(0.2, 3, 1), (0.2, 10, 2), (0.2, 11, 3), (1.0, 4, 4)])
def test_threshold(share: float, submissions: int, needed: int) -> None:
    assert key_gaps.threshold(share, submissions) == needed


def test_add_to_key_writes_a_version_and_rescores(client: FlaskClient, fixed: FixedCohort, app: Flask) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    assert "heavy shelling" in page and "Add to key" in page
    start = page.index("heavy shelling")
    assert start
    with app.app_context():
        text = db.session().scalar(select(Exercise).where(Exercise.id == fixed.exercise_id)).articles[1].text
    offset = text.index("heavy shelling")
    response = client.post(
        fixed.url("key/add"),
        data={
            "csrf_token": _csrf(page),
            "article": "mini-b",
            "start": offset,
            "end": offset + len("heavy shelling"),
            "category": "unverified",
            "points": "1",
            "explanation": "Who heard it?",
            "note": "many flagged it",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, fixed.exercise_id)
        assert exercise.edited_in_app
        version = grading.current_key_version(session, exercise.id)
        assert (version.number, version.origin, version.created_by.username) == (2, "dashboard", "teacher")
        assert "many flagged it" in version.note
        added = [item for item in version.items if item.quote == "heavy shelling"]
        assert added and added[0].id == "added-heavy-shelling" and added[0].category == "unverified"
        scores = session.scalars(
            select(Score).where(Score.attempt_id == fixed.attempts["carol"]).order_by(Score.id)
        ).all()
        assert [(s.is_current, s.key_version.number) for s in scores] == [(False, 1), (True, 2)]
        # Carol now earns the new item: 1 + 1 + 1 of 12 possible points.
        assert scores[-1].score == pytest.approx(25.0)
    history = client.get(fixed.url()).get_data(as_text=True)
    assert "Teacher" in history and "added &#39;added-heavy-shelling&#39;" in history


def test_accept_alternative_rescores(client: FlaskClient, fixed: FixedCohort, app: Flask) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    response = client.post(
        fixed.url("key/accept"),
        data={"csrf_token": _csrf(page), "item_id": "reportedly", "category": "loaded_framing", "note": ""},
    )
    assert response.status_code == 302
    with app.app_context():
        session = db.session()
        version = grading.current_key_version(session, fixed.exercise_id)
        assert version.origin == "dashboard" and version.number == 2
        assert next(item for item in version.items if item.id == "reportedly").also == ("loaded_framing",)
        status = session.scalar(
            select(ScoreItem.status)
            .join(Score, Score.id == ScoreItem.score_id)
            .where(
                Score.attempt_id == fixed.attempts["bob"], Score.is_current.is_(True), ScoreItem.item_id == "reportedly"
            )
        )
        assert status == "partial"
        assert session.scalar(select(KeyVersion.created_by_id).where(KeyVersion.id == version.id)) is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item_id": "nope", "category": "loaded_framing"}, "no item &#39;nope&#39; in the current key"),
        ({"item_id": "reportedly", "category": "unverified"}, "repeats the item&#39;s own category"),
        ({"item_id": "reportedly", "category": "bogus"}, "Not a valid choice"),
    ],
)
def test_invalid_key_changes_are_400(
    client: FlaskClient, fixed: FixedCohort, app: Flask, data: dict, message: str
) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    response = client.post(fixed.url("key/accept"), data={"csrf_token": _csrf(page), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert grading.current_key_version(db.session(), fixed.exercise_id).number == 1


def test_add_to_key_rejects_a_span_outside_the_article(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    data = {
        "csrf_token": _csrf(page),
        "article": "mini-b",
        "start": 5000,
        "end": 5010,
        "category": "unverified",
        "points": "1",
        "explanation": "x",
    }
    response = client.post(fixed.url("key/add"), data=data)
    assert response.status_code == 400
    assert "is not in article" in response.get_data(as_text=True)


extents = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=12)


@given(items=extents, span=st.tuples(st.integers(0, 80), st.integers(1, 20)))
def test_a_span_touches_the_key_when_it_overlaps_an_item_of_its_article(
    items: list[tuple[int, int]], span: tuple[int, int]
) -> None:
    key = [KeyItem(f"i{n}", "a", start, start + length, "q", "unverified") for n, (start, length) in enumerate(items)]
    start, end = span[0], span[0] + span[1]
    overlaps = any(start < item.end and item.start < end for item in key)
    assert key_gaps.KeyExtents(key).touch("a", start, end) == overlaps
    assert not key_gaps.KeyExtents(key).touch("b", start, end)
