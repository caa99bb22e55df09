"""Progress over time: what each scored submission says per category, and a cohort's change
between two exercises.

Pure: it reads stored scoring reports and numbers handed in, never the database, so the
trainee's page, the instructor's view and the exports share one set of rules.

Per category, a submission earned ``credit`` of ``points`` over the key's real items of that
category (decoys cost points but are worth none, links and source ratings belong to no category);
compared across exercises as a percentage, since two keys weigh their categories differently.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from scoring.report import ItemStatus, Report

DISCERNMENT_FIELD = "discernment"
"""Where a stored report keeps its discernment: a number (d′) or an object with ``d_prime``."""
CALIBRATION_FIELD = "calibration"
"""Where a stored report keeps its calibration: a number (Brier score) or an object with ``brier``."""

DECOY_STATUSES = (ItemStatus.DECOY_AVOIDED, ItemStatus.DECOY_FLAGGED)

Trainee = TypeVar("Trainee", bound=Hashable)


@dataclass(frozen=True)
class CategoryResult:
    """Points a submission earned of the points possible in one category."""

    earned: float
    possible: float

    @property
    def percent(self) -> float | None:
        """``100 · earned / possible``; None for a category worth nothing in the key."""
        return 100 * self.earned / self.possible if self.possible else None


@dataclass(frozen=True)
class Measures:
    """What one scored submission says: its score, its categories and, when stored, discernment
    and calibration."""

    score: float
    categories: Mapping[str, CategoryResult]
    """By category id, for each category the key has real items of."""
    discernment: float | None = None
    """d′; None when the stored report has none or it was not measurable."""
    brier: float | None = None
    """Brier score of the flags' confidence (0 is perfect); None when the report has none."""

    def value(self, measure: str) -> float | None:
        """One measure by name: ``score``, ``discernment``, ``brier`` or ``category:<id>`` (a percentage)."""
        if measure == "score":
            return self.score
        if measure == "discernment":
            return self.discernment
        if measure == "brier":
            return self.brier
        category = self.categories.get(measure.removeprefix("category:"))
        return category.percent if category is not None and measure.startswith("category:") else None


def category_results(report: Report) -> dict[str, CategoryResult]:
    """Points earned and possible per category of the key's real items, in key order."""
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    for item in report.items:
        if item.status in DECOY_STATUSES:
            continue
        earned[item.category] = earned.get(item.category, 0.0) + item.credit
        possible[item.category] = possible.get(item.category, 0.0) + item.points
    return {category: CategoryResult(earned[category], possible[category]) for category in earned}


def stored_number(report: Mapping[str, Any], field: str, inner: str) -> float | None:
    """``report[field]`` when it is a number, or ``report[field][inner]``; None when absent or not a number.

    Discernment and calibration joined the report after many reports were stored: older ones have
    neither, and a measure that could not be taken is stored as null.
    """
    value = report.get(field)
    if isinstance(value, Mapping):
        value = value.get(inner)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def measures(score: float, report_data: Mapping[str, Any], report: Report) -> Measures:
    """The measures of one stored score: ``report_data`` as stored, ``report`` rebuilt from it."""
    return Measures(
        score=score,
        categories=category_results(report),
        discernment=stored_number(report_data, DISCERNMENT_FIELD, "d_prime"),
        brier=stored_number(report_data, CALIBRATION_FIELD, "brier"),
    )


@dataclass(frozen=True)
class Spread:
    """How many values, their mean and their median (None for no values)."""

    count: int
    mean: float | None
    median: float | None


def spread(values: Iterable[float]) -> Spread:
    """The count, mean and median of ``values``."""
    listed = list(values)
    if not listed:
        return Spread(0, None, None)
    return Spread(len(listed), math.fsum(listed) / len(listed), float(statistics.median(listed)))


@dataclass(frozen=True)
class Change:
    """One measure before and after: each exercise's own spread, and the paired change."""

    pre: Spread
    """Over every trainee with a value at the first exercise."""
    post: Spread
    """Over every trainee with a value at the second exercise."""
    paired: Spread
    """Of (second − first) over the trainees with a value at both: the change of the same people."""
    only_pre: int
    only_post: int

    @property
    def both(self) -> int:
        return self.paired.count


def paired_change(pre: Mapping[Trainee, float], post: Mapping[Trainee, float]) -> Change:
    """Compare one measure of the same cohort at two exercises; only trainees at both enter the change."""
    both = [trainee for trainee in pre if trainee in post]
    return Change(
        pre=spread(pre.values()),
        post=spread(post.values()),
        paired=spread(post[trainee] - pre[trainee] for trainee in both),
        only_pre=len(pre) - len(both),
        only_post=sum(1 for trainee in post if trainee not in pre),
    )


def values_of(results: Mapping[Trainee, Measures], measure: str) -> dict[Trainee, float]:
    """Each trainee's value of ``measure`` (see `Measures.value`), leaving out those without one."""
    values = {}
    for trainee, result in results.items():
        value = result.value(measure)
        if value is not None:
            values[trainee] = value
    return values


def change_of(pre: Mapping[Trainee, Measures], post: Mapping[Trainee, Measures], measure: str) -> Change:
    """The paired change of one named measure between two exercises' results."""
    return paired_change(values_of(pre, measure), values_of(post, measure))
