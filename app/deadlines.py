"""Deadlines on the server clock: when an attempt's deadline is, and closing what is overdue.

No scheduler runs at the deadline. Whatever reads or changes an attempt, a trainee's list, a
dashboard or an export first closes the attempts in its reach that are overdue, each with the
flags stored at its last acknowledged save and ``submitted_at`` the deadline itself. Closing is a
conditional update, so two processes closing one attempt at once submit and score it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import grading
from app.db import rows_changed
from app.models import Assignment, Attempt, DeadlineExtension


def now() -> datetime:
    """The server's time, from the app's ``CLOCK`` (tests freeze it there)."""
    moment: datetime = current_app.config["CLOCK"]()
    return moment


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Deadline:
    """When work for one assignment is due from one trainee, and whether late work is taken."""

    at: datetime | None
    allow_late: bool = False

    def passed(self, moment: datetime) -> bool:
        return self.at is not None and moment >= self.at

    def closes(self, moment: datetime) -> bool:
        """Whether work must stop at ``moment``: past the deadline and no late work taken."""
        return self.passed(moment) and not self.allow_late


def deadline_for(db: Session, user_id: int, cohort_id: int | None, exercise_id: int) -> Deadline:
    """The trainee's deadline for the cohort's assignment: their extension, else the cohort's."""
    if cohort_id is None:
        return Deadline(None)
    row = db.execute(
        select(Assignment.deadline, Assignment.allow_late, DeadlineExtension.deadline)
        .outerjoin(
            DeadlineExtension,
            (DeadlineExtension.cohort_id == Assignment.cohort_id)
            & (DeadlineExtension.exercise_id == Assignment.exercise_id)
            & (DeadlineExtension.user_id == user_id),
        )
        .where(Assignment.cohort_id == cohort_id, Assignment.exercise_id == exercise_id)
    ).first()
    if row is None:
        return Deadline(None)
    deadline, allow_late, extended = row
    moment = extended or deadline
    return Deadline(as_utc(moment) if moment else None, bool(allow_late))


def close_overdue(db: Session, moment: datetime, *conditions: Any) -> int:
    """Submit and score every open attempt matching ``conditions`` whose deadline closed by ``moment``.

    Commits; returns how many attempts this call closed.
    """
    candidates = db.scalars(
        select(Attempt)
        .join(Assignment, (Assignment.cohort_id == Attempt.cohort_id) & (Assignment.exercise_id == Attempt.exercise_id))
        .where(
            Attempt.submitted_at.is_(None),
            Assignment.deadline.is_not(None),
            Assignment.allow_late.is_(False),
            *conditions,
        )
    ).all()
    closed = 0
    for attempt in candidates:
        deadline = deadline_for(db, attempt.user_id, attempt.cohort_id, attempt.exercise_id)
        if deadline.at is None or not deadline.closes(moment):
            continue
        changed = rows_changed(
            db,
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
            .values(submitted_at=deadline.at)
            .execution_options(synchronize_session=False),
        )
        if changed == 1:
            db.refresh(attempt)
            grading.score_attempt(db, attempt)
            closed += 1
    db.commit()
    return closed
