"""Where each trainee of the cohort stands at the exercise, read in one statement per render.

Completion, the score summary, who needs attention and which trainees the table's page shows
are all computed from these rows, so the cohort's trainees are joined once however large it is,
not once per figure. The rows are narrow (numbers and flags, no names or texts) and come in the
trainee table's order, by name as the database sorts it, so the page and each reason's first few
are read off the list in the order the page shows them.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, scope_bindings, scope_parameters, seconds_between
from app.models import Attempt, CountedSubmission, User
from instructor.dashboard.trainees import with_counted


class Standing(NamedTuple):
    """One trainee's standing. A named tuple: a large cohort has tens of thousands."""

    user_id: int
    started: bool
    """Any attempt at the exercise for the cohort, submitted or not."""
    submitted: bool
    """At least one submitted attempt (what completion counts as submitted)."""
    in_progress: bool
    """An attempt not yet submitted (a retry after a submission is one)."""
    counted: bool
    """A counted submission (``app.cohort_figures.tallies``): the figures below are its."""
    score: float | None
    seconds: float | None
    false_positives: int | None
    span_f1: float | None


def _attempts_by_trainee() -> Any:
    """Per trainee with attempts at the scope's exercise for its cohort: whether one is in progress
    and whether one is submitted (1 or 0)."""
    cohort_id, exercise_id = scope_bindings()
    return (
        select(
            Attempt.user_id,
            func.max(case((Attempt.submitted_at.is_(None), 1), else_=0)).label("working"),
            func.max(case((Attempt.submitted_at.is_not(None), 1), else_=0)).label("submitted"),
        )
        .where(Attempt.cohort_id == cohort_id, Attempt.exercise_id == exercise_id)
        .group_by(Attempt.user_id)
        .subquery("by_trainee")
    )


@functools.cache
def standing_query() -> Select[Any]:
    """Every trainee of a cohort with their standing, in the trainee table's order; the scope comes
    in `scope_parameters`. Built once: composing it cost as much as running it."""
    attempts = _attempts_by_trainee()
    return (
        with_counted(
            select(
                User.id,
                attempts.c.user_id.is_not(None),
                func.coalesce(attempts.c.submitted, 0) == 1,
                func.coalesce(attempts.c.working, 0) == 1,
                CountedSubmission.attempt_id.is_not(None),
                CountedSubmission.score,
                seconds_between(Attempt.started_at, Attempt.submitted_at),
                CountedSubmission.false_positives,
                CountedSubmission.span_f1,
            ),
            Attempt,
        )
        .outerjoin(attempts, attempts.c.user_id == User.id)
        .order_by(User.display_name, User.id)
    )


def cohort_standing(db: Session, scope: Scope) -> list[Standing]:
    """Every trainee of the cohort with their standing, in the trainee table's order."""
    # Fetched at once: iterating the result fetches row by row (10,000 driver calls for a large cohort).
    rows = db.connection().execute(standing_query(), scope_parameters(scope)).all()
    return list(map(Standing._make, rows))
