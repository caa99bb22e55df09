"""Which exercises a trainee can see, and where they stand in each: attempts allowed, flags, score."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.deadlines import as_utc, close_overdue, now
from app.models import (
    Assignment,
    Attempt,
    AttemptGrant,
    Cohort,
    Exercise,
    ExerciseState,
    Flag,
    Score,
    User,
    cohort_trainees,
    utcnow,
)


def is_open(now: datetime | ColumnElement[datetime]) -> Any:
    """SQL condition: published and inside its availability window (``now`` a moment, or bound later)."""
    return and_(
        Exercise.state == ExerciseState.PUBLISHED,
        or_(Exercise.available_from.is_(None), Exercise.available_from <= now),
        or_(Exercise.available_until.is_(None), Exercise.available_until > now),
    )


def open_exercise(db: Session, user: User, exercise_id: int) -> Exercise | None:
    """The exercise if it is set for one of ``user``'s cohorts and open now, else None."""
    return db.scalar(
        select(Exercise)
        .join(Assignment, Assignment.exercise_id == Exercise.id)
        .join(cohort_trainees, cohort_trainees.c.cohort_id == Assignment.cohort_id)
        .where(Exercise.id == exercise_id, cohort_trainees.c.user_id == user.id, is_open(utcnow()))
        .limit(1)
    )


def attempts_allowed(db: Session, user: User, exercise: Exercise) -> int:
    """The exercise's own number of attempts plus those an instructor granted this trainee."""
    granted = db.scalar(
        select(func.count())
        .select_from(AttemptGrant)
        .where(AttemptGrant.user_id == user.id, AttemptGrant.exercise_id == exercise.id)
    )
    return max(1, exercise.attempts_allowed or 1) + int(granted or 0)


@dataclass(frozen=True)
class ExerciseStatus:
    """One exercise on a trainee's list, with where they are in it."""

    exercise: Exercise
    deadline: datetime | None
    attempts: list[Attempt]
    allowed: int
    flag_count: int = 0
    score: Score | None = None

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def state(self) -> str:
        """not_started, in_progress or submitted (the latest attempt)."""
        if self.latest is None:
            return "not_started"
        return "in_progress" if self.latest.submitted_at is None else "submitted"

    @property
    def can_start_new(self) -> bool:
        return self.state == "submitted" and len(self.attempts) < self.allowed

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and as_utc(self.deadline) <= now()


@dataclass(frozen=True)
class CohortExercises:
    cohort: Cohort
    exercises: list[ExerciseStatus] = field(default_factory=list)


def my_exercises(db: Session, user: User) -> list[CohortExercises]:
    """Each of ``user``'s cohorts with its open exercises and the trainee's status in each."""
    close_overdue(db, now(), Attempt.user_id == user.id)
    rows = db.execute(
        select(Assignment.cohort_id, Exercise, Assignment.deadline)
        .join(Exercise, Exercise.id == Assignment.exercise_id)
        .join(cohort_trainees, cohort_trainees.c.cohort_id == Assignment.cohort_id)
        .where(cohort_trainees.c.user_id == user.id, is_open(utcnow()))
        .order_by(Exercise.title)
    ).all()
    exercise_ids = {exercise.id for _, exercise, _ in rows}
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.exercise_id.in_(exercise_ids))
        .order_by(Attempt.number)
    ):
        attempts.setdefault(attempt.exercise_id, []).append(attempt)
    statuses: dict[int, ExerciseStatus] = {}
    for exercise_id in exercise_ids:
        exercise = next(exercise for _, exercise, _ in rows if exercise.id == exercise_id)
        mine = attempts.get(exercise_id, [])
        statuses[exercise_id] = ExerciseStatus(
            exercise=exercise,
            deadline=None,
            attempts=mine,
            allowed=attempts_allowed(db, user, exercise),
            flag_count=flag_count(db, mine[-1]) if mine else 0,
            score=submitted_score(db, mine[-1]) if mine else None,
        )
    result = []
    for cohort in sorted(user.cohorts, key=lambda cohort: cohort.name):
        listed = [
            dataclasses.replace(statuses[exercise.id], deadline=deadline)
            for cohort_id, exercise, deadline in rows
            if cohort_id == cohort.id
        ]
        result.append(CohortExercises(cohort, listed))
    return result


def flag_count(db: Session, attempt: Attempt) -> int:
    """How many flags the attempt holds, as stored now."""
    return int(db.scalar(select(func.count()).select_from(Flag).where(Flag.attempt_id == attempt.id)) or 0)


def submitted_score(db: Session, attempt: Attempt) -> Score | None:
    """The current score of a submitted attempt; None before submission, when nothing may show the key."""
    if attempt.submitted_at is None:
        return None
    return db.scalar(select(Score).where(Score.attempt_id == attempt.id, Score.is_current.is_(True)).limit(1))
