"""Standard measures of a submission: precision/recall/F1, the SemEval span metric, nervaluate counts.

These measure detection for comparison with published work; they ignore boundary reductions,
conflict groups and links, which only the score takes into account.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence

from scoring.matching import Span, SpanIndex
from scoring.report import Detection, SchemeCounts, Schemes, SpanScore
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


def span_metric(flagged: Iterable[Located], key: Iterable[Located]) -> SpanScore:
    """Return the SemEval-2020 Task 11 span-identification metric.

    Spans are sets of character positions. Overlapping spans of one document are merged first, on
    each side. With S the flagged spans and T the key spans,
    P = Σ_s Σ_t |s∩t| / |s| ÷ |S|, R = Σ_s Σ_t |s∩t| / |t| ÷ |T|, F1 their harmonic mean;
    with both sides empty, all three are 1.
    """
    return span_metric_merged(merge_by_document(flagged), merge_by_document(key))


def span_metric_merged(
    flagged: dict[Hashable, list[tuple[int, int]]], key: dict[Hashable, list[tuple[int, int]]]
) -> SpanScore:
    """Return the SemEval span metric for spans already merged and sorted per document."""
    precision_parts, recall_parts = [], []
    for document, predicted in flagged.items():
        gold = key.get(document)
        if gold:
            shared_p, shared_r = _sweep(predicted, gold)
            precision_parts.append(shared_p)
            recall_parts.append(shared_r)
    # fsum: the same total whatever order the documents come in.
    precision_sum, recall_sum = math.fsum(precision_parts), math.fsum(recall_parts)
    flagged_count = sum(len(spans) for spans in flagged.values())
    key_count = sum(len(spans) for spans in key.values())
    neither = flagged_count == 0 and key_count == 0
    precision = ratio(precision_sum, flagged_count, nothing_on_either_side=neither)
    recall = ratio(recall_sum, key_count, nothing_on_either_side=neither)
    return SpanScore(flagged_count, key_count, precision, recall, f1(precision, recall))


def _sweep(
    predicted: list[tuple[int, int]], gold: list[tuple[int, int]]
) -> tuple[float, float]:
    """Walk two sorted lists of disjoint spans together, summing |s∩t|/|s| and |s∩t|/|t|."""
    precision_sum = recall_sum = 0.0
    i = j = 0
    while i < len(predicted) and j < len(gold):
        p_start, p_end = predicted[i]
        g_start, g_end = gold[j]
        shared = min(p_end, g_end) - max(p_start, g_start)
        if shared > 0:
            precision_sum += shared / (p_end - p_start)
            recall_sum += shared / (g_end - g_start)
        # The span that ends first cannot meet anything further on the other side.
        if p_end <= g_end:
            i += 1
        else:
            j += 1
    return precision_sum, recall_sum


def key_index(items: Sequence[KeyItem]) -> SpanIndex:
    """Index key items by position in ``items`` for finding the ones a flag overlaps."""
    return SpanIndex([Span(item.article, item.start, item.end, n) for n, item in enumerate(items)])


def nervaluate_schemes(
    flags: Sequence[Flag], items: Sequence[KeyItem], index: SpanIndex | None = None
) -> Schemes:
    """Count COR, INC, PAR, MIS and SPU for the strict, exact, partial and type schemes.

    Each flag is paired with at most one key item it overlaps (any shared character) and each item
    with at most one flag: pairs with exact boundaries come first, then pairs of the same category,
    then larger overlaps, then earlier flags and items. A pair with exact boundaries and the same
    category is COR in every scheme; exact boundaries and another category: strict INC, exact COR,
    partial COR, type INC; a partial overlap with the same category: strict INC, exact INC,
    partial PAR, type COR; a partial overlap with another category: INC but partial PAR. Unpaired
    items are MIS and unpaired flags SPU in every scheme. Precision is (COR + PAR/2) / actual and
    recall (COR + PAR/2) / possible, PAR counting only in the partial scheme.
    ``items`` are the key spans to find (no decoys); ``index`` is `key_index(items)` if given.
    """
    if index is None:
        index = key_index(items)
    pairs = []
    for flag_number, flag in enumerate(flags):
        for span in index.overlapping(flag.article, flag.start, flag.end):
            item = items[span.index]
            exact = item.start == flag.start and item.end == flag.end
            shared = min(item.end, flag.end) - max(item.start, flag.start)
            same = item.category == flag.category
            pairs.append((not exact, not same, -shared, flag_number, span.index))
    pairs.sort()
    taken_flags: set[int] = set()
    taken_items: set[int] = set()
    # counts per scheme: [strict, exact, partial, type] x [COR, INC, PAR]
    exact_same = exact_other = loose_same = loose_other = 0
    for loose, other, _, flag_number, item_number in pairs:
        if flag_number in taken_flags or item_number in taken_items:
            continue
        taken_flags.add(flag_number)
        taken_items.add(item_number)
        if loose:
            if other:
                loose_other += 1
            else:
                loose_same += 1
        elif other:
            exact_other += 1
        else:
            exact_same += 1
    missed = len(items) - len(taken_items)
    spurious = len(flags) - len(taken_flags)
    return Schemes(
        strict=_scheme(exact_same, exact_other + loose_same + loose_other, 0, missed, spurious),
        exact=_scheme(exact_same + exact_other, loose_same + loose_other, 0, missed, spurious),
        partial=_scheme(exact_same + exact_other, 0, loose_same + loose_other, missed, spurious),
        type=_scheme(exact_same + loose_same, exact_other + loose_other, 0, missed, spurious),
    )


def _scheme(correct: int, incorrect: int, partial: int, missed: int, spurious: int) -> SchemeCounts:
    possible = correct + incorrect + partial + missed
    actual = correct + incorrect + partial + spurious
    earned = correct + 0.5 * partial
    neither = possible == 0 and actual == 0
    precision = ratio(earned, actual, nothing_on_either_side=neither)
    recall = ratio(earned, possible, nothing_on_either_side=neither)
    return SchemeCounts(
        correct, incorrect, partial, missed, spurious, possible, actual,
        precision, recall, f1(precision, recall),
    )
