"""The figures read from each trainee's standing (completion, the score summary, the trainee
table's pages and who needs attention) equal the same figures counted another way: the table's
rows and each reason's first few sorted by the database, and the scores by `statistics`.

A cohort of random work with tied names and scores, retries and trainees in every state, on SQLite
and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app, db, migrate
from app.cohort_figures.scope import Scope, scope_for, scope_parameters
from app.models import Attempt, Cohort, User
from instructor.dashboard.attention import LOW_SCORE, MANY_FALSE_POSITIVES, NAMED, trainees_and_attention
from instructor.dashboard.standing import cohort_standing
from instructor.dashboard.summary import HISTOGRAM_BINS, completion, score_summary
from instructor.dashboard.trainees import TraineeRow, trainee_rows
from tests.conftest import Factory
from tests.instructor.dashboard_cohort import FLAGS

CANDIDATES = sorted({(ref, quote) for flags in FLAGS.values() for ref, quote, _ in flags})
CATEGORIES = ("conflicting_number", "unverified", "loaded_framing")
# Few names for many trainees: ties the table breaks by id.
NAMES = ("Ann", "Ben", "ann", "Émile", "Zoë")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """The app on SQLite, and on a fresh PostgreSQL database when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield request.getfixturevalue("app")
        return
    on_postgres = create_app(
        {"TESTING": True, "SECRET_KEY": "standing", "DATABASE_URL": request.getfixturevalue("pg_url")}
    )
    on_postgres.instance_path = str(tmp_path)
    migrate.upgrade(db.get_engine(on_postgres))
    yield on_postgres
    db.get_engine(on_postgres).dispose()


def random_cohort(app: Flask, rng: random.Random, trainees: int) -> tuple[int, int]:
    """A cohort (and another it shares the exercise with) of trainees in every state; its ids."""
    factory = Factory(app)
    cohort, other = factory.cohort("Random"), factory.cohort("Other")
    exercise = factory.exercise(assign_to=cohort)
    factory.assign(exercise, other)
    for number in range(trainees):
        trainee = factory.user(f"trainee{number}", cohort=cohort if number % 7 else other)
        with app.app_context():
            session = db.session()
            session.get(User, trainee.id).display_name = rng.choice(NAMES)
            session.commit()
        attempts = rng.choice((0, 1, 1, 1, 2))
        for made in range(1, attempts + 1):
            flags = [(ref, quote, rng.choice(CATEGORIES)) for ref, quote in rng.sample(CANDIDATES, rng.randint(0, 6))]
            factory.attempt(trainee, exercise, flags=flags, submit=made < attempts or rng.random() < 0.7, number=made)
    return cohort.id, exercise.id


def recounted_page(session: Session, scope: Scope, page: int, per_page: int) -> tuple[list[TraineeRow], int]:
    """The table's rows of ``page`` (kept within the table), sorted by the database; the page shown."""
    ordered = trainee_rows().order_by(User.display_name, User.id)
    total = len(session.execute(ordered, scope_parameters(scope)).all())
    shown = min(max(page, 1), max(1, math.ceil(total / per_page)))
    rows = session.execute(ordered.offset((shown - 1) * per_page).limit(per_page), scope_parameters(scope))
    return [TraineeRow(*row) for row in rows], shown


def recounted_reason(session: Session, scope: Scope, reason: str, bar: int) -> tuple[int, list[TraineeRow]]:
    """How many trainees need attention for ``reason`` and the first `NAMED`, sorted by the database."""
    rows = trainee_rows().subquery()
    false_positives = func.coalesce(rows.c.false_positives, 0)
    where, order = {
        "not_started": (rows.c.attempt_id.is_(None) & ~rows.c.in_progress, (rows.c.display_name, rows.c.id)),
        "low_score": (
            rows.c.attempt_id.is_not(None) & (rows.c.score < LOW_SCORE - 0.5),
            (rows.c.score, rows.c.display_name, rows.c.id),
        ),
        "many_false_positives": (
            rows.c.attempt_id.is_not(None) & (false_positives >= bar),
            (false_positives.desc(), rows.c.display_name, rows.c.id),
        ),
    }[reason]
    matching = session.execute(select(rows).where(where).order_by(*order), scope_parameters(scope)).all()
    return len(matching), [TraineeRow(*row) for row in matching[:NAMED]]


def inclusive_quartiles(scores: list[float]) -> tuple[Any, Any]:
    if not scores:
        return None, None
    if len(scores) == 1:
        return scores[0], scores[0]
    lower, _, upper = statistics.quantiles(scores, n=4, method="inclusive")
    return lower, upper


@pytest.mark.parametrize("seed", range(2))
def test_figures_from_the_standing_equal_a_recount(any_app: Flask, seed: int) -> None:
    app = any_app
    rng = random.Random(seed)
    cohort_id, exercise_id = random_cohort(app, rng, trainees=40)
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, cohort_id), exercise_id)
        standing = cohort_standing(session, scope)

        attempts = session.execute(
            select(Attempt.user_id, Attempt.submitted_at).where(
                Attempt.cohort_id == cohort_id, Attempt.exercise_id == exercise_id
            )
        ).all()
        members = session.scalars(select(User.id).join(Cohort.trainees).where(Cohort.id == cohort_id)).all()
        started = {user_id for user_id, _ in attempts}
        submitted = {user_id for user_id, submitted_at in attempts if submitted_at is not None}
        done = completion(standing)
        assert (done.trainees, done.not_started, done.in_progress, done.submitted) == (
            len(members),
            len(members) - len(started),
            len(started - submitted),
            len(submitted),
        )

        everyone = [TraineeRow(*row) for row in session.execute(trainee_rows(), scope_parameters(scope))]
        counted = [row for row in everyone if row.attempt_id is not None]
        scores = sorted(row.score for row in counted if row.score is not None)
        assert len(scores) >= 10
        summary = score_summary(session, scope)
        assert summary.submissions == len(counted)
        assert summary.mean == pytest.approx(statistics.mean(scores))
        assert summary.median == statistics.median(scores)
        assert (summary.lower_quartile, summary.upper_quartile) == pytest.approx(inclusive_quartiles(scores))
        assert summary.histogram == tuple(
            sum(1 for score in scores if min(int(score // 10), HISTOGRAM_BINS - 1) == low)
            for low in range(HISTOGRAM_BINS)
        )
        seconds = [row.seconds for row in counted if row.seconds is not None]
        assert summary.median_seconds == pytest.approx(statistics.median(seconds))
        assert summary.mean_seconds == pytest.approx(statistics.mean(seconds))
        false_positives = statistics.median(row.false_positives or 0 for row in counted)
        assert summary.median_false_positives == false_positives

        for per_page in (3, 7, 500):
            for page in (-1, 1, 2, 5, 99):
                table, attention = trainees_and_attention(
                    session, scope, standing, page, summary.median_false_positives, per_page=per_page
                )
                rows, shown = recounted_page(session, scope, page, per_page)
                assert (table.rows, table.page, table.total) == (rows, shown, len(everyone))
                assert table.pages == max(1, math.ceil(len(everyone) / per_page))
        bar = max(MANY_FALSE_POSITIVES, 2 * math.ceil(false_positives))
        assert attention.false_positive_bar == bar
        for reason in ("not_started", "low_score", "many_false_positives"):
            group = getattr(attention, reason)
            assert (group.total, group.first) == recounted_reason(session, scope, reason, bar), reason
        assert attention.low_score.total > NAMED
