"""Standard measures of a submission: precision/recall/F1, the SemEval span metric, nervaluate counts.

These measure detection for comparison with published work; they ignore boundary reductions,
conflict groups and links, which only the score takes into account.
"""

from __future__ import annotations

import bisect
import math
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


def detection(
    category: str | None, correct: int, flagged: int, expected: int
) -> Detection:
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
    for span in spans:
        _, start, end = span
        # The common case in one test; the rest says what exactly is wrong.
        if type(start) is int and type(end) is int and 0 <= start < end:
            continue
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
    return _new_span_score(flagged_count, key_count, precision, recall, f1(precision, recall))


def nervaluate_schemes(flags: Sequence[Flag], items: Sequence[KeyItem]) -> Schemes:
    """Count COR, INC, PAR, MIS and SPU for the strict, exact, partial and type schemes.

    Each flag is paired with at most one key item it overlaps (any shared character) and each item
    with at most one flag: pairs with exact boundaries come first, then pairs of the same category,
    then larger overlaps, then earlier flags and items. A pair with exact boundaries and the same
    category is COR in every scheme; exact boundaries and another category: strict INC, exact COR,
    partial COR, type INC; a partial overlap with the same category: strict INC, exact INC,
    partial PAR, type COR; a partial overlap with another category: INC but partial PAR. Unpaired
    items are MIS and unpaired flags SPU in every scheme. Precision is (COR + PAR/2) / actual and
    recall (COR + PAR/2) / possible, PAR counting only in the partial scheme.
    ``items`` are the key spans to find (no decoys).
    """
    index = SpanIndex([Span(item.article, item.start, item.end, n) for n, item in enumerate(items)])
    pairs = []
    for flag_number, flag in enumerate(flags):
        for span in index.overlapping(flag.article, flag.start, flag.end):
            pairs.append((*pair_rank(items[span.index], flag), flag_number, span.index))
    return schemes_from_counts(pair_greedily(pairs), len(flags), len(items))


PairRank = tuple[bool, bool, int]
"""How a flag and an item it overlaps rank as a pair: (not exact, not the same category, -overlap)."""


def pair_rank(item: KeyItem, flag: Flag) -> PairRank:
    """Rank a pair for nervaluate pairing: exact boundaries first, then same category, then overlap."""
    exact = item.start == flag.start and item.end == flag.end
    shared = min(item.end, flag.end) - max(item.start, flag.start)
    return (not exact, item.category != flag.category, -shared)


def pair_kind(rank: PairRank) -> int:
    """Return the kind of a ranked pair as an index into `PairCounts`."""
    return 2 * rank[0] + rank[1]


PairCounts = tuple[int, int, int, int]
"""Pairs of each kind: exact boundaries and the same category, exact and another category, a
partial overlap and the same category, a partial overlap and another category."""


def pair_greedily(pairs: list[tuple[bool, bool, int, int, int]]) -> list[int]:
    """Pair flags and items greedily in rank order and count the pairs of each kind.

    ``pairs`` are (*pair_rank, flag number, item number) tuples; each flag and each item is paired
    at most once. Returns the counts in `PairCounts` order.
    """
    pairs.sort()
    taken_flags: set[int] = set()
    taken_items: set[int] = set()
    counts = [0, 0, 0, 0]
    for pair in pairs:
        flag_number, item_number = pair[3], pair[4]
        if flag_number in taken_flags or item_number in taken_items:
            continue
        taken_flags.add(flag_number)
        taken_items.add(item_number)
        counts[pair_kind(pair[:3])] += 1
    return counts


_new_scheme_counts = builder(SchemeCounts)
_new_schemes = builder(Schemes)


SchemeKey = tuple[int, int, int, int, int]
"""(COR, INC, PAR, MIS, SPU): all a `SchemeCounts` is made from."""


def schemes_from_counts(
    pairs: Sequence[int],
    flag_count: int,
    item_count: int,
    *,
    known: dict[SchemeKey, SchemeCounts] | None = None,
) -> Schemes:
    """Return the strict, exact, partial and type schemes from the pairs of each kind.

    ``pairs`` are counted in `PairCounts` order; the items left unpaired are MIS and the flags
    left unpaired SPU. ``known``, when given, keeps every `SchemeCounts` made, for reuse: the
    submissions of one key share many.
    """
    exact_same, exact_other, loose_same, loose_other = pairs
    paired = exact_same + exact_other + loose_same + loose_other
    missed, spurious = item_count - paired, flag_count - paired
    keys = (
        (exact_same, exact_other + loose_same + loose_other, 0, missed, spurious),
        (exact_same + exact_other, loose_same + loose_other, 0, missed, spurious),
        (exact_same + exact_other, 0, loose_same + loose_other, missed, spurious),
        (exact_same + loose_same, exact_other + loose_other, 0, missed, spurious),
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
        correct, incorrect, partial, missed, spurious, possible, actual,
        precision, recall, f1(precision, recall),
    )
