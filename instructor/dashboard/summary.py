"""Completion and the score distribution of a cohort on one exercise."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, current_scores
from app.models import Attempt, cohort_trainees

HISTOGRAM_BINS = 10
"""Score bins of ten points: 0–9, 10–19, …, 90–100 (100 falls in the last bin)."""


@dataclass(frozen=True)
class Completion:
    """How far the cohort's trainees got with the exercise."""

    trainees: int
    not_started: int
    in_progress: int
    submitted: int


def completion(db: Session, scope: Scope) -> Completion:
    """Count trainees who have not started, are working, or have submitted at least once."""
    per_trainee = (
        select(
            Attempt.user_id,
            func.max(case((Attempt.submitted_at.is_not(None), 1), else_=0)).label("submitted"),
        )
        .join(cohort_trainees, cohort_trainees.c.user_id == Attempt.user_id)
        .where(
            cohort_trainees.c.cohort_id == scope.cohort.id,
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
        )
        .group_by(Attempt.user_id)
        .subquery()
    )
    started, submitted = db.execute(select(func.count(), func.coalesce(func.sum(per_trainee.c.submitted), 0))).one()
    trainees = (
        db.scalar(
            select(func.count()).select_from(cohort_trainees).where(cohort_trainees.c.cohort_id == scope.cohort.id)
        )
        or 0
    )
    return Completion(trainees, trainees - started, started - submitted, submitted)


@dataclass(frozen=True)
class ScoreSummary:
    """The distribution of current scores and of time on task over counted attempts."""

    submissions: int
    mean: float | None
    median: float | None
    histogram: tuple[int, ...]
    """Counts per bin of `HISTOGRAM_BINS`."""
    mean_seconds: float | None
    median_seconds: float | None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    """The middle half of the scores lies between the quartiles (the spread shown)."""

    @property
    def histogram_labels(self) -> list[str]:
        width = 100 // HISTOGRAM_BINS
        return [f"{low}–{low + width - 1 if low + width < 100 else 100}" for low in range(0, 100, width)]


def score_summary(db: Session, scope: Scope) -> ScoreSummary:
    """Mean, median and histogram of scores; mean and median time on task."""
    current = current_scores(scope)
    width = 100 / HISTOGRAM_BINS
    score_bin = case(
        *((current.c.score >= width * index, index) for index in range(HISTOGRAM_BINS - 1, 0, -1)),
        else_=0,
    ).label("bin")
    histogram = [0] * HISTOGRAM_BINS
    for index, count in db.execute(select(score_bin, func.count()).group_by(score_bin)):
        histogram[int(index)] = count
    submissions, mean, mean_seconds = db.execute(
        select(func.count(), func.avg(current.c.score), func.avg(current.c.seconds))
    ).one()
    scores = [float(score) for score in db.scalars(select(current.c.score).order_by(current.c.score))]
    lower, upper = _quartiles(scores)
    return ScoreSummary(
        submissions=submissions,
        mean=float(mean) if mean is not None else None,
        median=_median(db, current.c.score, submissions),
        histogram=tuple(histogram),
        mean_seconds=float(mean_seconds) if mean_seconds is not None else None,
        median_seconds=_median(db, current.c.seconds, submissions),
        lower_quartile=lower,
        upper_quartile=upper,
    )


def _quartiles(ordered: Sequence[float]) -> tuple[float | None, float | None]:
    """The lower and upper quartiles of sorted scores (inclusive method; one score is its own)."""
    if not ordered:
        return None, None
    if len(ordered) == 1:
        return ordered[0], ordered[0]
    lower, _, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return lower, upper


def _median(db: Session, column: Any, count: int) -> float | None:
    """The median of ``column`` over ``count`` rows: the middle value, or the mean of the two."""
    if count == 0:
        return None
    middle = list(db.scalars(select(column).order_by(column).offset((count - 1) // 2).limit(2 - count % 2)))
    return math.fsum(float(value) for value in middle) / len(middle)
