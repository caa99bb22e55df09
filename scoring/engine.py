"""Scoring one submission: match flags to the key, add up credit, penalties and links, build a Report."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from typing import NamedTuple

from scoring.credit import groups_paid, judge_links, pair_credit, possible_links
from scoring.matching import (
    Candidate,
    Span,
    SpanIndex,
    best_assignment,
    boundary_agreement,
    overlap,
    overlap_is_enough,
)
from scoring.metrics import (
    KeySpans,
    PairRank,
    Shares,
    detection,
    merge_sorted_groups,
    pair_rank,
    schemes_from_pairs,
    span_score,
    span_score_from_shares,
)
from scoring.report import (
    Detection,
    FlagOutcome,
    FlagResult,
    ItemResult,
    ItemStatus,
    LinkResult,
    LinkStatus,
    Report,
    SpanMetrics,
    Totals,
)
from scoring.types import Flag, KeyItem, Policy
from scoring.validation import check_flags, check_key, check_policy


def score(
    key: Sequence[KeyItem],
    flags: Sequence[Flag],
    policy: Policy = Policy(),
    *,
    categories: Collection[str] | None = None,
) -> Report:
    """Score a trainee's flags against an instructor key; raise ValueError on invalid input.

    ``categories``, when given, are the exercise's categories: a key item or flag using another
    one is rejected.
    """
    return PreparedKey(key, policy, categories=categories).score(flags)


_ANALYSES_KEPT = 50_000
"""How many distinct flagged spans a prepared key remembers (a few hundred bytes each)."""


class _Analysis(NamedTuple):
    """What one flagged span (article, offsets, category) could match, whoever flagged it."""

    ranks: list[tuple[PairRank, int]]
    """Real items it overlaps at all (indices into the canonical order), ranked for nervaluate."""
    decoy: KeyItem | None
    """The decoy it matches, if any: what it costs when left unmatched."""
    options: list[Candidate]
    """Items it may match, with the assignment weights."""
    credits: dict[int, tuple[float, float, float]]
    """(credit, category factor, boundary factor) for each item it may match."""
    touched: KeyItem | None
    """With no item to match, the item it overlaps most, if any."""
    blind_shares: Shares
    """Its SemEval shares against the key spans, category-blind."""
    matched_shares: Shares
    """Its SemEval shares against the key spans of its category."""


class PreparedKey:
    """A validated key with the structures every submission is scored against, built once."""

    def __init__(
        self,
        key: Sequence[KeyItem],
        policy: Policy = Policy(),
        *,
        categories: Collection[str] | None = None,
    ) -> None:
        check_policy(policy)
        check_key(key, categories)
        self.policy = policy
        self.categories = None if categories is None else frozenset(categories)
        self.items = tuple(key)
        # Matching sees items in a canonical order so results never depend on the key's order.
        self.real = tuple(
            sorted((i for i in key if not i.decoy), key=lambda i: (i.article, i.start, i.end, i.id))
        )
        self.decoys = tuple(
            sorted((i for i in key if i.decoy), key=lambda i: (i.article, i.start, i.end, i.id))
        )
        # One index over both, real items first: a flag's neighbours come from one look-up.
        self.index = SpanIndex(
            [Span(i.article, i.start, i.end, n) for n, i in enumerate(self.real + self.decoys)]
        )
        group_sizes: dict[str, int] = {}
        for item in self.real:
            if item.group is not None:
                group_sizes[item.group] = group_sizes.get(item.group, 0) + 1
        self.possible_links = possible_links(group_sizes)
        # fsum: exact sums, so totals never depend on the order of items or flags.
        self.possible = math.fsum(i.points for i in self.real) + policy.link_bonus * self.possible_links
        self.key_spans_blind = KeySpans((i.article, i.start, i.end) for i in self.real)
        self.key_spans_matched = KeySpans(((i.article, i.category), i.start, i.end) for i in self.real)
        self.expected_by_category: dict[str, int] = {}
        for item in self.real:
            self.expected_by_category[item.category] = self.expected_by_category.get(item.category, 0) + 1
        # Results for items nobody flagged are the same for every submission: build them once.
        self.untouched = {item.id: _untouched_result(item) for item in self.items}
        self._analyses: dict[tuple[str, int, int, str], _Analysis] = {}

    def score(self, flags: Sequence[Flag]) -> Report:
        """Score one submission against this key; raise ValueError on invalid flags."""
        check_flags(flags, self.categories)
        policy = self.policy
        ordered = sorted(flags, key=lambda f: (f.article, f.start, f.end, f.category, f.id))

        analyses = [self._analyse(flag) for flag in ordered]
        candidates = [analysis.options for analysis in analyses]

        chosen = best_assignment(candidates)
        item_of_flag: dict[str, KeyItem] = {}
        pair_of_item: dict[str, tuple[Flag, tuple[float, float, float]]] = {}
        for position, item_number in enumerate(chosen):
            if item_number is not None:
                flag, item = ordered[position], self.real[item_number]
                item_of_flag[flag.id] = item
                pair_of_item[item.id] = (flag, analyses[position].credits[item_number])
        paid = groups_paid(list(item_of_flag.values()))

        flag_outcomes: dict[str, FlagResult] = {}
        decoy_flags: dict[str, list[str]] = {}
        for position, flag in enumerate(ordered):
            if chosen[position] is None:
                analysis = analyses[position]
                flag_outcomes[flag.id] = self._false_positive(flag, analysis, pair_of_item)
                decoy = analysis.decoy
                if decoy is not None:
                    decoy_flags.setdefault(decoy.id, []).append(flag.id)

        item_results = []
        for item in self.items:
            if item.decoy:
                hits = decoy_flags.get(item.id)
                result = self.untouched[item.id] if hits is None else self._decoy_result(item, hits)
            elif item.id in pair_of_item:
                flag, credit = pair_of_item[item.id]
                result = self._matched_result(item, flag, credit, paid)
                flag_outcomes[flag.id] = _matched_flag(flag, result)
            else:
                result = self.untouched[item.id]
            item_results.append(result)
        item_credit = math.fsum(result.credit for result in item_results)

        links = judge_links(flags, item_of_flag, policy)
        return self._report(
            flags, ordered, analyses, tuple(item_results), item_credit, flag_outcomes, links,
            item_of_flag,
        )

    def _analyse(self, flag: Flag) -> _Analysis:
        """Find what a flag could match; cached, since many trainees flag the very same span."""
        signature = (flag.article, flag.start, flag.end, flag.category)
        known = self._analyses.get(signature)
        if known is not None:
            return known
        policy, real, real_count = self.policy, self.real, len(self.real)
        start, end = flag.start, flag.end
        near_all = [span.index for span in self.index.overlapping(flag.article, start, end)]
        near = [n for n in near_all if n < real_count]
        decoy = None
        if len(near) < len(near_all):
            decoy = self._decoy_hit(flag, [self.decoys[n - real_count] for n in near_all if n >= real_count])
        unmatched_cost = policy.decoy_penalty if decoy else policy.false_positive_penalty
        options: list[Candidate] = []
        credits: dict[int, tuple[float, float, float]] = {}
        touched, most_shared = None, 0
        for number in near:
            item = real[number]
            if overlap_is_enough(item.start, item.end, start, end, policy):
                credits[number] = credit = pair_credit(item, flag, policy)
                # Matching a flag both earns its credit and saves its false-positive cost.
                options.append((number, credit[0] + unmatched_cost, credit[2]))
            else:
                shared = overlap(item.start, item.end, start, end)
                if shared > most_shared:
                    touched, most_shared = item, shared
        ranks = [(pair_rank(real[number], flag), number) for number in near]
        analysis = _Analysis(
            ranks, decoy, options, credits, None if options else touched,
            self.key_spans_blind.shares(flag.article, start, end),
            self.key_spans_matched.shares((flag.article, flag.category), start, end),
        )
        if len(self._analyses) >= _ANALYSES_KEPT:
            self._analyses.clear()
        self._analyses[signature] = analysis
        return analysis

    def _decoy_hit(self, flag: Flag, near: list[KeyItem]) -> KeyItem | None:
        """Return the decoy (among those it overlaps) the flag matches best under the overlap rule."""
        best, best_agreement = None, 0.0
        for decoy in near:
            if overlap_is_enough(decoy.start, decoy.end, flag.start, flag.end, self.policy):
                agreement = boundary_agreement(decoy.start, decoy.end, flag.start, flag.end)
                if best is None or agreement > best_agreement:
                    best, best_agreement = decoy, agreement
        return best

    def _false_positive(
        self,
        flag: Flag,
        analysis: _Analysis,
        pair_of_item: dict[str, tuple[Flag, tuple[float, float, float]]],
    ) -> FlagResult:
        decoy, options, touched = analysis.decoy, analysis.options, analysis.touched
        policy = self.policy
        if decoy is not None:
            penalty = policy.decoy_penalty
            return FlagResult(
                flag.id, flag.article, flag.start, flag.end, flag.category, FlagOutcome.DECOY,
                decoy.id, 0.0, penalty,
                f"Flagged decoy {decoy.id!r}, a sound span: -{penalty:g}.", decoy.explanation,
            )
        penalty = policy.false_positive_penalty
        if options:
            wanted = self.real[max(options, key=lambda o: o[1])[0]]
            holder = pair_of_item.get(wanted.id)
            by = f"flag {holder[0].id!r}" if holder else "another flag"
            return FlagResult(
                flag.id, flag.article, flag.start, flag.end, flag.category, FlagOutcome.DUPLICATE,
                wanted.id, 0.0, penalty,
                f"Item {wanted.id!r} was already credited to {by}: -{penalty:g}.", "",
            )
        if touched is not None:
            shared = overlap(touched.start, touched.end, flag.start, flag.end)
            of_item = shared / (touched.end - touched.start)
            of_flag = shared / (flag.end - flag.start)
            return FlagResult(
                flag.id, flag.article, flag.start, flag.end, flag.category,
                FlagOutcome.INSUFFICIENT_OVERLAP, touched.id, 0.0, penalty,
                f"Touches item {touched.id!r} but covers {of_item:.0%} of it "
                f"(needs {policy.min_key_overlap:.0%}) and lies {of_flag:.0%} inside it "
                f"(needs {policy.min_flag_overlap:.0%}): -{penalty:g}.",
                "",
            )
        return FlagResult(
            flag.id, flag.article, flag.start, flag.end, flag.category, FlagOutcome.NOT_IN_KEY,
            None, 0.0, penalty, f"Not in the key: -{penalty:g}.", "",
        )

    def _matched_result(
        self,
        item: KeyItem,
        flag: Flag,
        credit: tuple[float, float, float],
        paid: frozenset[str],
    ) -> ItemResult:
        earned, by_category, by_boundary = credit
        boundaries = (
            "exact boundaries" if by_boundary == 1.0 else f"boundaries agreeing at {by_boundary:.0%}"
        )
        if item.group is not None and item.group not in paid:
            status = ItemStatus.LONE_FIGURE
            earned = 0.0
            reason = (
                f"Flag {flag.id!r} found this figure, but no other figure of conflict group "
                f"{item.group!r} was flagged, and a conflicting number earns credit only beside "
                f"another figure of its group."
            )
        elif flag.category == item.category:
            status = ItemStatus.FOUND if by_boundary == 1.0 else ItemStatus.PARTIAL
            reason = f"Flag {flag.id!r} matched with the key's category and {boundaries}."
        elif flag.category in item.also:
            status = ItemStatus.PARTIAL
            reason = (
                f"Flag {flag.id!r} matched with {flag.category!r}, an accepted alternative to "
                f"{item.category!r} worth {by_category:.0%}, and {boundaries}."
            )
        else:
            status = ItemStatus.WRONG_CATEGORY
            reason = (
                f"Flag {flag.id!r} found the span but called it {flag.category!r} instead of "
                f"{item.category!r}: {by_category:.0%} of the points, with {boundaries}."
            )
        return ItemResult(
            item.id, item.article, item.category, item.group, status, (flag.id,), item.points,
            earned, 0.0, by_category, by_boundary, reason, item.explanation,
        )

    def _decoy_result(self, item: KeyItem, hits: list[str]) -> ItemResult:
        penalty = self.policy.decoy_penalty * len(hits)
        names = ", ".join(repr(h) for h in hits)
        return ItemResult(
            item.id, item.article, item.category, None, ItemStatus.DECOY_FLAGGED, tuple(hits),
            0.0, 0.0, penalty, 0.0, 0.0,
            f"A decoy, flagged by {names}: -{self.policy.decoy_penalty:g} for each flag.",
            item.explanation,
        )

    def _report(
        self,
        flags: Sequence[Flag],
        ordered: list[Flag],
        analyses: list[_Analysis],
        items: tuple[ItemResult, ...],
        item_credit: float,
        flag_outcomes: dict[str, FlagResult],
        links: tuple[LinkResult, ...],
        item_of_flag: dict[str, KeyItem],
    ) -> Report:
        flag_results = tuple(flag_outcomes[flag.id] for flag in flags)
        penalties = math.fsum(f.penalty for f in flag_results)
        bonuses = sum(1 for link in links if link.status is LinkStatus.CORRECT)
        correct_links = bonuses + sum(1 for link in links if link.status is LinkStatus.REDUNDANT)
        link_credit = self.policy.link_bonus * bonuses
        earned = max(0.0, item_credit + link_credit - penalties)
        if self.possible > 0:
            final = min(100.0, 100.0 * earned / self.possible)
        else:
            final = 100.0 if penalties == 0 else 0.0
        counts = Counter(result.status for result in items)
        totals = Totals(
            item_credit=item_credit,
            link_credit=link_credit,
            penalties=penalties,
            earned=earned,
            possible=self.possible,
            found=counts[ItemStatus.FOUND],
            partial=counts[ItemStatus.PARTIAL],
            wrong_category=counts[ItemStatus.WRONG_CATEGORY],
            lone_figure=counts[ItemStatus.LONE_FIGURE],
            missed=counts[ItemStatus.MISSED],
            decoys_flagged=counts[ItemStatus.DECOY_FLAGGED],
            false_positives=len(flags) - len(item_of_flag),
            correct_links=correct_links,
            wrong_links=len(links) - correct_links,
            possible_links=self.possible_links,
        )
        overall, per_category = self._detection(flags, item_of_flag)
        spans = self._span_metrics(ordered, analyses)
        pairs = [
            (*rank, position, number)
            for position, analysis in enumerate(analyses)
            for rank, number in analysis.ranks
        ]
        schemes = schemes_from_pairs(pairs, len(ordered), len(self.real))
        return Report(
            final, totals, items, flag_results, links, overall, per_category, spans, schemes,
            self.policy,
        )

    def _span_metrics(self, ordered: list[Flag], analyses: list[_Analysis]) -> SpanMetrics:
        """The SemEval span metric, from each flag's cached shares when no two flags overlap."""
        article, reach = None, 0
        for flag in ordered:  # sorted by article, then offsets
            if flag.article == article and flag.start < reach:
                return self._merged_span_metrics(ordered)
            if flag.article != article:
                article, reach = flag.article, flag.end
            else:
                reach = max(reach, flag.end)
        blind_flag: list[float] = []
        blind_key: list[float] = []
        matched_flag: list[float] = []
        matched_key: list[float] = []
        for analysis in analyses:
            blind_flag += analysis.blind_shares[0]
            blind_key += analysis.blind_shares[1]
            matched_flag += analysis.matched_shares[0]
            matched_key += analysis.matched_shares[1]
        count = len(ordered)
        return SpanMetrics(
            span_score_from_shares(blind_flag, blind_key, count, self.key_spans_blind.count),
            span_score_from_shares(matched_flag, matched_key, count, self.key_spans_matched.count),
        )

    def _merged_span_metrics(self, ordered: list[Flag]) -> SpanMetrics:
        """The SemEval span metric when some flags overlap and must be merged first."""
        by_article: dict[str, list[tuple[int, int]]] = {}
        by_category: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for flag in ordered:  # every document's spans come in order
            span = (flag.start, flag.end)
            by_article.setdefault(flag.article, []).append(span)
            by_category.setdefault((flag.article, flag.category), []).append(span)
        return SpanMetrics(
            span_score(merge_sorted_groups(by_article), self.key_spans_blind),
            span_score(merge_sorted_groups(by_category), self.key_spans_matched),
        )

    def _detection(
        self, flags: Sequence[Flag], item_of_flag: dict[str, KeyItem]
    ) -> tuple[Detection, tuple[Detection, ...]]:
        flagged: dict[str, int] = {}
        correct: dict[str, int] = {}
        for flag in flags:
            flagged[flag.category] = flagged.get(flag.category, 0) + 1
            item = item_of_flag.get(flag.id)
            if item is not None and item.category == flag.category:
                correct[flag.category] = correct.get(flag.category, 0) + 1
        names: set[str] = set(flagged) | set(self.expected_by_category)
        if self.categories is not None:
            names |= self.categories
        by_category = tuple(
            detection(name, correct.get(name, 0), flagged.get(name, 0), self.expected_by_category.get(name, 0))
            for name in sorted(names)
        )
        overall = detection(None, sum(correct.values()), len(flags), len(self.real))
        return overall, by_category


def _untouched_result(item: KeyItem) -> ItemResult:
    if item.decoy:
        return ItemResult(
            item.id, item.article, item.category, None, ItemStatus.DECOY_AVOIDED, (), 0.0, 0.0,
            0.0, 0.0, 0.0, "A decoy, rightly left alone.", item.explanation,
        )
    return ItemResult(
        item.id, item.article, item.category, item.group, ItemStatus.MISSED, (), item.points, 0.0,
        0.0, 0.0, 0.0, "No flag matched this item.", item.explanation,
    )


def _matched_flag(flag: Flag, item: ItemResult) -> FlagResult:
    return FlagResult(
        flag.id, flag.article, flag.start, flag.end, flag.category, FlagOutcome.MATCHED, item.id,
        item.credit, 0.0, f"Matched item {item.id!r} ({item.status}).", "",
    )
