"""A trainee's attempts: finding their own, starting or resuming one, whether it may still change,
and its revision, which every change bumps so a second tab learns it is behind."""

from __future__ import annotations

import functools
from collections.abc import Collection

from sqlalchemy import DateTime, Integer, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.dml import ReturningUpdate

from app.deadlines import Deadline, deadline_for, now
from app.models import Assignment, Attempt, Exercise, Flag, User, cohort_trainees, utcnow
from app.trainee import standing
from app.trainee.open_exercises import attempts_allowed, open_exercise


class AttemptClosed(Exception):
    """The attempt can no longer change: it was submitted, or its exercise closed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoAttemptsLeft(Exception):
    """Every attempt the trainee is allowed has been submitted."""


def own_attempt(
    db: Session,
    user: User,
    attempt_id: int,
    *,
    with_flags: bool = True,
    with_links: bool = True,
    only_flags: Collection[str] | None = None,
) -> Attempt | None:
    """The attempt if it is ``user``'s; None otherwise, so others' attempts look missing.

    Its flags come loaded unless ``with_flags`` is False (a submit reads them as rows to score
    them: ``grading.flags_of``), with their links unless ``with_links`` is False: a change to one flag
    needs only that flag's links, and loading every flag's makes each autosave slower as flags add up.
    With ``only_flags``, ``attempt.flags`` holds only the flags with those client ids, for the same
    reason: a change names the flags it touches. Those few are joined to the attempt's own query,
    which saves a change a round trip each for its flags and their links.
    """
    if not with_flags:
        return standing.own_attempt(db, user, attempt_id)
    if only_flags is None:
        every = selectinload(Attempt.flags)
        return standing.own_attempt(db, user, attempt_id, every.selectinload(Flag.links) if with_links else every)
    named = joinedload(Attempt.flags.and_(Flag.client_id.in_(list(only_flags))))
    return standing.own_attempt(db, user, attempt_id, named.joinedload(Flag.links) if with_links else named)


def assigning_cohort(db: Session, user: User, exercise_id: int) -> int | None:
    """The cohort a new attempt at the exercise is made for: the lowest-numbered of ``user``'s
    cohorts that set it (the same rule the migration used for older work)."""
    return db.scalar(
        select(func.min(Assignment.cohort_id))
        .join(cohort_trainees, cohort_trainees.c.cohort_id == Assignment.cohort_id)
        .where(cohort_trainees.c.user_id == user.id, Assignment.exercise_id == exercise_id)
    )


def start_or_resume(db: Session, user: User, exercise: Exercise) -> Attempt:
    """The trainee's open attempt at ``exercise``, or a new one (for their assigning cohort) if another is allowed.

    Raises NoAttemptsLeft when every allowed attempt has been submitted, AttemptClosed when the
    deadline has passed.
    """
    cohort_id = assigning_cohort(db, user, exercise.id)
    for _ in range(2):
        attempts = list(
            db.scalars(
                select(Attempt)
                .where(Attempt.user_id == user.id, Attempt.exercise_id == exercise.id)
                .order_by(Attempt.number)
            )
        )
        open_attempt = next((attempt for attempt in attempts if attempt.submitted_at is None), None)
        if open_attempt is not None:
            return open_attempt
        if len(attempts) >= attempts_allowed(db, user, exercise):
            raise NoAttemptsLeft
        deadline = deadline_for(db, user.id, cohort_id, exercise.id)
        if deadline.closes(now()):
            raise AttemptClosed(f"The deadline for this exercise passed at {deadline.at:%Y-%m-%d %H:%M} UTC.")
        attempt = Attempt(user_id=user.id, exercise_id=exercise.id, cohort_id=cohort_id, number=len(attempts) + 1)
        db.add(attempt)
        try:
            db.commit()
        except IntegrityError:
            # Another tab started the same attempt a moment ago: resume that one.
            db.rollback()
            continue
        return attempt
    raise AttemptClosed("The attempt could not be started; reload the page.")


def can_start_new(db: Session, user: User, exercise: Exercise) -> bool:
    """Whether the trainee may start another attempt now: all submitted, one more allowed, still open."""
    submitted = list(
        db.scalars(select(Attempt.submitted_at).where(Attempt.user_id == user.id, Attempt.exercise_id == exercise.id))
    )
    if any(moment is None for moment in submitted) or len(submitted) >= attempts_allowed(db, user, exercise):
        return False
    return open_exercise(db, user, exercise.id) is not None


def exercise_open_to(db: Session, user: User, attempt: Attempt) -> bool:
    """Whether the attempt's exercise is open and set for ``user`` (as read with the attempt, if it was)."""
    known = standing.standing_of(db, attempt)
    return known.exercise_open if known else open_exercise(db, user, attempt.exercise_id) is not None


def deadline_of(db: Session, user: User, attempt: Attempt) -> Deadline:
    """The attempt's deadline (as read with the attempt, if it was)."""
    known = standing.standing_of(db, attempt)
    return known.deadline if known else deadline_for(db, user.id, attempt.cohort_id, attempt.exercise_id)


def ensure_editable(db: Session, user: User, attempt: Attempt) -> None:
    """Raise AttemptClosed unless the attempt is in progress, before its deadline, and its exercise open."""
    deadline = deadline_of(db, user, attempt)
    if deadline.closes(now()):
        raise AttemptClosed(
            f"The deadline passed at {deadline.at:%Y-%m-%d %H:%M} UTC: nothing more can change, and "
            "your work was submitted as it stood at your last save."
        )
    if attempt.submitted_at is not None:
        raise AttemptClosed("This attempt was submitted; a submission is final.")
    if not exercise_open_to(db, user, attempt):
        raise AttemptClosed("This exercise is closed.")


def bump_revision(db: Session, attempt: Attempt) -> int:
    """Count one change to the attempt, atomically, and only while it is unsubmitted."""
    revision = db.scalar(_bump(), {"attempt_id": attempt.id, "moment": utcnow()})
    if revision is None:
        raise AttemptClosed("This attempt was submitted; a submission is final.")
    return revision


@functools.cache
def _bump() -> ReturningUpdate[int]:
    """The revision update, ``attempt_id`` and ``moment`` bound at execution; built once, as
    composing it cost a save more CPU than running it."""
    return (
        update(Attempt)
        .where(Attempt.id == bindparam("attempt_id", type_=Integer), Attempt.submitted_at.is_(None))
        .values(revision=Attempt.revision + 1, last_activity_at=bindparam("moment", type_=DateTime(timezone=True)))
        .returning(Attempt.revision)
        .execution_options(synchronize_session=False)
    )


def current_revision(db: Session, attempt: Attempt) -> int:
    """The attempt's revision as stored now (another tab may have moved it on)."""
    return int(db.scalar(select(Attempt.revision).where(Attempt.id == attempt.id)) or 0)
