"""Which flag matches which key item: words, the boundary factor and the optimal one-to-one assignment."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass


def overlap(start: int, end: int, other_start: int, other_end: int) -> int:
    """Return how many characters two half-open spans share."""
    return max(0, min(end, other_end) - max(start, other_start))


def boundary_agreement(key_start: int, key_end: int, flag_start: int, flag_end: int) -> float:
    """Return 2·|overlap| / (|key span| + |flag|): 1 for exact boundaries, 0 for disjoint spans.

    It is the span F1 of the flag against the key span (the Dice coefficient of their characters),
    the agreement research metrics use; the score uses `boundary_factor` instead.
    """
    shared = overlap(key_start, key_end, flag_start, flag_end)
    return 2 * shared / ((key_end - key_start) + (flag_end - flag_start))


CORE_WEIGHT = 0.35
"""The most a flag loses for covering only a sliver of an item's core (see `boundary_factor`)."""
OVERRUN_SCALE = 3.2
"""Words past an item's extent that cost a flag half its credit (see `boundary_factor`)."""


def boundary_factor(core_words: int, covered: int, outside: int) -> float:
    """Return the share of an item's points that a flag's boundaries earn, between 0 and 1.

    ``core_words`` is the number of words in the item's core (the words that carry the problem),
    ``covered`` how many of them the flag covers (a word cut by the flag counts as covered: flags
    are widened to whole words) and ``outside`` how many words of the flag lie outside the item's
    extent (the widest selection that counts fully).

    A flag that covers the whole core and stays within the extent earns 1. Covering part of the
    core costs ``CORE_WEIGHT · (1 − c)²`` with c the share covered: half the core keeps 91%, one
    word of a four-word core 80%. Running past the extent divides by ``1 + (outside / 3.2)²``: one
    word past keeps 91%, three words 53%, six words 22%, a paragraph next to nothing. A flag that
    covers no core word earns 0 (it does not match the item at all).
    """
    if covered <= 0:
        return 0.0
    missing = 1 - covered / core_words
    by_core = 1 - CORE_WEIGHT * missing * missing
    if outside <= 0:
        return by_core
    overrun = outside / OVERRUN_SCALE
    return by_core / (1 + overrun * overrun)


WORD = re.compile(r"\d+(?:[,.]\d+)+|\w+(?:[-'’]\w+)*")
"""A word: a number with its separators ("70,000"), or letters and digits with inner hyphens and
apostrophes ("three-hour", "Syria’s")."""

FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "or",
        "and",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "than",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "had",
        "has",
        "have",
        "that",
        "who",
        "which",
        "it",
        "its",
        "this",
        "these",
        "those",
    ]
)
"""Words that carry no problem by themselves: a core's other words are the ones a flag must cover."""

CHARACTERS_PER_WORD = 6
"""Without an article's text, the length of a stretch outside an extent is counted in words as
this many characters each (an English word with its space is about six)."""


class Words:
    """The words of one article's text, to widen flags to whole words and to count words."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, text: str) -> None:
        found = [(match.start(), match.end()) for match in WORD.finditer(text)]
        self._starts = [start for start, _ in found]
        self._ends = [end for _, end in found]

    def widen(self, start: int, end: int) -> tuple[int, int]:
        """Return [start, end) widened so that it cuts no word."""
        starts, ends = self._starts, self._ends
        first = bisect.bisect_right(ends, start)  # the first word ending after start
        if first < len(starts) and starts[first] < start:
            start = starts[first]
        last = bisect.bisect_left(starts, end) - 1  # the last word starting before end
        if last >= 0 and ends[last] > end:
            end = ends[last]
        return start, end

    def count(self, start: int, end: int) -> int:
        """Return how many words share a character with [start, end)."""
        if end <= start:
            return 0
        return bisect.bisect_left(self._starts, end) - bisect.bisect_right(self._ends, start)


def count_without_text(start: int, end: int) -> int:
    """Count the words in [start, end) of a text not at hand: `CHARACTERS_PER_WORD` characters each."""
    return -(-(end - start) // CHARACTERS_PER_WORD) if end > start else 0


def core_words(
    item_start: int, item_end: int, quote: str, core_start: int, core_end: int
) -> tuple[tuple[int, int], ...]:
    """Return the (start, end) of each word of an item's core, in article offsets.

    The words are read from the item's quote, so no article text is needed. `FUNCTION_WORDS` are
    left out ("200 to 300" has two words that carry the problem) unless the core has nothing else;
    a core with no word at all (a dash, a symbol) is one word. A quote that is not the span's text
    (a key made up without one) is cut into words of `CHARACTERS_PER_WORD` characters.
    """
    if len(quote) != item_end - item_start:
        return tuple(
            (start, min(start + CHARACTERS_PER_WORD, core_end))
            for start in range(core_start, core_end, CHARACTERS_PER_WORD)
        )
    offset = core_start - item_start
    core = quote[offset : core_end - item_start]
    found = [match for match in WORD.finditer(core)]
    content = [match for match in found if match.group().lower() not in FUNCTION_WORDS]
    return tuple((core_start + match.start(), core_start + match.end()) for match in content or found) or (
        (core_start, core_end),
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


def best_assignment(
    candidates: Sequence[Sequence[Candidate]],
    *,
    known: dict[tuple[tuple[Candidate, ...], ...], tuple[int | None, ...]] | None = None,
) -> list[int | None]:
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
    ``known``, when given, keeps the answer for each group's candidates, for reuse: the
    submissions of one key compete for the same items in the same few ways.
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
                chosen[flag] = best_single(options)
    for flags in _components(candidates, competing):
        group = tuple([tuple(candidates[flag]) for flag in flags])
        picks = None if known is None else known.get(group)
        if picks is None:
            picks = _best_in_group(group)
            if known is not None:
                known[group] = picks
        for flag, pick in zip(flags, picks, strict=True):
            chosen[flag] = pick
    return chosen


def _best_in_group(group: tuple[tuple[Candidate, ...], ...]) -> tuple[int | None, ...]:
    """The item of each flag of a connected group, in order (None: no item)."""
    picks: list[int | None] = [None] * len(group)
    if all(len(options) == 1 for options in group):
        # Flags with no other option all want the one item: the best of them takes it, the
        # first of equals, as the search would find (a property test holds them equal).
        winner = max(range(len(group)), key=lambda flag: _rounded(*group[flag][0][1:]))
        picks[winner] = group[winner][0][0]
    else:
        for flag, item in _best_in_component(list(range(len(group))), group):
            picks[flag] = item
    return tuple(picks)


def _rounded(weight: float, tie: float) -> tuple[float, float]:
    # Weights are sums of products of floats: compare them without the last bits of noise.
    return (round(weight, 9), round(tie, 9))


def best_single(options: Sequence[Candidate]) -> int | None:
    """Return the item of the best candidate (by weight, then tie-break weight; the first of equals),
    as `best_assignment` gives it to a flag that no other flag competes with; None for none."""
    if len(options) == 1:
        return options[0][0]
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


def _best_in_component(flags: list[int], candidates: Sequence[Sequence[Candidate]]) -> tuple[tuple[int, int], ...]:
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
            for choice, w, t in options:
                if choice is None:
                    key, new_pairs = still, pairs
                else:
                    key = still | {choice} if last_wanted[choice] > position else still
                    new_pairs = (*pairs, (flag, choice))
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
