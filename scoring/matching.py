"""Which flag matches which key item: the overlap rule and the optimal one-to-one assignment."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from scoring.types import Policy


def overlap(start: int, end: int, other_start: int, other_end: int) -> int:
    """Return how many characters two half-open spans share."""
    return max(0, min(end, other_end) - max(start, other_start))


def boundary_agreement(key_start: int, key_end: int, flag_start: int, flag_end: int) -> float:
    """Return 2·|overlap| / (|key span| + |flag|): 1 for exact boundaries, 0 for disjoint spans.

    It is the span F1 of the flag against the key span (the Dice coefficient of their characters):
    a flag that adds a few words to a key phrase, or stops a word short, loses a little; a flag twice
    as long as the key phrase keeps two thirds.
    """
    shared = overlap(key_start, key_end, flag_start, flag_end)
    return 2 * shared / ((key_end - key_start) + (flag_end - flag_start))


def overlap_is_enough(
    key_start: int, key_end: int, flag_start: int, flag_end: int, policy: Policy
) -> bool:
    """Tell whether a flag overlaps a key span enough to match it (same article assumed).

    The flag must cover at least ``policy.min_key_overlap`` of the key span, and at least
    ``policy.min_flag_overlap`` of the flag must lie inside the key span. The first keeps a few
    letters inside a long item from counting; the second keeps a whole paragraph from counting.
    """
    shared = overlap(key_start, key_end, flag_start, flag_end)
    return (
        shared > 0
        and shared >= policy.min_key_overlap * (key_end - key_start)
        and shared >= policy.min_flag_overlap * (flag_end - flag_start)
    )


@dataclass(frozen=True, slots=True)
class Span:
    """A span of one article with the index of what it stands for (a key item, a flag)."""

    article: str
    start: int
    end: int
    index: int


class SpanIndex:
    """Spans grouped by article and sorted by start, to find those a span overlaps by bisection."""

    __slots__ = ("_by_article",)

    def __init__(self, spans: Sequence[Span]) -> None:
        grouped: dict[str, list[Span]] = {}
        for span in spans:
            grouped.setdefault(span.article, []).append(span)
        self._by_article: dict[str, tuple[list[int], list[Span], int]] = {}
        for article, members in grouped.items():
            members.sort(key=lambda s: (s.start, s.end, s.index))
            longest = max(s.end - s.start for s in members)
            self._by_article[article] = ([s.start for s in members], members, longest)

    def overlapping(self, article: str, start: int, end: int) -> list[Span]:
        """Return the spans of ``article`` sharing at least one character with [start, end)."""
        entry = self._by_article.get(article)
        if entry is None:
            return []
        starts, members, longest = entry
        # A span starting at or before start - longest ends at or before start.
        low = bisect.bisect_right(starts, start - longest)
        high = bisect.bisect_left(starts, end)
        return [s for s in members[low:high] if s.end > start]


Candidate = tuple[int, float, float]
"""(item index, weight, tie-break weight) for one flag that may match that item."""


def best_assignment(candidates: Sequence[Sequence[Candidate]]) -> list[int | None]:
    """Pair flags with items one to one so that the total weight is as large as possible.

    ``candidates[f]`` lists the items flag ``f`` may match, each with a weight (never negative) and
    a tie-break weight. Returns, for each flag, its item or None. Among assignments with the same
    total weight the one with the largest total tie-break weight wins; any remaining tie goes to
    the assignment found first when flags are taken in index order, each trying its candidates in
    the order given before trying no item. The caller fixes a canonical order of flags and items,
    so the answer never depends on the order of the input.

    The search is exact. A flag whose items no other flag wants takes the best of them at once;
    the search runs separately on each connected group of the other flags and their items; within
    a group it goes through the flags in order, keeping for each set of
    items already taken (that a later flag could still want) the best partial assignment, so its
    cost follows the number of items competing at one place, not the number of flags.
    """
    wanted: dict[int, int] = {}
    for options in candidates:
        for item, _, _ in options:
            wanted[item] = wanted.get(item, 0) + 1
    chosen: list[int | None] = [None] * len(candidates)
    competing: list[int] = []
    for flag, options in enumerate(candidates):
        for item, _, _ in options:
            if wanted[item] > 1:
                competing.append(flag)
                break
        else:
            # No other flag wants its items: it takes the best of them.
            if options:
                chosen[flag] = options[0][0] if len(options) == 1 else _best_single(options)
    for flags in _components(candidates, competing):
        for flag, item in _best_in_component(flags, candidates):
            chosen[flag] = item
    return chosen


def _rounded(weight: float, tie: float) -> tuple[float, float]:
    # Weights are sums of products of floats: compare them without the last bits of noise.
    return (round(weight, 9), round(tie, 9))


def _best_single(options: Sequence[Candidate]) -> int | None:
    best_item, best_value = None, (0.0, 0.0)
    for item, weight, tie in options:
        value = _rounded(weight, tie)
        if best_item is None or value > best_value:
            best_item, best_value = item, value
    return best_item


def _components(candidates: Sequence[Sequence[Candidate]], flags: list[int]) -> list[list[int]]:
    """Group ``flags`` (each with candidates) into sets connected through shared items."""
    parent: dict[int, int] = {}

    def root(item: int) -> int:
        while parent.setdefault(item, item) != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for flag in flags:
        options = candidates[flag]
        first = root(options[0][0])
        for item, _, _ in options[1:]:
            other = root(item)
            if other != first:
                parent[other] = first
    groups: dict[int, list[int]] = {}
    for flag in flags:
        groups.setdefault(root(candidates[flag][0][0]), []).append(flag)
    return list(groups.values())


def _best_in_component(
    flags: list[int], candidates: Sequence[Sequence[Candidate]]
) -> tuple[tuple[int, int], ...]:
    last_wanted: dict[int, int] = {}
    for position, flag in enumerate(flags):
        for item, _, _ in candidates[flag]:
            last_wanted[item] = position
    # state: items taken that a later flag still wants -> (value, exact sums, pairs so far)
    State = tuple[tuple[float, float], float, float, tuple[tuple[int, int], ...]]
    states: dict[frozenset[int], State] = {frozenset(): ((0.0, 0.0), 0.0, 0.0, ())}
    for position, flag in enumerate(flags):
        following: dict[frozenset[int], State] = {}
        for taken, (_, weight, tie, pairs) in states.items():
            still = frozenset(i for i in taken if last_wanted[i] > position)
            options: list[tuple[int | None, float, float]] = [
                (item, w, t) for item, w, t in candidates[flag] if item not in taken
            ]
            options.append((None, 0.0, 0.0))
            for item, w, t in options:
                if item is None:
                    key, new_pairs = still, pairs
                else:
                    key = still | {item} if last_wanted[item] > position else still
                    new_pairs = (*pairs, (flag, item))
                value = _rounded(weight + w, tie + t)
                known = following.get(key)
                if known is None or value > known[0]:
                    following[key] = (value, weight + w, tie + t, new_pairs)
        states = following
    best: State | None = None
    for state in states.values():
        if best is None or state[0] > best[0]:
            best = state
    assert best is not None
    return best[3]
