"""Progress over time: what each scored submission says per category, and a cohort's change
between two exercises.

Pure: it works on key items and numbers handed in (`app.stored_measures` reads them from stored
scores), so the trainee's page, the instructor's view and the exports share one set of rules.

Per category, a submission earned the ``credit`` of the key's real items of that category of
their ``points`` (decoys cost points but are worth none, links and source ratings belong to no
category); compared across exercises as a percentage, since two keys weigh their categories
differently.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from scoring.types import KeyItem

DISCERNMENT_FIELD = "discernment"
"""Where a stored report keeps its discernment: a number (d′) or an object with ``d_prime``."""
CALIBRATION_FIELD = "calibration"
"""Where a stored report keeps its calibration: a number (Brier score) or an object with ``brier``."""

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


def category_results(key: Iterable[KeyItem], credit: Mapping[str, float]) -> dict[str, CategoryResult]:
    """Points earned (``credit`` by item id) of points possible per category of the key's real
    items, decoys aside, in key order."""
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    for item in key:
        if item.decoy:
            continue
        earned[item.category] = earned.get(item.category, 0.0) + credit.get(item.id, 0.0)
        possible[item.category] = possible.get(item.category, 0.0) + item.points
    return {category: CategoryResult(earned[category], possible[category]) for category in earned}


def stored_number(value: Any, inner: str) -> float | None:
    """A stored report field: ``value`` when it is a number, or ``value[inner]``; None when absent or
    not a number.

    Discernment and calibration joined the report after many reports were stored: older ones have
    neither, and a measure that could not be taken is stored as null.
    """
    if isinstance(value, Mapping):
        value = value.get(inner)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


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
