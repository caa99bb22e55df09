"""An attempt and what decides whether it may change, read in one query.

Every save needs the attempt, its deadline (the trainee's extension or the cohort's), whether its
exercise is still open to the trainee, and the version of the exercise's texts (see
``app.exercise_cache``). Asked one by one they cost four round trips and a commit a save; here
they are one row, kept for the rest of the request in the session's ``info`` (a request has its
own session), so checks later in the request ask no more. A flag change gets the same row from
the update that bumps the attempt's revision (``claim``), one statement for both.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    exists,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.base import ExecutableOption
from sqlalchemy.sql.dml import ReturningUpdate

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

    def allows_change(self, moment: datetime) -> bool:
        """Whether an unsubmitted attempt may change at ``moment`` (``ensure_editable`` says why not)."""
        return self.exercise_open and not self.deadline.closes(moment)


def _of_the_attempt(column: InstrumentedAttribute[Any]) -> ColumnElement[Any]:
    """The attempt row's ``column``, named with its table in a subquery on the row.

    SQLAlchemy writes RETURNING's columns without their table on SQLite, a subquery's too: the
    subquery's ``cohort_id = attempts.cohort_id`` would come out as ``cohort_id = cohort_id``,
    its own column compared with itself.
    """
    return literal_column(f"{Attempt.__tablename__}.{column.key}", column.type)


@functools.cache
def _standing_columns() -> tuple[ScalarSelect[Any], ...]:
    """Per attempt row: its assignment's deadline and whether it takes late work, the trainee's
    extension, whether the exercise is open to ``trainee_id`` at ``now``, and the version of the
    exercise's texts. Each is a subquery on the row, so a SELECT and an UPDATE of attempts share them."""
    cohort_id, exercise_id = _of_the_attempt(Attempt.cohort_id), _of_the_attempt(Attempt.exercise_id)
    assignment = (Assignment.cohort_id == cohort_id) & (Assignment.exercise_id == exercise_id)
    extension = (
        (DeadlineExtension.cohort_id == cohort_id)
        & (DeadlineExtension.exercise_id == exercise_id)
        & (DeadlineExtension.user_id == _of_the_attempt(Attempt.user_id))
    )
    exercise_open = and_(
        is_open(bindparam("now", type_=DateTime(timezone=True))),
        set_for(bindparam("trainee_id", type_=Integer), Exercise.id),
    )
    return tuple(
        query.scalar_subquery()
        for query in (
            select(Assignment.deadline).where(assignment),
            select(Assignment.allow_late).where(assignment),
            select(DeadlineExtension.deadline).where(extension),
            select(exercise_open).where(Exercise.id == exercise_id),
            select(Exercise.updated_at).where(Exercise.id == exercise_id),
        )
    )


def _standing(
    deadline: datetime | None, allow_late: bool | None, extended: datetime | None, exercise_open: bool | None
) -> Standing:
    moment = extended or deadline
    return Standing(Deadline(as_utc(moment) if moment else None, bool(allow_late)), bool(exercise_open))


@functools.cache
def _standing_query() -> Select[Any]:
    """The attempt and its standing, for ``attempt_id``, ``trainee_id`` and ``now`` bound at execution.

    Built once: composing this statement cost a save more CPU than PostgreSQL spends running it.
    """
    return select(Attempt, *_standing_columns()).where(
        Attempt.id == bindparam("attempt_id", type_=Integer), Attempt.user_id == bindparam("trainee_id", type_=Integer)
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
                {"attempt_id": attempt_id, "trainee_id": user.id, "now": utcnow()},
            )
            .unique()
            .first()
        )
        if row is None:
            return None
        attempt: Attempt
        attempt, deadline, allow_late, extended, exercise_open, texts_version = row
        standing = _standing(deadline, allow_late, extended, exercise_open)
        if attempt.submitted_at is None and standing.deadline.closes(now()):
            close_overdue(db, now(), Attempt.id == attempt_id, Attempt.user_id == user.id)
            continue
        db.info.setdefault(INFO_KEY, {})[attempt.id] = standing
        # A trainee's request changes no exercise: the version holds for the rest of it.
        note_version(db, attempt.exercise_id, texts_version)
        return attempt
    return None


@dataclass(frozen=True)
class Claim:
    """An attempt of the trainee's that may change, its revision bumped for the change at hand."""

    attempt_id: int
    exercise_id: int
    revision: int


@functools.cache
def _claim_statement() -> ReturningUpdate[Any]:
    """The revision bump of an unsubmitted attempt of ``trainee_id``, returning its standing."""
    return (
        update(Attempt)
        .where(
            Attempt.id == bindparam("attempt_id", type_=Integer),
            Attempt.user_id == bindparam("trainee_id", type_=Integer),
            Attempt.submitted_at.is_(None),
        )
        .values(revision=Attempt.revision + 1, last_activity_at=bindparam("now", type_=DateTime(timezone=True)))
        .returning(Attempt.exercise_id, Attempt.revision, *_standing_columns())
    )


def claim(db: Session, user: User, attempt_id: int) -> Claim | None:
    """Bump the revision of ``user``'s attempt for a change, if it may change now: one statement
    where reading the attempt and then bumping it took two.

    The update locks the attempt's row until commit, as ``bump_revision`` does. None, with nothing
    changed, for an attempt that is not ``user``'s, is submitted, past its deadline or whose
    exercise is closed: ``own_attempt`` and ``ensure_editable`` then give the exact answer.
    """
    moment = utcnow()
    row = (
        db.connection()
        .execute(_claim_statement(), {"attempt_id": attempt_id, "trainee_id": user.id, "now": moment})
        .first()
    )
    if row is None:
        return None
    exercise_id, revision, deadline, allow_late, extended, exercise_open, texts_version = row
    if not _standing(deadline, allow_late, extended, exercise_open).allows_change(now()):
        db.rollback()
        return None
    note_version(db, exercise_id, texts_version)
    return Claim(attempt_id, exercise_id, revision)


def standing_of(db: Session, attempt: Attempt) -> Standing | None:
    """The standing read with the attempt in this request; None if it was loaded another way."""
    standings: dict[int, Standing] = db.info.get(INFO_KEY, {})
    return standings.get(attempt.id)


def texts_of(db: Session, attempt: Attempt | Claim) -> ExerciseText:
    """The attempt's exercise texts and categories, from this process's cache when current."""
    return exercise_text(db, attempt.exercise_id)
