"""Completion and the score distribution of a cohort on one exercise."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
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
    median_false_positives: float | None = None
    median_span_f1: float | None = None
    """The median SemEval span F1 regardless of category (the ceiling's figure beside the experts')."""

    @property
    def histogram_labels(self) -> list[str]:
        width = 100 // HISTOGRAM_BINS
        return [f"{low}–{low + width - 1 if low + width < 100 else 100}" for low in range(0, 100, width)]


def score_summary(db: Session, scope: Scope) -> ScoreSummary:
    """Mean, median, quartiles and histogram of scores; mean and median time on task; the median
    false positives (what `instructor.dashboard.attention` measures "many" against)."""
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
    ranked = _ranked(db, current, submissions)
    scores, seconds, false_positives = ranked["score"], ranked["seconds"], ranked["false_positives"]
    lower, upper = _quartiles(scores, submissions)
    return ScoreSummary(
        submissions=submissions,
        mean=float(mean) if mean is not None else None,
        median=median_at_ranks(scores, submissions),
        histogram=tuple(histogram),
        mean_seconds=float(mean_seconds) if mean_seconds is not None else None,
        median_seconds=median_at_ranks(seconds, submissions),
        lower_quartile=lower,
        upper_quartile=upper,
        median_false_positives=median_at_ranks(false_positives, submissions),
        median_span_f1=median_at_ranks(ranked["span_f1"], submissions),
    )


def middle_ranks(count: int) -> set[int]:
    """The 0-based ranks the median of ``count`` values reads."""
    return {(count - 1) // 2, count // 2}


def _quartile_ranks(count: int) -> set[int]:
    """The 0-based ranks the quartiles of ``count`` values read (`statistics.quantiles`, inclusive)."""
    last = count - 1
    return {rank for i in (1, 3) for rank in (i * last // 4, min(i * last // 4 + 1, last))}


def _ranked(db: Session, current: Any, count: int) -> dict[str, dict[int, float]]:
    """The values at the ranks the medians and quartiles read, by column and 0-based rank: one
    query that ranks in the database, rather than every trainee's row read into Python."""
    if count == 0:
        return {"score": {}, "seconds": {}, "false_positives": {}, "span_f1": {}}
    columns = {
        "score": current.c.score,
        "seconds": current.c.seconds,
        "false_positives": func.coalesce(current.c.false_positives, 0),
        "span_f1": current.c.span_f1,
    }
    wanted = {
        "score": middle_ranks(count) | _quartile_ranks(count),
        "seconds": middle_ranks(count),
        "false_positives": middle_ranks(count),
        "span_f1": middle_ranks(count),
    }
    ranks = select(
        *(column.label(name) for name, column in columns.items()),
        *((func.row_number().over(order_by=column) - 1).label(f"{name}_rank") for name, column in columns.items()),
    ).subquery("ranked")
    query = select(ranks).where(or_(*(ranks.c[f"{name}_rank"].in_(sorted(wanted[name])) for name in columns)))
    found: dict[str, dict[int, float]] = {name: {} for name in columns}
    for row in db.execute(query).mappings():
        for name in columns:
            if row[f"{name}_rank"] in wanted[name]:
                found[name][row[f"{name}_rank"]] = float(row[name])
    return found


def _quartiles(ranked: dict[int, float], count: int) -> tuple[float | None, float | None]:
    """The lower and upper quartiles (inclusive method, as `statistics.quantiles` computes them;
    one score is its own) from the values at the ranks `_quartile_ranks` names."""
    if count == 0:
        return None, None
    if count == 1:
        return ranked[0], ranked[0]
    last = count - 1
    quartiles = []
    for i in (1, 3):
        j, delta = divmod(i * last, 4)
        quartiles.append((ranked[j] * (4 - delta) + ranked[j + 1] * delta) / 4)
    return quartiles[0], quartiles[1]


def median_at_ranks(ranked: dict[int, float], count: int) -> float | None:
    """The median of ``count`` values: the middle value, or the mean of the two."""
    if count == 0:
        return None
    middle = [ranked[rank] for rank in sorted(middle_ranks(count))]
    return math.fsum(middle) / len(middle)
