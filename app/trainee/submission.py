"""Submitting an attempt: making it final with the trainee's source ratings, and scoring it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.deadlines import now
from app.grading import score_attempt
from app.models import Attempt, Exercise, Flag, Score, SourceRating, User
from app.trainee.attempts import bump_revision, deadline_of, ensure_editable
from scoring.types import SourceRating as GivenRating

MAX_REASON = 300
"""Characters of a source rating's one-line reason."""


def submit(db: Session, user: User, attempt: Attempt, ratings: Sequence[GivenRating] = ()) -> Score:
    """Make the attempt final (late if past a deadline that takes late work), store the trainee's
    source ratings and score it; the caller commits it all at once."""
    ensure_editable(db, user, attempt)
    # Stored as it is now, not as a change to write: the bump wrote it.
    set_committed_value(attempt, "revision", bump_revision(db, attempt))
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
    attempt.submitted_at = now()
    attempt.late = deadline_of(db, user, attempt).passed(attempt.submitted_at)
    db.flush()
    return score_attempt(db, attempt)


def flags_per_category(exercise: Exercise, flags: list[Flag]) -> list[tuple[str, int]]:
    """Each category's name with the number of flags in it, in the exercise's order."""
    return [
        (category.name, sum(1 for flag in flags if flag.category == category.id)) for category in exercise.categories
    ]
