"""Completion and the score distribution of a cohort on one exercise."""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope
from instructor.dashboard.standing import Standing, cohort_standing

HISTOGRAM_BINS = 10
"""Score bins of ten points: 0–9, 10–19, …, 90–100 (100 falls in the last bin)."""

_BIN_LOWER_BOUNDS = [100 / HISTOGRAM_BINS * index for index in range(HISTOGRAM_BINS)]


@dataclass(frozen=True)
class Completion:
    """How far the cohort's trainees got with the exercise."""

    trainees: int
    not_started: int
    in_progress: int
    submitted: int


def completion(standing: Sequence[Standing]) -> Completion:
    """Count trainees who have not started, are working, or have submitted at least once."""
    started = sum(1 for trainee in standing if trainee.started)
    submitted = sum(1 for trainee in standing if trainee.submitted)
    return Completion(len(standing), len(standing) - started, started - submitted, submitted)


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
    """The score summary of the scope's counted submissions (`summarise` of its standing)."""
    return summarise(cohort_standing(db, scope))


def summarise(standing: Iterable[Standing]) -> ScoreSummary:
    """Mean, median, quartiles and histogram of scores; mean and median time on task; the median
    false positives (what `instructor.dashboard.attention` measures "many" against)."""
    counted = [trainee for trainee in standing if trainee.counted]
    submissions = len(counted)
    scores = sorted(trainee.score for trainee in counted if trainee.score is not None)
    seconds = sorted(trainee.seconds for trainee in counted if trainee.seconds is not None)
    # A score counts in the bin of the highest lower bound at or below it (below 0: the first bin):
    # in sorted scores, each bin runs from the first score at its lower bound to the next bin's.
    edges = [0, *(bisect.bisect_left(scores, bound) for bound in _BIN_LOWER_BOUNDS[1:]), len(scores)]
    histogram = [edges[index + 1] - edges[index] for index in range(HISTOGRAM_BINS)]
    lower, upper = _quartiles(scores)
    return ScoreSummary(
        submissions=submissions,
        mean=math.fsum(scores) / submissions if submissions else None,
        median=median_at_ranks(scores, submissions),
        histogram=tuple(histogram),
        mean_seconds=math.fsum(seconds) / len(seconds) if seconds else None,
        median_seconds=median_at_ranks(seconds, submissions),
        lower_quartile=lower,
        upper_quartile=upper,
        median_false_positives=median_at_ranks(
            sorted(trainee.false_positives or 0 for trainee in counted), submissions
        ),
        median_span_f1=median_at_ranks(
            sorted(trainee.span_f1 for trainee in counted if trainee.span_f1 is not None), submissions
        ),
    )


def middle_ranks(count: int) -> set[int]:
    """The 0-based ranks the median of ``count`` values reads."""
    return {(count - 1) // 2, count // 2}


def _quartiles(ranked: Sequence[float]) -> tuple[float | None, float | None]:
    """The lower and upper quartiles of sorted values (inclusive method, as `statistics.quantiles`
    computes them; one score is its own)."""
    count = len(ranked)
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


def median_at_ranks(ranked: Mapping[int, float] | Sequence[float], count: int) -> float | None:
    """The median of ``count`` values, given (at least) the values at the ranks `middle_ranks`
    names, by 0-based rank: the middle value, or the mean of the two."""
    if count == 0:
        return None
    middle = [ranked[rank] for rank in sorted(middle_ranks(count))]
    return math.fsum(middle) / len(middle)
