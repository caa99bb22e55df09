"""Submitting an attempt: making it final with the trainee's source ratings, and scoring it."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import Boolean, DateTime, Integer, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningUpdate

from app.deadlines import now
from app.grading import score_attempt
from app.models import Attempt, Exercise, Flag, Score, SourceRating, User, utcnow
from app.trainee.attempts import AttemptClosed, deadline_of, ensure_editable
from scoring.types import SourceRating as GivenRating

MAX_REASON = 300
"""Characters of a source rating's one-line reason."""


def submit(db: Session, user: User, attempt: Attempt, ratings: Sequence[GivenRating] = ()) -> Score:
    """Make the attempt final (late if past a deadline that takes late work), store the trainee's
    source ratings and score it; the caller commits it all at once."""
    ensure_editable(db, user, attempt)
    submitted_at = now()
    late = deadline_of(db, user, attempt).passed(submitted_at)
    # On the connection: the session's ORM-enabled update costs more than the statement.
    revision = (
        db.connection()
        .execute(
            _submission(), {"attempt_id": attempt.id, "moment": utcnow(), "submitted_at": submitted_at, "late": late}
        )
        .scalar()
    )
    if revision is None:
        raise AttemptClosed("This attempt was submitted; a submission is final.")
    # Stored as they are now, not as changes to write: the update wrote them.
    set_committed_value(attempt, "revision", revision)
    set_committed_value(attempt, "submitted_at", submitted_at)
    set_committed_value(attempt, "late", late)
    # An attempt gets its ratings here, once, as it is submitted: there are none to load first.
    set_committed_value(attempt, "ratings", [])
    attempt.ratings.extend(
        SourceRating(
            article_ref=rating.article,
            reliability=rating.reliability,
            credibility=rating.credibility,
            reason=rating.reason,
        )
        for rating in ratings
    )
    db.flush()
    return score_attempt(db, attempt)


@functools.cache
def _submission() -> ReturningUpdate[int]:
    """The update that makes an unsubmitted attempt final and counts it as a change (the revision
    bump of ``bump_revision`` with the submission's columns), returning its revision; built once."""
    return (
        update(Attempt)
        .where(Attempt.id == bindparam("attempt_id", type_=Integer), Attempt.submitted_at.is_(None))
        .values(
            revision=Attempt.revision + 1,
            last_activity_at=bindparam("moment", type_=DateTime(timezone=True)),
            submitted_at=bindparam("submitted_at", type_=DateTime(timezone=True)),
            late=bindparam("late", type_=Boolean),
        )
        .returning(Attempt.revision)
    )


def flags_per_category(exercise: Exercise, flags: list[Flag]) -> list[tuple[str, int]]:
    """Each category's name with the number of flags in it, in the exercise's order."""
    return [
        (category.name, sum(1 for flag in flags if flag.category == category.id)) for category in exercise.categories
    ]
