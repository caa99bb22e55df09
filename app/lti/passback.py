"""Grades back to the LMS (Assignment and Grade Services), with a queue that survives an LMS outage.

Every new current score marks the trainee's grade on each line item fed by the exercise as
pending, in the same transaction as the score. Delivery sends the trainee's newest score with its
own timestamp, after the request's commit, and again from ``crosscheck lti-retry`` or any later
submission or rescore, with a growing wait after each failure. One row per line item and trainee,
and a comparison with the score the LMS already has, so an old score never goes over a newer one.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import click
import requests
from flask import current_app, g, has_request_context
from flask.cli import with_appcontext
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import db as database
from app import feedback
from app.deadlines import as_utc
from app.lti.adapter import service_connector
from app.models import (
    Attempt,
    LtiAccount,
    LtiContext,
    LtiGradeSync,
    LtiPlatform,
    LtiResourceLink,
    Score,
    cohort_trainees,
    utcnow,
)

if TYPE_CHECKING:
    from pylti1p3.assignments_grades import TAssignmentsGradersData

SCORE_MAXIMUM = 100.0
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
log = logging.getLogger(__name__)


@functools.cache
def _linked_trainees() -> Select[int, int, int]:
    """Each line item of ``exercise_ids`` with each of ``user_ids`` it grades (trainees of the linked
    cohort with an account on its platform); built once, as every submit asks it."""
    return (
        select(LtiResourceLink.id, LtiResourceLink.exercise_id, cohort_trainees.c.user_id)
        .join(LtiContext, LtiContext.id == LtiResourceLink.context_id)
        .join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
        .join(cohort_trainees, cohort_trainees.c.cohort_id == LtiContext.cohort_id)
        .join(LtiAccount, (LtiAccount.user_id == cohort_trainees.c.user_id) & (LtiAccount.issuer == LtiPlatform.issuer))
        .where(
            LtiResourceLink.lineitem_url.is_not(None),
            LtiResourceLink.exercise_id.in_(bindparam("exercise_ids", expanding=True)),
            cohort_trainees.c.user_id.in_(bindparam("user_ids", expanding=True)),
        )
    )


def queue(db: Session, scores: Sequence[Score]) -> int:
    """Mark the grades of these scores' trainees pending on every line item their exercise feeds."""
    attempts = {score.attempt_id: db.get(Attempt, score.attempt_id) for score in scores}
    wanted = {(attempt.user_id, attempt.exercise_id) for attempt in attempts.values() if attempt is not None}
    if not wanted:
        return 0
    rows = db.execute(
        _linked_trainees(),
        {
            "exercise_ids": sorted({exercise for _, exercise in wanted}),
            "user_ids": sorted({user for user, _ in wanted}),
        },
    ).all()
    values = [
        {"resource_link_id": link_id, "user_id": user_id, "next_attempt_at": utcnow()}
        for link_id, exercise_id, user_id in rows
        if (user_id, exercise_id) in wanted
    ]
    if values:
        insert = postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(LtiGradeSync).values(values)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["resource_link_id", "user_id"],
                set_={
                    "pending": True,
                    "generation": LtiGradeSync.generation + 1,
                    "failures": 0,
                    "next_attempt_at": statement.excluded.next_attempt_at,
                    "last_error": "",
                },
            )
        )
        if has_request_context():
            g.lti_grades_due = True
    return len(values)


def queue_on_new_scores(db: Session, scores: Sequence[Score]) -> None:
    """The receiver of ``grading.scores_stored``."""
    queue(db, scores)


def queue_on_new_points(db: Session, attempt: Attempt) -> None:
    """The receiver of ``feedback.points_changed``: the final score changed with the instructor's points."""
    score = db.scalar(select(Score).where(Score.attempt_id == attempt.id, Score.is_current.is_(True)).limit(1))
    if score is not None:
        queue(db, [score])


def current_score(db: Session, user_id: int, exercise_id: int) -> Score | None:
    """The trainee's grade for an exercise: the current score of their latest submitted attempt."""
    return db.scalar(
        select(Score)
        .join(Attempt, Attempt.id == Score.attempt_id)
        .where(
            Attempt.user_id == user_id,
            Attempt.exercise_id == exercise_id,
            Attempt.submitted_at.is_not(None),
            Score.is_current.is_(True),
        )
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def grade_for(score: Score, sub: str, *, instructor_points: float = 0.0, graded_at: datetime | None = None) -> Grade:
    """The AGS score message: the final score (automatic plus the instructor's points) out of 100,
    completed and fully graded, naming the debrief; timed at the last change of either part."""
    attempt = score.attempt
    given = feedback.final_score(score.score, instructor_points)
    parts = f" (automatic {score.score:.0f}, instructor {instructor_points:+g})" if instructor_points else ""
    return (
        Grade()
        .set_score_given(round(given, 2))
        .set_score_maximum(SCORE_MAXIMUM)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp((graded_at or as_utc(score.created_at)).isoformat())
        .set_user_id(sub)
        .set_comment(
            f"Crosscheck debrief of “{attempt.exercise.title}”, attempt {attempt.number}: "
            f"{given:.0f} / 100{parts} (key version {score.key_version.number})."
        )
    )


class Superseded(Exception):
    """The LMS holds a newer score than the one we would send."""


def _send(db: Session, sync: LtiGradeSync, score: Score) -> None:
    link = sync.resource_link
    platform = link.context.platform
    sub = db.scalar(
        select(LtiAccount.sub).where(LtiAccount.user_id == sync.user_id, LtiAccount.issuer == platform.issuer)
    )
    if sub is None:
        raise LtiException(f"The trainee has no account on {platform.issuer} any more.")
    service = AssignmentsGradesService(
        service_connector(db, platform),
        # Scopes and line item are the platform's own strings, stored as the launch gave them.
        cast("TAssignmentsGradersData", {"scope": link.ags_scopes, "lineitem": link.lineitem_url}),
    )
    try:
        service.put_grade(
            grade_for(
                score,
                sub,
                instructor_points=feedback.instructor_points(db, score.attempt_id),
                graded_at=feedback.graded_at(db, score),
            )
        )
    except LtiServiceException as error:
        # AGS: a score older than the platform's latest is refused with 409.
        if error.response.status_code == 409:
            raise Superseded(str(error)) from error
        raise


def _wait_after(failures: int) -> timedelta:
    return min(FIRST_RETRY * 2.0 ** (failures - 1), LONGEST_WAIT)


def deliver(db: Session, sync: LtiGradeSync) -> bool:
    """Send one pending grade if there is something newer to send; True when the LMS has it. Commits."""
    generation = sync.generation
    score = current_score(db, sync.user_id, sync.resource_link.exercise_id)
    # A change of the instructor's points makes a newer grade of the same score.
    graded = feedback.graded_at(db, score) if score is not None else None
    newer = graded is not None and (sync.sent_timestamp is None or graded > as_utc(sync.sent_timestamp))
    try:
        if newer and score is not None:
            _send(db, sync, score)
            sync.sent_score_id, sync.sent_timestamp = score.id, graded
    except Superseded:
        log.info("grade %s: the LMS already holds a newer score", sync.id)
    except (LtiException, requests.RequestException) as error:
        sync.failures += 1
        sync.next_attempt_at = utcnow() + _wait_after(sync.failures)
        sync.last_error = str(error)[:1000]
        db.commit()
        log.warning("grade %s not delivered (try %d): %s", sync.id, sync.failures, error)
        return False
    # Done unless a newer score was queued while we were sending; that one goes next time.
    db.execute(
        update(LtiGradeSync)
        .where(LtiGradeSync.id == sync.id, LtiGradeSync.generation == generation)
        .values(pending=False, failures=0, last_error="")
    )
    db.commit()
    return True


@dataclass(frozen=True)
class Delivery:
    delivered: int
    waiting: int


def deliver_due(db: Session, *, limit: int, now: datetime | None = None) -> Delivery:
    """Try every pending grade whose wait is over (up to ``limit``), oldest first."""
    due = list(
        db.scalars(
            select(LtiGradeSync)
            .where(LtiGradeSync.pending.is_(True), LtiGradeSync.next_attempt_at <= (now or utcnow()))
            .order_by(LtiGradeSync.next_attempt_at)
            .limit(limit)
        )
    )
    delivered = sum(deliver(db, sync) for sync in due)
    return Delivery(delivered, waiting_count(db))


def waiting_count(db: Session, cohort_id: int | None = None) -> int:
    """Grades not yet with the LMS, in one cohort or everywhere."""
    query = select(func.count()).select_from(LtiGradeSync).where(LtiGradeSync.pending.is_(True))
    if cohort_id is not None:
        query = (
            query.join(LtiResourceLink, LtiResourceLink.id == LtiGradeSync.resource_link_id)
            .join(LtiContext, LtiContext.id == LtiResourceLink.context_id)
            .where(LtiContext.cohort_id == cohort_id)
        )
    return int(db.scalar(query) or 0)


def deliver_after_request(response: Any) -> Any:
    """After a submission or rescore was committed, send what is due (the new grades and older retries)."""
    if g.pop("lti_grades_due", False) and response.status_code < 400:
        deliver_due(database.session(), limit=int(current_app.config["LTI_PASSBACK_BATCH"]))
    return response


@click.command("lti-retry")
@click.option("--all", "everything", is_flag=True, help="Do not wait for each grade's backoff to pass.")
@with_appcontext
def lti_retry(everything: bool) -> None:
    """Send the grades still waiting for the LMS."""
    db = database.session()
    far_future = utcnow() + timedelta(days=365 * 100)
    result = deliver_due(db, limit=10_000, now=far_future if everything else None)
    click.echo(f"{result.delivered} grades delivered; {result.waiting} waiting for the LMS.")
