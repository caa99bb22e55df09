"""The figures the dashboard keeps (counted submissions, item, span and outlying tallies) always
equal a recount from the stored attempts, scores and flags: after random submits, retries, rescores
and key changes, and after migrations 0010 and 0011 fill them on a database that had data at 0009.

Runs on PostgreSQL when TEST_DATABASE_URL is set (the app fixture's database), else on SQLite.
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import re
import statistics
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from app import create_app, db, grading, migrate
from app.cohort_figures import tallies
from app.cohort_figures.scope import counted_submissions, scope_for
from app.models import (
    Attempt,
    Cohort,
    CountedSubmission,
    Exercise,
    Flag,
    ItemTally,
    OutlyingTally,
    Score,
    ScoreItem,
    SpanTally,
    User,
    cohort_trainees,
)
from bench.harness import fresh_postgres_database
from instructor.dashboard import outcomes
from instructor.dashboard.score_history import rescores
from instructor.dashboard.summary import score_summary
from scoring.types import KeyItem
from tests.conftest import Factory, login, postgres_server_url
from tests.instructor.dashboard_cohort import FLAGS, build_fixed_cohort

CANDIDATES = sorted({(ref, quote) for flags in FLAGS.values() for ref, quote, _ in flags})
CATEGORIES = ("conflicting_number", "unverified", "loaded_framing")


def recounted_submissions(session: Session) -> dict[tuple[int, int, int], dict[str, Any]]:
    """Each trainee's latest submitted attempt for a cohort they belong to, with its current score."""
    latest = (
        select(func.max(Attempt.id))
        .where(Attempt.submitted_at.is_not(None), Attempt.cohort_id.is_not(None))
        .group_by(Attempt.cohort_id, Attempt.exercise_id, Attempt.user_id)
    )
    rows = session.execute(
        select(Attempt, Score)
        .join(Score, (Score.attempt_id == Attempt.id) & Score.is_current.is_(True))
        .join(
            cohort_trainees,
            (cohort_trainees.c.cohort_id == Attempt.cohort_id) & (cohort_trainees.c.user_id == Attempt.user_id),
        )
        .where(Attempt.id.in_(latest))
    ).all()
    recounted = {}
    for attempt, score in rows:
        previous = session.scalar(
            select(Score.score)
            .where(Score.attempt_id == attempt.id, Score.id < score.id)
            .order_by(Score.id.desc())
            .limit(1)
        )
        figures = tallies.submission_figures(score, attempt)
        recounted[(attempt.cohort_id, attempt.exercise_id, attempt.user_id)] = {**figures, "previous_score": previous}
    return recounted


def kept_submissions(session: Session) -> dict[tuple[int, int, int], dict[str, Any]]:
    return {
        (row.cohort_id, row.exercise_id, row.user_id): {
            column.name: getattr(row, column.name) for column in CountedSubmission.__table__.columns
        }
        for row in session.scalars(select(CountedSubmission))
    }


def recounted_items(session: Session) -> dict[tuple[Any, ...], tuple[int, float]]:
    chosen = func.coalesce(ScoreItem.chosen_category, literal_column("''")).label("chosen")
    keys = (CountedSubmission.cohort_id, CountedSubmission.exercise_id, ScoreItem.item_id, ScoreItem.status, chosen)
    rows = session.execute(
        select(*keys, func.count(), func.sum(ScoreItem.credit))
        .join(ScoreItem, ScoreItem.score_id == CountedSubmission.score_id)
        .where(ScoreItem.status.not_in(tallies.UNTALLIED_STATUSES))
        .group_by(*keys)
    )
    return {tuple(row[:5]): (row[5], row[6]) for row in rows}


def kept_items(session: Session) -> dict[tuple[Any, ...], tuple[int, float]]:
    return {
        (t.cohort_id, t.exercise_id, t.item_id, t.status, t.chosen_category): (t.submissions, t.credit)
        for t in session.scalars(select(ItemTally).where(ItemTally.submissions != 0))
    }


def recounted_spans(session: Session) -> dict[tuple[Any, ...], int]:
    keys = (Flag.article_ref, Flag.start, Flag.end, Flag.category)
    rows = session.execute(
        select(CountedSubmission.cohort_id, CountedSubmission.exercise_id, *keys, func.count())
        .join(Flag, Flag.attempt_id == CountedSubmission.attempt_id)
        .group_by(CountedSubmission.cohort_id, CountedSubmission.exercise_id, *keys)
    )
    return {tuple(row[:6]): row[6] for row in rows}


def kept_spans(session: Session) -> dict[tuple[Any, ...], int]:
    return {
        (t.cohort_id, t.exercise_id, t.article_ref, t.start, t.end, t.category): t.flags
        for t in session.scalars(select(SpanTally).where(SpanTally.flags != 0))
    }


def recounted_outlying(recounted: dict[tuple[int, int, int], dict[str, Any]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The outlying tallies of the recounted submissions, each counted from its current score's report."""
    rows = tallies.outlying_rows(
        (cohort_id, exercise_id, figures["outlying_flags"], 1)
        for (cohort_id, exercise_id, _), figures in recounted.items()
    )
    return {tuple(row.values())[:7]: (row["flags"], row["opened"], row["gaps"]) for row in rows}


def kept_outlying(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    kept = select(OutlyingTally).where(
        (OutlyingTally.flags != 0) | (OutlyingTally.opened != 0) | (OutlyingTally.gaps != 0)
    )
    return {
        (t.cohort_id, t.exercise_id, t.outcome, t.item_id, t.article_ref, t.start, t.end): (t.flags, t.opened, t.gaps)
        for t in session.scalars(kept)
    }


def assert_kept_equal_recount(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        recounted = recounted_submissions(session)
        assert kept_submissions(session) == recounted
        items = kept_items(session)
        expected = recounted_items(session)
        assert items.keys() == expected.keys()
        for key, (count, credit) in expected.items():
            # Credits are floats added and taken away in another order than a recount sums them.
            assert items[key][0] == count and math.isclose(items[key][1], credit, abs_tol=1e-9), key
        assert kept_spans(session) == recounted_spans(session)
        assert kept_outlying(session) == recounted_outlying(recounted)


def random_flags(rng: random.Random) -> list[tuple[str, str, str]]:
    return [(ref, quote, rng.choice(CATEGORIES)) for ref, quote in rng.sample(CANDIDATES, rng.randint(0, 5))]


def key_with_new_points(session: Session, exercise_id: int, rng: random.Random) -> tuple[KeyItem, ...]:
    return tuple(
        item if item.decoy else dataclasses.replace(item, points=rng.choice((1, 2, 3)))
        for item in grading.current_key_version(session, exercise_id).items
    )


@pytest.fixture
def tally_app(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The app on PostgreSQL when TEST_DATABASE_URL is set (a fresh database), else on SQLite."""
    if not os.environ.get("TEST_DATABASE_URL"):
        yield app
        return
    with fresh_postgres_database(postgres_server_url(), f"crosscheck_tally_{uuid.uuid4().hex[:12]}") as url:
        application = create_app({"TESTING": True, "SECRET_KEY": "tallies", "DATABASE_URL": url})
        application.instance_path = str(tmp_path)
        migrate.upgrade(db.get_engine(application))
        yield application
        db.get_engine(application).dispose()


@pytest.mark.parametrize("seed", range(4))
def test_kept_figures_equal_a_recount_after_random_work(tally_app: Flask, seed: int) -> None:
    app, factory = tally_app, Factory(tally_app)
    rng = random.Random(seed)
    cohorts = [factory.cohort("First"), factory.cohort("Second")]
    exercise = factory.exercise(assign_to=cohorts[0])
    factory.assign(exercise, cohorts[1])
    trainees = [factory.user(f"trainee{n}", cohort=cohorts[n % 2]) for n in range(8)]
    attempts_made = {trainee.id: 0 for trainee in trainees}
    for _ in range(30):
        action = rng.random()
        if action < 0.7:
            trainee = rng.choice(trainees)
            attempts_made[trainee.id] += 1
            factory.attempt(
                trainee, exercise, flags=random_flags(rng), submit=rng.random() < 0.85, number=attempts_made[trainee.id]
            )
        else:
            with app.app_context():
                session = db.session()
                current = session.get(Exercise, exercise.id)
                if action < 0.85:
                    grading.rescore_exercise(session, current, note="Rescored")
                else:
                    grading.add_key_version(
                        session, current, key_with_new_points(session, exercise.id, rng), origin="test", note="Points"
                    )
                session.commit()
        assert_kept_equal_recount(app)
    for cohort in cohorts:
        assert_medians_equal_statistics(app, cohort.id, exercise.id)
        assert_outlying_read_equals_kept(app, cohort.id, exercise.id)


def assert_outlying_read_equals_kept(app: Flask, cohort_id: int, exercise_id: int) -> None:
    """The dashboard reads the cohort's outlying tallies that count flags or groups opened (on
    SQLite from the partial index alone), and the gaps alone of the articles it asks for."""
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, cohort_id), exercise_id)
        kept = {
            key[2:]: counts for key, counts in kept_outlying(session).items() if key[:2] == (cohort_id, exercise_id)
        }
        counting = {row[:5]: tuple(row[5:]) for row in outcomes.outlying_tallies(session, scope)}
        assert counting == {key: counts for key, counts in kept.items() if counts[0] or counts[1]}
        articles = sorted({key[2] for key in kept})
        gaps = {row[:5]: tuple(row[5:]) for row in outcomes.outlying_gaps(session, scope, articles)}
        assert gaps == {key: counts for key, counts in kept.items() if not (counts[0] or counts[1])}
        if session.get_bind().dialect.name == "sqlite":
            statement = str(outcomes._outlying_tallies().compile(session.get_bind()))
            plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, (cohort_id, exercise_id))
            assert "COVERING INDEX ix_outlying_tallies_counting" in str(plan.all())


def assert_medians_equal_statistics(app: Flask, cohort_id: int, exercise_id: int) -> None:
    """The dashboard's rescore notices and cohort medians, ranked in the database, equal
    `statistics.median` over the counted submissions."""
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, cohort_id), exercise_id)
        counted = session.scalars(counted_submissions(scope)).all()
        summary = score_summary(session, scope)
        by_note: dict[str, list[CountedSubmission]] = {}
        for row in counted:
            if row.note and row.previous_score is not None:
                by_note.setdefault(row.note, []).append(row)
        expected = {
            note: (
                max(row.scored_at for row in rows),
                len(rows),
                statistics.median(row.previous_score for row in rows if row.previous_score is not None),
                statistics.median(row.score for row in rows),
            )
            for note, rows in by_note.items()
        }
        found = {r.note: (r.on, r.submissions, r.median_before, r.median_after) for r in rescores(session, scope)}
    assert found == expected
    assert summary.median_span_f1 == (statistics.median(row.span_f1 for row in counted) if counted else None)


def test_a_rescore_in_batches_counts_each_trainee_once(tally_app: Flask, monkeypatch: Any) -> None:
    app, factory = tally_app, Factory(tally_app)
    monkeypatch.setattr(grading, "RESCORE_BATCH", 2)
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    for n in range(5):
        trainee = factory.user(f"trainee{n}", cohort=cohort)
        for number in (1, 2):
            factory.attempt(trainee, exercise, flags=FLAGS["alice"][: n + number - 1], submit=True, number=number)
    with app.app_context():
        session = db.session()
        grading.rescore_exercise(session, session.get(Exercise, exercise.id), note="Again")
        session.commit()
    assert_kept_equal_recount(app)


@pytest.mark.postgres
def test_a_retry_submitted_during_a_key_change_counts_what_the_key_change_left(tally_app: Flask) -> None:
    """Two workers: one stores a new key version and rescores; the other, meanwhile, scores the same
    trainee's retry. The retry waits for the rescore and then replaces the rescored figures."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("concurrent writers need PostgreSQL")
    app, factory = tally_app, Factory(tally_app)
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    trainee = factory.user("trainee", cohort=cohort)
    factory.attempt(trainee, exercise, flags=FLAGS["alice"], submit=True)
    retry_errors: list[BaseException] = []

    def submit_retry() -> None:
        try:
            factory.attempt(trainee, exercise, flags=FLAGS["alice"][:2], submit=True, number=2)
        except BaseException as error:  # noqa: BLE001 - any failure of the retry fails the test
            retry_errors.append(error)

    with app.app_context():
        session = db.session()
        current = session.get(Exercise, exercise.id)
        grading.add_key_version(
            session, current, key_with_new_points(session, exercise.id, random.Random(7)), origin="test", note="Points"
        )
        retry = threading.Thread(target=submit_retry)
        retry.start()
        retry.join(timeout=2)
        assert retry.is_alive(), "the retry should wait for the rescore's locks"
        session.commit()
    retry.join(timeout=60)
    assert not retry.is_alive() and not retry_errors
    assert_kept_equal_recount(app)


def page_without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which change with the time they are made."""
    return re.sub(r'(csrf[^>]*?(?:content|value)=")[^"]+', r"\1", html)


def test_migrations_0010_and_0011_fill_the_figures_and_the_dashboard_reads_the_same(tally_app: Flask) -> None:
    """A database with submissions and a retry, taken back to 0009 (the tables dropped), upgrades
    to the same dashboard it showed."""
    factory = Factory(tally_app)
    fixed = build_fixed_cohort(factory)
    with tally_app.app_context():
        carol = db.session().get(User, fixed.users["carol"])
        exercise = db.session().get(Exercise, fixed.exercise_id)
    factory.attempt(carol, exercise, flags=FLAGS["alice"], submit=True, number=2)
    client = tally_app.test_client()
    login(client, "teacher")
    before = page_without_tokens(client.get(fixed.url()).get_data(as_text=True))
    engine = db.get_engine(tally_app)
    command.downgrade(migrate.alembic_config(engine), "0009_cohort_view")
    migrate.upgrade(engine)
    assert page_without_tokens(client.get(fixed.url()).get_data(as_text=True)) == before
    assert_kept_equal_recount(tally_app)
    with tally_app.app_context():
        assert db.session().scalar(select(func.count()).select_from(CountedSubmission)) == 3
