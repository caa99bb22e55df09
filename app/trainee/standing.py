"""An attempt and what decides whether it may change, read in one query.

Every save needs the attempt, its deadline (the trainee's extension or the cohort's), whether its
exercise is still open to the trainee, and the version of the exercise's texts (see
``app.exercise_cache``). Asked one by one they cost four round trips and a commit a save; here
they are one row, kept for the rest of the request in the session's ``info`` (a request has its
own session), so checks later in the request ask no more.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, Select, and_, bindparam, exists, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from app.deadlines import Deadline, as_utc, close_overdue, now
from app.exercise_cache import ExerciseText, exercise_text, note_version
from app.models import (
    Assignment,
    Attempt,
    DeadlineExtension,
    Exercise,
    User,
    cohort_trainees,
    utcnow,
)
from app.trainee.open_exercises import is_open

INFO_KEY = "crosscheck.standing"


def set_for(user_id: Any, exercise_id: Any) -> Any:
    """SQL condition: one of the user's cohorts sets the exercise."""
    return exists().where(
        Assignment.exercise_id == exercise_id,
        Assignment.cohort_id == cohort_trainees.c.cohort_id,
        cohort_trainees.c.user_id == user_id,
    )


@dataclass(frozen=True)
class Standing:
    """Whether an attempt may change, as read with it."""

    deadline: Deadline
    exercise_open: bool
    """Published, inside its window, and set for one of the trainee's cohorts."""


@functools.cache
def _standing_query() -> Select[Attempt, datetime | None, bool, datetime, bool, datetime]:
    """The attempt and its standing, for ``attempt_id``, ``user_id`` and ``now`` bound at execution.

    Built once: composing this statement cost a save more CPU than PostgreSQL spends running it.
    """
    user_id = bindparam("user_id", type_=Integer)
    return (
        select(
            Attempt,
            Assignment.deadline,
            Assignment.allow_late,
            DeadlineExtension.deadline,
            and_(is_open(bindparam("now", type_=DateTime(timezone=True))), set_for(user_id, Attempt.exercise_id)),
            Exercise.updated_at,
        )
        .join(Exercise, Exercise.id == Attempt.exercise_id)
        .outerjoin(
            Assignment,
            (Assignment.cohort_id == Attempt.cohort_id) & (Assignment.exercise_id == Attempt.exercise_id),
        )
        .outerjoin(
            DeadlineExtension,
            (DeadlineExtension.cohort_id == Attempt.cohort_id)
            & (DeadlineExtension.exercise_id == Attempt.exercise_id)
            & (DeadlineExtension.user_id == Attempt.user_id),
        )
        .where(Attempt.id == bindparam("attempt_id", type_=Integer), Attempt.user_id == user_id)
    )


def own_attempt(db: Session, user: User, attempt_id: int, *options: ExecutableOption) -> Attempt | None:
    """The attempt if it is ``user``'s (None otherwise), its standing kept for this request.

    An attempt past a deadline that takes no late work is submitted first, as everywhere.
    """
    for _ in range(2):
        # unique(): an option may load a collection by joining it, one row per member.
        row = (
            db.execute(
                _standing_query().options(*options),
                {"attempt_id": attempt_id, "user_id": user.id, "now": utcnow()},
            )
            .unique()
            .first()
        )
        if row is None:
            return None
        attempt, deadline, allow_late, extended, exercise_open, texts_version = row
        moment = extended or deadline
        standing = Standing(Deadline(as_utc(moment) if moment else None, bool(allow_late)), bool(exercise_open))
        if attempt.submitted_at is None and standing.deadline.closes(now()):
            close_overdue(db, now(), Attempt.id == attempt_id, Attempt.user_id == user.id)
            continue
        db.info.setdefault(INFO_KEY, {})[attempt.id] = standing
        # A trainee's request changes no exercise: the version holds for the rest of it.
        note_version(db, attempt.exercise_id, texts_version)
        return attempt
    return None


def standing_of(db: Session, attempt: Attempt) -> Standing | None:
    """The standing read with the attempt in this request; None if it was loaded another way."""
    standings: dict[int, Standing] = db.info.get(INFO_KEY, {})
    return standings.get(attempt.id)


def texts_of(db: Session, attempt: Attempt) -> ExerciseText:
    """The attempt's exercise texts and categories, from this process's cache when current."""
    return exercise_text(db, attempt.exercise_id)
