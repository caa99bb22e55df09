"""Standard measures of a submission: precision/recall/F1, the SemEval span metric, nervaluate counts.

These measure detection for comparison with published work; they ignore boundary reductions,
conflict groups and links, which only the score takes into account. The SemEval span metric
follows the task's published formula; the nervaluate counts equal nervaluate 1.2.1's on input in
canonical order (see `nervaluate_schemes`).
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Hashable, Iterable, Sequence

from scoring.matching import Span, SpanIndex
from scoring.report import Detection, SchemeCounts, Schemes, SpanScore, builder
from scoring.types import Flag, KeyItem

Located = tuple[Hashable, int, int]
"""(document, start, end): a span of one document; the document may be an article id or a pair
(article id, category) when only same-category spans should meet."""


def ratio(numerator: float, denominator: float, *, nothing_on_either_side: bool) -> float:
    """Return numerator / denominator, or for a zero denominator 1.0 when the other side is empty too.

    With nothing flagged and nothing to find, precision and recall are perfect; with nothing
    flagged but something to find, precision is 0 (and symmetrically for recall).
    """
    if denominator:
        return numerator / denominator
    return 1.0 if nothing_on_either_side else 0.0


def f1(precision: float, recall: float) -> float:
    """Return the harmonic mean of precision and recall, 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def detection(category: str | None, correct: int, flagged: int, expected: int) -> Detection:
    """Build precision, recall and F1 from the count of correct flags, flags and expected items."""
    precision = ratio(correct, flagged, nothing_on_either_side=expected == 0)
    recall = ratio(correct, expected, nothing_on_either_side=flagged == 0)
    return Detection(category, correct, flagged, expected, precision, recall, f1(precision, recall))


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans and merge those that share a character; spans that merely touch stay apart."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def merge_by_document(spans: Iterable[Located]) -> dict[Hashable, list[tuple[int, int]]]:
    """Group spans by document and merge the overlapping ones of each document."""
    grouped: dict[Hashable, list[tuple[int, int]]] = {}
    for document, start, end in spans:
        grouped.setdefault(document, []).append((start, end))
    return {document: merge_spans(members) for document, members in grouped.items()}


class KeySpans:
    """Key spans merged per document, with their ends listed for bisection; built once per key."""

    __slots__ = ("count", "ends", "spans")

    def __init__(self, spans: Iterable[Located]) -> None:
        self.spans = merge_by_document(spans)
        self.ends = {document: [end for _, end in merged] for document, merged in self.spans.items()}
        self.count = sum(len(merged) for merged in self.spans.values())

    def sums(self, document: Hashable, start: int, end: int) -> OverlapSums:
        """Return Σ_t |s∩t|/|s| and Σ_t |s∩t|/|t| over the key spans t that flagged span s overlaps.

        Bisection finds the first key span ending after ``start``; the key spans from there on
        are visited until one starts at or after ``end``: only overlapping pairs are visited.
        """
        gold = self.spans.get(document)
        if not gold:
            return 0.0, 0.0
        j = bisect.bisect_right(self.ends[document], start)
        if j == len(gold) or gold[j][0] >= end:
            return 0.0, 0.0
        g_start, g_end = gold[j]
        shared = min(end, g_end) - max(start, g_start)
        first_of_flag, first_of_key = shared / (end - start), shared / (g_end - g_start)
        j += 1
        if j == len(gold) or gold[j][0] >= end:
            return first_of_flag, first_of_key  # the common case: one key span
        of_flag, of_key = [first_of_flag], [first_of_key]
        while j < len(gold):
            g_start, g_end = gold[j]
            if g_start >= end:
                break
            shared = min(end, g_end) - max(start, g_start)
            of_flag.append(shared / (end - start))
            of_key.append(shared / (g_end - g_start))
            j += 1
        return math.fsum(of_flag), math.fsum(of_key)


OverlapSums = tuple[float, float]
"""For one flagged span s: Σ_t |s∩t|/|s| and Σ_t |s∩t|/|t| over the key spans t it overlaps."""


def span_metric(flagged: Iterable[Located], key: Iterable[Located]) -> SpanScore:
    """Return the SemEval-2020 Task 11 span-identification metric.

    Spans are sets of character positions. Overlapping spans of one document are merged first, on
    each side. With S the flagged spans and T the key spans,
    P = Σ_s Σ_t |s∩t| / |s| ÷ |S|, R = Σ_s Σ_t |s∩t| / |t| ÷ |T|, F1 their harmonic mean;
    with both sides empty, all three are 1.

    Spans meet only within their document. A flagged span on a document the key has no span on
    shares nothing with the key: it counts in |S|, lowering precision, and leaves recall alone; a
    key span on a document nothing was flagged on counts in |T|, lowering recall.

    Raises ValueError naming the first span that is empty (start = end), inverted (start > end),
    negative or not of integer offsets: its share |s∩t| / |s| would be meaningless.
    """
    flagged, key = _checked(flagged, "flagged"), _checked(key, "key")
    return span_score(merge_by_document(flagged), KeySpans(key))


def _checked(spans: Iterable[Located], side: str) -> list[Located]:
    """Return the spans as a list; raise ValueError naming the first that is not a proper span."""
    spans = list(spans)
    for document, start, end in spans:
        # The common case in one test; the rest says what exactly is wrong.
        if type(start) is int and type(end) is int and 0 <= start < end:
            continue
        span = (document, start, end)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            problem = "its offsets must be integers"
        elif start < 0 or end < 0:
            problem = "offsets must not be negative"
        elif start == end:
            problem = f"it is empty (start {start} equals end)"
        else:
            problem = f"it is inverted (start {start} is after end {end})"
        raise ValueError(f"{side} span {span!r}: {problem}")
    return spans


def span_score(flagged: dict[Hashable, list[tuple[int, int]]], key: KeySpans) -> SpanScore:
    """Return the SemEval span metric for flagged spans already merged and sorted per document."""
    of_flag: list[float] = []
    of_key: list[float] = []
    for document, predicted in flagged.items():
        for start, end in predicted:
            flag_sum, key_sum = key.sums(document, start, end)
            of_flag.append(flag_sum)
            of_key.append(key_sum)
    return span_score_from_sums(of_flag, of_key, key.count)


_new_span_score = builder(SpanScore)
"""Built for every submission: the fast way."""


def span_score_from_sums(of_flag: list[float], of_key: list[float], key_count: int) -> SpanScore:
    """Finish the SemEval span metric from `KeySpans.sums` of each merged flagged span.

    ``of_flag`` and ``of_key`` hold each span's two sums. The sums and their totals are exact
    (math.fsum), so the metric comes out the same whatever order the spans are taken in.
    """
    flagged_count = len(of_flag)
    neither = flagged_count == 0 and key_count == 0
    precision = ratio(math.fsum(of_flag), flagged_count, nothing_on_either_side=neither)
    recall = ratio(math.fsum(of_key), key_count, nothing_on_either_side=neither)
    return _new_span_score(
        flagged_spans=flagged_count, key_spans=key_count, precision=precision, recall=recall, f1=f1(precision, recall)
    )


# nervaluate
# ----------
# The counts below are those of nervaluate 1.2.1 (MantisAI/nervaluate), the reference
# implementation of the SemEval-2013 Task 9.1 schemes, at its default ``min_overlap_percentage``
# of 1. nervaluate takes a document's predictions one after another, in the order given, and
# pairs each with a true entity not yet taken; so its counts depend on that order. Ours are
# nervaluate's on input in canonical order: flags and key items alike sorted by (article, start,
# end, category, id). tests/scoring/test_nervaluate_reference.py holds them to that.

Contact = tuple[bool, bool, int, int]
"""How a flag meets a key item it overlaps enough (`overlaps_enough`): (exact boundaries, the
same category, boundary distance |Δstart| + |Δend|, the item's number)."""

SchemePairs = tuple[int, int, int, int, int, int]
"""Pairs made in each scheme: strict COR, strict INC, exact COR, exact INC, type COR, type INC.
The partial scheme pairs as the exact one does; its PAR are the exact scheme's INC."""


def canonical_order(span: Flag | KeyItem) -> tuple[str, int, int, str, str]:
    """Return the sort key of the order nervaluate is given flags and key items in."""
    return (span.article, span.start, span.end, span.category, span.id)


def overlaps_enough(item_start: int, item_end: int, start: int, end: int) -> bool:
    """Return whether a flag shares at least 1% of a key item's characters, as nervaluate asks.

    nervaluate's ends are inclusive: [start, end) is its (start, end − 1). The percentage is
    worked out in floating point exactly as nervaluate does, so the two agree at the threshold.
    """
    shared = min(end, item_end) - max(start, item_start)
    return shared > 0 and (shared / (item_end - item_start)) * 100.0 >= 1.0


def contact(item: KeyItem, number: int, flag: Flag) -> Contact | None:
    """Return how ``flag`` meets ``item`` (numbered ``number``), or None if it overlaps too little."""
    if not overlaps_enough(item.start, item.end, flag.start, flag.end):
        return None
    return (
        item.start == flag.start and item.end == flag.end,
        item.category == flag.category,
        abs(item.start - flag.start) + abs(item.end - flag.end),
        number,
    )


def contact_kind(met: Contact) -> int:
    """Return the kind of a pair as an index into `PairCounts`."""
    return 2 * (not met[0]) + (not met[1])


PairCounts = tuple[int, int, int, int]
"""Pairs of each kind: exact boundaries and the same category, exact and another category, a
partial overlap and the same category, a partial overlap and another category."""


def pair_like_nervaluate(flags: Iterable[Sequence[Contact]]) -> list[int]:
    """Pair flags with key items as nervaluate does, each scheme on its own; count the pairs.

    ``flags`` gives, for each flag in canonical order, its contacts with the key items in
    canonical order. Each scheme takes the flags one after another and gives each at most one
    item not yet taken in that scheme:

    - strict: the first item with exact boundaries and the same category (COR); failing that,
      the first item (INC).
    - exact, and partial: the first item with exact boundaries (COR); failing that, the first
      item (exact INC, partial PAR).
    - type: of the items with the same category, the one with the smallest boundary distance,
      the first of equals (COR); failing that, the first item (INC).

    A flag given no item is SPU in that scheme. Returns the pairs in `SchemePairs` order.
    """
    counts = [0, 0, 0, 0, 0, 0]
    strict: set[int] = set()
    exact: set[int] = set()
    typed: set[int] = set()
    for contacts in flags:
        first = None
        for is_exact, same, _, number in contacts:
            if number in strict:
                continue
            if is_exact and same:
                first = number
                counts[0] += 1
                break
            if first is None:
                first = number
        else:
            if first is not None:
                counts[1] += 1
        if first is not None:
            strict.add(first)

        first = None
        for is_exact, _, _, number in contacts:
            if number in exact:
                continue
            if is_exact:
                first = number
                counts[2] += 1
                break
            if first is None:
                first = number
        else:
            if first is not None:
                counts[3] += 1
        if first is not None:
            exact.add(first)

        first = closest = None
        nearest = 0
        for _, same, distance, number in contacts:
            if number in typed:
                continue
            if same:
                if closest is None or distance < nearest:
                    closest, nearest = number, distance
            elif first is None:
                first = number
        if closest is not None:
            counts[4] += 1
            typed.add(closest)
        elif first is not None:
            counts[5] += 1
            typed.add(first)
    return counts


def scheme_pairs(kinds: Sequence[int], contested: Iterable[Sequence[Contact]]) -> SchemePairs:
    """Return the pairs of each scheme from pairs that no order can change and the others.

    ``kinds`` counts, in `PairCounts` order, the flags each in contact with one item that no
    other flag touches: such a flag gets its item in every scheme. ``contested`` are the contacts
    of every other flag in contact with an item, in canonical order, for `pair_like_nervaluate`.
    """
    exact_same, exact_other, loose_same, loose_other = kinds
    strict_cor, strict_inc, exact_cor, exact_inc, type_cor, type_inc = pair_like_nervaluate(contested)
    return (
        strict_cor + exact_same,
        strict_inc + exact_other + loose_same + loose_other,
        exact_cor + exact_same + exact_other,
        exact_inc + loose_same + loose_other,
        type_cor + exact_same + loose_same,
        type_inc + exact_other + loose_other,
    )


def nervaluate_schemes(flags: Sequence[Flag], items: Sequence[KeyItem]) -> Schemes:
    """Count COR, INC, PAR, MIS and SPU for the strict, exact, partial and type schemes.

    The counts are nervaluate's (1.2.1, default settings) run on each article with the flags as
    predictions and ``items``, the key spans to find (no decoys), as true entities, both in
    canonical order (`canonical_order`), and added up over the articles; so they never depend on
    the order of either argument. A flag may pair with an item when it covers at least 1% of it
    (`overlaps_enough`); pairing is `pair_like_nervaluate`. Items left unpaired in a scheme are
    its MIS and flags left unpaired its SPU: a flag on an article without key items is SPU in
    every scheme, a key item on an article nobody flagged MIS. Precision is
    (COR + PAR/2) / actual and recall (COR + PAR/2) / possible, PAR counting only in the partial
    scheme, as in nervaluate; with nothing on either side both are 1, where nervaluate gives 0.
    """
    ordered = sorted(items, key=canonical_order)
    index = SpanIndex([Span(item.article, item.start, item.end, n) for n, item in enumerate(ordered)])
    contacts = []
    for flag in sorted(flags, key=canonical_order):
        met = [
            contact(ordered[span.index], span.index, flag)
            for span in index.overlapping(flag.article, flag.start, flag.end)
        ]
        # Items are numbered in canonical order: sorting by number puts them in it.
        contacts.append(sorted([m for m in met if m is not None], key=_item_number))
    return schemes_from_pairs(scheme_pairs((0, 0, 0, 0), contacts), len(flags), len(items))


_item_number = operator.itemgetter(3)
"""The item's number in a `Contact`."""

_new_scheme_counts = builder(SchemeCounts)
_new_schemes = builder(Schemes)


SchemeKey = tuple[int, int, int, int, int]
"""(COR, INC, PAR, MIS, SPU): all a `SchemeCounts` is made from."""


def schemes_from_pairs(
    pairs: Sequence[int],
    flag_count: int,
    item_count: int,
    *,
    known: dict[SchemeKey, SchemeCounts] | None = None,
) -> Schemes:
    """Return the strict, exact, partial and type schemes from the pairs made in each.

    ``pairs`` are in `SchemePairs` order; in each scheme the items left unpaired are MIS and the
    flags left unpaired SPU. ``known``, when given, keeps every `SchemeCounts` made, for reuse:
    the submissions of one key share many.
    """
    strict_cor, strict_inc, exact_cor, exact_inc, type_cor, type_inc = pairs
    strict, exact, typed = strict_cor + strict_inc, exact_cor + exact_inc, type_cor + type_inc
    keys = (
        (strict_cor, strict_inc, 0, item_count - strict, flag_count - strict),
        (exact_cor, exact_inc, 0, item_count - exact, flag_count - exact),
        (exact_cor, 0, exact_inc, item_count - exact, flag_count - exact),
        (type_cor, type_inc, 0, item_count - typed, flag_count - typed),
    )
    if known is None:
        return _new_schemes(*[_scheme(*key) for key in keys])
    schemes = []
    for key in keys:
        counts = known.get(key)
        if counts is None:
            counts = known[key] = _scheme(*key)
        schemes.append(counts)
    return _new_schemes(*schemes)


def _scheme(correct: int, incorrect: int, partial: int, missed: int, spurious: int) -> SchemeCounts:
    possible = correct + incorrect + partial + missed
    actual = correct + incorrect + partial + spurious
    earned = correct + 0.5 * partial
    neither = possible == 0 and actual == 0
    precision = ratio(earned, actual, nothing_on_either_side=neither)
    recall = ratio(earned, possible, nothing_on_either_side=neither)
    return _new_scheme_counts(
        correct=correct,
        incorrect=incorrect,
        partial=partial,
        missed=missed,
        spurious=spurious,
        possible=possible,
        actual=actual,
        precision=precision,
        recall=recall,
        f1=f1(precision, recall),
    )
