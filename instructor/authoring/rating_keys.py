"""The instructor's Admiralty source ratings of an exercise's articles, stored with the key."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app import audit, grading
from app.models import Exercise, User
from instructor.authoring.keys import KeySaved, has_submissions
from scoring.types import RatingKey


def save_ratings(
    db: Session, user: User, exercise: Exercise, ratings: tuple[RatingKey, ...], note: str = ""
) -> KeySaved:
    """Store the exercise's source ratings (empty: none asked).

    Before any submission the current key version changes in place; afterwards a new version
    keeps the items and every submission is rescored. The caller commits.
    """
    exercise.edited_in_app = True
    current = grading.current_key_version(db, exercise.id)
    if not has_submissions(db, exercise.id):
        current.ratings = ratings
        if note:
            current.note = note
        db.flush()
        audit.record(
            db, user, "exercise.ratings_saved", exercise=exercise, detail={"version": current.number, "in_place": True}
        )
        return KeySaved(current, False, 0)
    version, rescored = grading.add_key_version(
        db,
        exercise,
        current.items,
        ratings=ratings,
        origin="editor",
        note=note or "source ratings changed",
        user=user,
    )
    return KeySaved(version, True, rescored)
