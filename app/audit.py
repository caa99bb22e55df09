"""The audit trail: who changed what, when, in which cohort or exercise; one log line per event.

``record`` adds the row to the caller's transaction, so a rolled-back action leaves no row and
an action never commits without one. The log line is written when that transaction commits, so
the log, too, tells only of what happened. Details carry ids and counts, never a password or token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.deadlines import as_utc, now
from app.models import AuditEvent, Cohort, Exercise, User

PENDING_LINES = "crosscheck.audit.pending"
PAGE_SIZE = 50
CSV_COLUMNS = ("occurred_at", "actor", "action", "cohort_id", "cohort", "exercise_id", "exercise", "detail")

log = logging.getLogger(__name__)

AuditRow = tuple[AuditEvent, str | None, str | None]
"""An event with the current name of its cohort and slug of its exercise (None: none, or gone)."""


def record(
    db: Session,
    actor: User | None,
    action: str,
    *,
    cohort: Cohort | None = None,
    exercise: Exercise | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row for ``action`` by ``actor`` (None: a command or the system) to ``db``'s
    transaction; its log line follows when that transaction commits."""
    if any(thing is not None and thing.id is None for thing in (actor, cohort, exercise)):
        db.flush()
    entry = AuditEvent(
        occurred_at=now(),
        actor_id=actor.id if actor else None,
        actor_username=actor.username if actor else None,
        action=action,
        cohort_id=cohort.id if cohort else None,
        exercise_id=exercise.id if exercise else None,
        detail=dict(detail or {}),
    )
    db.add(entry)
    db.info.setdefault(PENDING_LINES, []).append(log_line(entry))
    return entry


def log_line(entry: AuditEvent) -> str:
    """The event in one line: action, actor, cohort, exercise and detail."""
    parts = [entry.action, f"by {entry.actor_username or 'system'}"]
    if entry.actor_id is not None:
        parts.append(f"(user {entry.actor_id})")
    if entry.cohort_id is not None:
        parts.append(f"cohort {entry.cohort_id}")
    if entry.exercise_id is not None:
        parts.append(f"exercise {entry.exercise_id}")
    if entry.detail:
        parts.append(json.dumps(entry.detail, sort_keys=True, ensure_ascii=False))
    return " ".join(parts)


@event.listens_for(Session, "after_commit")
def _log_committed(db: Session) -> None:
    for line in db.info.pop(PENDING_LINES, ()):
        log.info("%s", line)


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted(db: Session, transaction: SessionTransaction) -> None:
    # After a commit the lines are already logged; after a rollback they never happened.
    if transaction.parent is None:
        db.info.pop(PENDING_LINES, None)


@dataclass(frozen=True)
class AuditFilter:
    """What the admin narrowed the trail to; None: any."""

    action: str | None = None
    actor: str | None = None
    cohort_id: int | None = None
    exercise_id: int | None = None


def filtered(criteria: AuditFilter) -> Select[AuditEvent, str, str]:
    """Events matching ``criteria``, newest first, with the current name of their cohort and exercise."""
    query = (
        select(AuditEvent, Cohort.name, Exercise.slug)
        .outerjoin(Cohort, Cohort.id == AuditEvent.cohort_id)
        .outerjoin(Exercise, Exercise.id == AuditEvent.exercise_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.actor:
        query = query.where(AuditEvent.actor_username == criteria.actor)
    if criteria.cohort_id is not None:
        query = query.where(AuditEvent.cohort_id == criteria.cohort_id)
    if criteria.exercise_id is not None:
        query = query.where(AuditEvent.exercise_id == criteria.exercise_id)
    return query


def page(db: Session, criteria: AuditFilter, number: int) -> tuple[list[AuditRow], bool]:
    """Page ``number`` (from 1) of the matching events, and whether a later page exists."""
    rows = db.execute(filtered(criteria).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    events: list[AuditRow] = [(entry, cohort_name, exercise_slug) for entry, cohort_name, exercise_slug in rows]
    return events[:PAGE_SIZE], len(events) > PAGE_SIZE


def actions(db: Session) -> list[str]:
    """Every action the trail holds, for the filter's choices."""
    return list(db.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def csv_rows(db: Session, criteria: AuditFilter) -> Iterator[list[Any]]:
    """The matching events as CSV rows under ``CSV_COLUMNS``, newest first, read in batches."""
    yield list(CSV_COLUMNS)
    result = db.execute(filtered(criteria).execution_options(yield_per=500))
    for entry, cohort_name, exercise_slug in result:
        yield [
            as_utc(entry.occurred_at).isoformat(),
            entry.actor_username or "system",
            entry.action,
            entry.cohort_id,
            cohort_name,
            entry.exercise_id,
            exercise_slug,
            json.dumps(entry.detail, sort_keys=True, ensure_ascii=False),
        ]
