"""The trainee table: one row per trainee of the cohort with their latest submission."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, any_, bindparam, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from app.cohort_figures.scope import Scope, scope_bindings, scope_parameters, seconds_between
from app.models import Attempt, CountedSubmission, FeedbackPoints, User, cohort_trainees

TRAINEES_PER_PAGE = 500
"""Trainees in one page of the table: the table sorts and filters in the browser, so a cohort
should fit on one page; larger ones page on the server (sorted by name)."""


@dataclass(frozen=True)
class TraineeRow:
    user_id: int
    username: str
    display_name: str
    is_demo: bool
    attempt_id: int | None
    score: float | None
    precision: float | None
    recall: float | None
    seconds: float | None
    submitted_at: datetime | None
    late: bool | None
    in_progress: bool
    false_positives: int | None = None
    instructor_points: float | None = None
    """The sum of an instructor's discretionary points on the attempt (app.feedback), apart from ``score``."""

    @property
    def status(self) -> str:
        """Submitted, in progress or not started, as the table and its filter say it."""
        return "submitted" if self.attempt_id else "in progress" if self.in_progress else "not started"


@dataclass(frozen=True)
class TraineePage:
    rows: list[TraineeRow]
    page: int
    pages: int
    total: int


@functools.cache
def trainee_rows() -> Select[*tuple[Any, ...]]:
    """Every trainee of a cohort with their counted attempt's figures, as `TraineeRow` columns
    (labelled ``attempt_id``, ``score``, ``in_progress`` … for callers that filter on them); the
    scope comes in `scope_parameters`. Built once: composing it cost as much as running it."""
    cohort_id, exercise_id = scope_bindings()
    # Joined once, not a correlated EXISTS: SQLite ran that per trainee over the whole cohort's
    # attempts (10,000 × 10,000 rows for a large cohort).
    counted_attempt = aliased(Attempt)
    working = (
        select(Attempt.user_id)
        .where(
            Attempt.cohort_id == cohort_id,
            Attempt.exercise_id == exercise_id,
            Attempt.submitted_at.is_(None),
        )
        .group_by(Attempt.user_id)
        .subquery("working")
    )
    return with_counted(
        select(
            User.id,
            User.username,
            User.display_name,
            User.is_demo,
            CountedSubmission.attempt_id,
            CountedSubmission.score,
            CountedSubmission.precision,
            CountedSubmission.recall,
            seconds_between(counted_attempt.started_at, counted_attempt.submitted_at),
            counted_attempt.submitted_at,
            counted_attempt.late,
            working.c.user_id.is_not(None).label("in_progress"),
            CountedSubmission.false_positives,
            select(func.sum(FeedbackPoints.points))
            .where(FeedbackPoints.attempt_id == CountedSubmission.attempt_id)
            .scalar_subquery(),
        ),
        counted_attempt,
    ).outerjoin(working, working.c.user_id == User.id)


def with_counted(query: Select[*tuple[Any, ...]], counted_attempt: Any) -> Select[*tuple[Any, ...]]:
    """``query`` (of columns of ``User`` first) over every trainee of the bound cohort, each with
    their counted submission and its attempt (``counted_attempt``), outer-joined: not every
    trainee has them (`scope_parameters` gives the scope)."""
    cohort_id, exercise_id = scope_bindings()
    return (
        query.join(cohort_trainees, cohort_trainees.c.user_id == User.id)
        # Joined on its key, not as a subquery: SQLite scanned a subquery once per trainee.
        .outerjoin(
            CountedSubmission,
            (CountedSubmission.cohort_id == cohort_id)
            & (CountedSubmission.exercise_id == exercise_id)
            & (CountedSubmission.user_id == User.id),
        )
        .outerjoin(counted_attempt, counted_attempt.id == CountedSubmission.attempt_id)
        .where(cohort_trainees.c.cohort_id == cohort_id)
    )


@functools.cache
def _shown_rows(dialect: str) -> Select[*tuple[Any, ...]]:
    if dialect == "postgresql":
        # One array parameter: an expanded IN renders a cast for each of the ~500 ids at every execution.
        return trainee_rows().where(User.id == any_(bindparam("user_ids", type_=postgresql.ARRAY(Integer))))
    return trainee_rows().where(User.id.in_(bindparam("user_ids", expanding=True)))


def trainee_rows_of(db: Session, scope: Scope, user_ids: Iterable[int]) -> list[TraineeRow]:
    """The rows of the given trainees of the cohort, in no particular order."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    shown = _shown_rows(db.get_bind().dialect.name)
    return [TraineeRow(*row) for row in db.execute(shown, {**scope_parameters(scope), "user_ids": wanted})]


def page_of(total: int, page: int, *, per_page: int = TRAINEES_PER_PAGE) -> tuple[int, int]:
    """The page of a table of ``total`` trainees to show (``page`` kept within the table) and how
    many pages there are."""
    pages = max(1, math.ceil(total / per_page))
    return min(max(page, 1), pages), pages


def submitted_attempts(scope: Scope, user_id: int) -> Select[Attempt]:
    """A trainee's submitted attempts at the exercise for the scope's cohort, newest first."""
    return (
        select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.number.desc(), Attempt.id.desc())
    )
