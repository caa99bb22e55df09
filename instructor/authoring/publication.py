"""Publishing an exercise, its availability window, and setting it for cohorts."""

from __future__ import annotations

import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, grading
from app.models import Assignment, Cohort, Exercise, ExerciseState, User


def set_publishing(
    db: Session,
    exercise: Exercise,
    state: str,
    available_from: datetime.datetime | None,
    available_until: datetime.datetime | None,
) -> None:
    """Change the state and availability window; ValueError says why a change is refused."""
    if available_from and available_until and available_until <= available_from:
        raise ValueError("The window must end after it starts.")
    if state == ExerciseState.PUBLISHED:
        items = grading.current_key_version(db, exercise.id).items
        if not any(not item.decoy for item in items):
            raise ValueError(
                "Add at least one key item (not a decoy) before publishing: trainees are scored against it."
            )
    exercise.state = ExerciseState(state)
    exercise.available_from = available_from
    exercise.available_until = available_until


def assignable_cohorts(db: Session, user: User, exercise: Exercise) -> list[Cohort]:
    """Cohorts ``user`` teaches (all for an admin) that the exercise is not set for yet."""
    query = select(Cohort).order_by(Cohort.name)
    if not user.is_admin:
        query = query.where(Cohort.instructors.any(User.id == user.id))
    assigned = {assignment.cohort_id for assignment in exercise.assignments}
    return [cohort for cohort in db.scalars(query) if cohort.id not in assigned]


def assign(
    db: Session,
    actor: User,
    exercise: Exercise,
    cohort: Cohort,
    deadline: datetime.datetime | None,
    *,
    allow_late: bool = False,
    cohort_view: bool = False,
) -> Assignment:
    """Set a published exercise for a cohort. The caller checked that ``actor`` teaches it."""
    if exercise.state != ExerciseState.PUBLISHED:
        raise ValueError("Publish the exercise before setting it for a cohort.")
    assignment = Assignment(
        cohort_id=cohort.id,
        exercise_id=exercise.id,
        deadline=deadline,
        allow_late=allow_late,
        cohort_view=cohort_view,
    )
    db.add(assignment)
    detail = {
        "deadline": deadline.isoformat() if deadline else None,
        "allow_late": allow_late,
        "cohort_view": cohort_view,
    }
    audit.record(db, actor, "cohort.exercise_assigned", cohort=cohort, exercise=exercise, detail=detail)
    return assignment
