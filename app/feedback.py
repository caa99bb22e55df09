"""Instructor feedback on a submission: comments for the trainee, and discretionary points on flags.

Comments are about a flag, the note on a flag, or the one-line reason a trainee gave for a source
rating (how they would verify the source). Points are added by hand on a flag, within the caps
of the exercise's policy (`scoring.Policy.instructor_points_per_flag` and
``instructor_points_per_attempt``). They hang on flags, not on scores, so a rescore, which
replaces only the automatic score, keeps them; the final score is the automatic one plus them,
kept within 0–100.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from blinker import Signal
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import audit
from app.db import rows_changed
from app.deadlines import as_utc
from app.models import (
    Attempt,
    Cohort,
    Exercise,
    FeedbackComment,
    FeedbackPoints,
    FeedbackTarget,
    Flag,
    Score,
    User,
    utcnow,
)

MAX_COMMENT = 2000
SCORE_RANGE = (0.0, 100.0)

points_changed = Signal(
    "An instructor changed the discretionary points of an attempt; sent with the session and ``attempt``."
)
"""Whoever sends the final score on (the LMS grade passback) connects here; the caller still commits."""


class FeedbackError(ValueError):
    """The comment or points cannot be saved; the message says why, to the instructor."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotYours(FeedbackError):
    """Only a comment's author may change or delete it."""


@dataclass(frozen=True)
class PointCaps:
    """How many points an instructor may add or take away: on one flag, and on a whole submission."""

    per_flag: float
    per_attempt: float


def point_caps(exercise: Exercise) -> PointCaps:
    """The caps the exercise's policy sets."""
    policy = exercise.policy
    return PointCaps(policy.instructor_points_per_flag, policy.instructor_points_per_attempt)


def final_score(automatic: float, instructor: float) -> float:
    """The automatic score plus the instructor's points, kept within 0–100."""
    low, high = SCORE_RANGE
    return min(high, max(low, automatic + instructor))


def _audit(db: Session, actor: User, action: str, attempt: Attempt, **detail: object) -> None:
    """Record a feedback action on ``attempt`` in the audit trail (ids only, never the comment's text)."""
    cohort = db.get(Cohort, attempt.cohort_id) if attempt.cohort_id is not None else None
    audit.record(
        db,
        actor,
        action,
        cohort=cohort,
        exercise=attempt.exercise,
        detail={"attempt_id": attempt.id, "user_id": attempt.user_id, **detail},
    )


# --- comments -------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise FeedbackError("Write the comment before saving it.")
    if len(text) > MAX_COMMENT:
        raise FeedbackError(f"Keep the comment to {MAX_COMMENT} characters or fewer (it has {len(text)}).")
    return text


def _flag_of(attempt: Attempt, flag_id: int | None) -> Flag:
    flag = next((flag for flag in attempt.flags if flag.id == flag_id), None)
    if flag is None:
        raise FeedbackError("This submission has no such flag.")
    return flag


def add_comment(
    db: Session,
    author: User,
    attempt: Attempt,
    *,
    target: str,
    body: str,
    flag_id: int | None = None,
    article_ref: str | None = None,
) -> FeedbackComment:
    """Comment on a flag, a flag's note or a source rating's reason of a submitted attempt."""
    if attempt.submitted_at is None:
        raise FeedbackError("Only submitted work can be commented on.")
    text = _clean_body(body)
    comment = FeedbackComment(attempt_id=attempt.id, target=target, author_id=author.id, body=text)
    if target in (FeedbackTarget.FLAG, FeedbackTarget.NOTE):
        flag = _flag_of(attempt, flag_id)
        if target == FeedbackTarget.NOTE and not flag.note:
            raise FeedbackError("This flag has no note to comment on; comment on the flag instead.")
        comment.flag_id = flag.id
    elif target == FeedbackTarget.RATING:
        if not any(rating.article_ref == article_ref for rating in attempt.ratings):
            raise FeedbackError("The trainee gave no source rating for this article.")
        comment.article_ref = article_ref
    else:
        raise FeedbackError("Say what the comment is about: the flag, its note or a source rating.")
    db.add(comment)
    db.flush()
    _audit(db, author, "feedback.comment_added", attempt, comment_id=comment.id, on=target)
    return comment


def edit_comment(db: Session, author: User, attempt: Attempt, comment: FeedbackComment, body: str) -> None:
    """Change the text of one's own comment; the trainee sees it as new again."""
    if comment.author_id != author.id:
        raise NotYours("Only the instructor who wrote a comment can change it.")
    comment.body = _clean_body(body)
    comment.updated_at = utcnow()
    comment.read_at = None
    _audit(db, author, "feedback.comment_changed", attempt, comment_id=comment.id)


def delete_comment(db: Session, author: User, attempt: Attempt, comment: FeedbackComment) -> None:
    """Delete one's own comment."""
    if comment.author_id != author.id:
        raise NotYours("Only the instructor who wrote a comment can delete it.")
    _audit(db, author, "feedback.comment_deleted", attempt, comment_id=comment.id)
    db.delete(comment)


def comment_of(db: Session, attempt: Attempt, comment_id: int) -> FeedbackComment | None:
    """The comment if it is on ``attempt``."""
    return db.scalar(
        select(FeedbackComment).where(FeedbackComment.id == comment_id, FeedbackComment.attempt_id == attempt.id)
    )


# --- points ---------------------------------------------------------------------------------------


def set_points(db: Session, author: User, attempt: Attempt, flag_id: int, points: float) -> FeedbackPoints | None:
    """Award (positive) or remove (negative) points on a flag, within the caps; 0 takes them back.

    None when there was nothing to change (0 on a flag without points)."""
    if attempt.submitted_at is None:
        raise FeedbackError("Only submitted work can get points.")
    if not math.isfinite(points):
        raise FeedbackError("Give the points as a number, e.g. 1 or -0.5.")
    flag = _flag_of(attempt, flag_id)
    caps = point_caps(attempt.exercise)
    if abs(points) > caps.per_flag:
        raise FeedbackError(
            f"At most {caps.per_flag:g} points can be added or taken away on one flag (the exercise's policy); "
            f"{points:g} is too many."
        )
    others = db.scalar(
        select(func.coalesce(func.sum(FeedbackPoints.points), 0.0)).where(
            FeedbackPoints.attempt_id == attempt.id, FeedbackPoints.flag_id != flag.id
        )
    )
    total = float(others or 0.0) + points
    if abs(total) > caps.per_attempt:
        raise FeedbackError(
            f"At most {caps.per_attempt:g} points can be added or taken away on one submission (the exercise's "
            f"policy); with these its instructor points would come to {total:g}."
        )
    stored = db.get(FeedbackPoints, flag.id)
    if stored is None and points == 0:
        return None
    # Points taken back stay as a row of 0: its time tells the LMS the final score changed then.
    previous = stored.points if stored is not None else 0.0
    stored = stored or FeedbackPoints(flag_id=flag.id, attempt_id=attempt.id)
    _audit(db, author, "feedback.points_set", attempt, flag_id=flag.id, points=points, previous=previous)
    stored.points = points
    stored.awarded_by_id = author.id
    stored.awarded_at = utcnow()
    db.add(stored)
    db.flush()
    points_changed.send(db, attempt=attempt)
    return stored


def instructor_points(db: Session, attempt_id: int) -> float:
    """The sum of the instructor's points on an attempt."""
    total = db.scalar(
        select(func.coalesce(func.sum(FeedbackPoints.points), 0.0)).where(FeedbackPoints.attempt_id == attempt_id)
    )
    return float(total or 0.0)


def graded_at(db: Session, score: Score) -> datetime:
    """When the final score of ``score``'s attempt last changed: the score, or a later change of points."""
    changed = db.scalar(
        select(func.max(FeedbackPoints.awarded_at)).where(FeedbackPoints.attempt_id == score.attempt_id)
    )
    moments = [as_utc(score.created_at)] + ([as_utc(changed)] if changed else [])
    return max(moments)


# --- what the pages show --------------------------------------------------------------------------


@dataclass
class AttemptFeedback:
    """Everything an instructor said about one attempt, arranged for its pages."""

    caps: PointCaps
    on_flag: dict[int, list[FeedbackComment]] = field(default_factory=lambda: defaultdict(list))
    on_note: dict[int, list[FeedbackComment]] = field(default_factory=lambda: defaultdict(list))
    on_rating: dict[str, list[FeedbackComment]] = field(default_factory=lambda: defaultdict(list))
    points: dict[int, float] = field(default_factory=dict)

    @property
    def total_points(self) -> float:
        return sum(self.points.values())

    @property
    def comment_count(self) -> int:
        return len(self.comments())

    def comments(self) -> list[FeedbackComment]:
        """Every comment, on flags, notes and ratings alike."""
        groups = (*self.on_flag.values(), *self.on_note.values(), *self.on_rating.values())
        return [comment for comments in groups for comment in comments]

    def __bool__(self) -> bool:
        return bool(self.comment_count or self.points)

    def final(self, automatic: float) -> float:
        return final_score(automatic, self.total_points)


def attempt_feedback(db: Session, attempt: Attempt) -> AttemptFeedback:
    """The comments and points on ``attempt``, oldest comment first."""
    feedback = AttemptFeedback(point_caps(attempt.exercise))
    comments = db.scalars(
        select(FeedbackComment).where(FeedbackComment.attempt_id == attempt.id).order_by(FeedbackComment.id)
    )
    for comment in comments:
        if comment.target == FeedbackTarget.RATING and comment.article_ref is not None:
            feedback.on_rating[comment.article_ref].append(comment)
        elif comment.target == FeedbackTarget.NOTE and comment.flag_id is not None:
            feedback.on_note[comment.flag_id].append(comment)
        elif comment.flag_id is not None:
            feedback.on_flag[comment.flag_id].append(comment)
    for stored in db.scalars(
        select(FeedbackPoints).where(FeedbackPoints.attempt_id == attempt.id, FeedbackPoints.points != 0)
    ):
        feedback.points[stored.flag_id] = stored.points
    return feedback


@dataclass(frozen=True)
class UnreadNotice:
    """New comments on one of the trainee's submissions, for "My exercises"."""

    attempt_id: int
    exercise_title: str
    attempt_number: int
    count: int


def unread_notices(db: Session, user: User) -> list[UnreadNotice]:
    """The trainee's submissions with comments they have not read yet, newest first."""
    rows = db.execute(
        select(Attempt.id, Exercise.title, Attempt.number, func.count(FeedbackComment.id))
        .join(FeedbackComment, FeedbackComment.attempt_id == Attempt.id)
        .join(Exercise, Exercise.id == Attempt.exercise_id)
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None), FeedbackComment.read_at.is_(None))
        .group_by(Attempt.id, Exercise.title, Attempt.number)
        .order_by(Attempt.id.desc())
    )
    return [UnreadNotice(*row) for row in rows]


def mark_read(db: Session, attempt: Attempt, moment: datetime) -> int:
    """Mark every unread comment on ``attempt`` read at ``moment`` (the trainee opened the debrief)."""
    return rows_changed(
        db,
        update(FeedbackComment)
        .where(FeedbackComment.attempt_id == attempt.id, FeedbackComment.read_at.is_(None))
        .values(read_at=moment)
        .execution_options(synchronize_session=False),
    )
