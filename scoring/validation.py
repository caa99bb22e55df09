"""Checks of the scoring inputs, raising ValueError that names the bad value."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from scoring.types import CREDIBILITY, RELIABILITY, Flag, KeyItem, Policy, RatingKey, SourceRating

_SHARES = ("min_boundary_factor", "alternative_credit", "other_category_credit", "lone_figure_credit")
_AMOUNTS = ("false_positive_penalty", "decoy_penalty", "link_bonus", "rating_points")


def check_policy(policy: Policy) -> None:
    """Reject shares and credits outside [0, 1] and negative penalties or bonuses."""
    for name in _SHARES:
        value = getattr(policy, name)
        if not _is_number(value) or not 0 <= value <= 1:
            raise ValueError(f"policy {name} must be between 0 and 1, got {value!r}")
    for name in _AMOUNTS:
        value = getattr(policy, name)
        if not _is_number(value) or value < 0:
            raise ValueError(f"policy {name} must be a number of at least 0, got {value!r}")


def check_key(key: Sequence[KeyItem], categories: Collection[str] | None) -> None:
    """Reject duplicate or empty ids, bad offsets, negative points, unknown categories, bad groups.

    A core lies inside its item's span. A decoy cannot belong to a conflict group, and a group
    needs at least two figures: one figure alone conflicts with nothing. A figure agrees only with
    another figure of its own group.
    """
    seen: set[str] = set()
    figures: dict[str, list[str]] = {}
    for item in key:
        where = f"key item {item.id!r}"
        if not item.id:
            raise ValueError(f"key item at {item.article!r} {item.start}-{item.end} has an empty id")
        if item.id in seen:
            raise ValueError(f"duplicate key item id {item.id!r}")
        seen.add(item.id)
        _check_span(where, item.start, item.end)
        if (item.core_start is None) != (item.core_end is None):
            raise ValueError(f"{where}: core_start and core_end are set together or not at all")
        core_start, core_end = item.core
        _check_span(f"{where} core", core_start, core_end)
        if core_start < item.start or core_end > item.end:
            raise ValueError(
                f"{where}: core {core_start}-{core_end} is not inside the item's span {item.start}-{item.end}"
            )
        if not _is_number(item.points) or item.points < 0:
            raise ValueError(f"{where}: points must be a number of at least 0, got {item.points!r}")
        if item.decoy and item.group is not None:
            raise ValueError(f"{where}: a decoy cannot belong to conflict group {item.group!r}")
        if item.group is not None:
            figures.setdefault(item.group, []).append(item.id)
        if categories is not None:
            for category in (item.category, *item.also):
                if category not in categories:
                    raise ValueError(f"{where}: unknown category {category!r}")
    for group, members in figures.items():
        if len(members) < 2:
            raise ValueError(f"conflict group {group!r} has only one figure, item {members[0]!r}")
    group_of = {item.id: item.group for item in key}
    for item in key:
        for agreement in item.agrees_with:
            other = agreement.item
            if other == item.id or item.group is None or group_of.get(other) != item.group:
                raise ValueError(
                    f"key item {item.id!r}: agrees with {other!r}, which is not another figure of its conflict group"
                )


def check_rating_key(ratings: Sequence[RatingKey]) -> None:
    """Reject grades off the Admiralty scale, a second rating of one article, and ranges that
    leave out the instructor's own grade."""
    seen: set[str] = set()
    for rating in ratings:
        where = f"rating of article {rating.article!r}"
        if rating.article in seen:
            raise ValueError(f"{where}: the article is rated twice")
        seen.add(rating.article)
        for name, grade, accepted, scale in (
            ("reliability", rating.reliability, rating.accept_reliability, RELIABILITY),
            ("credibility", rating.credibility, rating.accept_credibility, CREDIBILITY),
        ):
            for value in (grade, *accepted):
                if value not in scale:
                    raise ValueError(f"{where}: {name} {value!r} is not one of {', '.join(scale)}")
            if grade not in accepted:
                raise ValueError(f"{where}: the accepted {name} range leaves out the key's own {grade!r}")


def check_ratings(ratings: Sequence[SourceRating]) -> None:
    """Reject a trainee's grades off the Admiralty scale and a second rating of one article."""
    seen: set[str] = set()
    for rating in ratings:
        if rating.article in seen:
            raise ValueError(f"article {rating.article!r} is rated twice")
        seen.add(rating.article)
        if rating.reliability not in RELIABILITY:
            raise ValueError(f"rating of {rating.article!r}: reliability {rating.reliability!r} is not one of A-F")
        if rating.credibility not in CREDIBILITY:
            raise ValueError(f"rating of {rating.article!r}: credibility {rating.credibility!r} is not one of 1-6")


def check_flags(flags: Sequence[Flag], categories: Collection[str] | None) -> set[str]:
    """Reject duplicate or empty flag ids, bad offsets and unknown categories; return the flags' ids."""
    seen: set[str] = set()
    for flag in flags:
        flag_id, start, end = flag.id, flag.start, flag.end
        if not flag_id:
            raise ValueError(f"flag at {flag.article!r} {start}-{end} has an empty id")
        if flag_id in seen:
            raise ValueError(f"duplicate flag id {flag_id!r}")
        seen.add(flag_id)
        # The common case in one test; _check_span says what exactly is wrong.
        if type(start) is not int or type(end) is not int or not 0 <= start < end:
            _check_span(f"flag {flag_id!r}", start, end)
        if categories is not None and flag.category not in categories:
            raise ValueError(f"flag {flag_id!r}: unknown category {flag.category!r}")
    return seen


def _check_span(where: str, start: int, end: int) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, int) or isinstance(value, bool):
            # Not a TypeError: the engine promises a ValueError for every invalid input.
            raise ValueError(f"{where}: {name} must be an integer, got {value!r}")  # noqa: TRY004
    if start < 0:
        raise ValueError(f"{where}: start must not be negative, got {start}")
    if start >= end:
        raise ValueError(f"{where}: start {start} must be less than end {end}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
