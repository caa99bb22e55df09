"""Scoring one submission: match flags to the key, add up credit, penalties and links, build a Report.

Rescoring runs one key against thousands of submissions, so the work is done where it depends on
least. What depends on the key alone (its span index, the result of each item nobody flagged, the
points possible) is built once by `PreparedKey`. What depends on one flagged span (the items it
could match, what each match earns and how it is explained, what it costs unmatched, its shares
of the SemEval metric) is worked out the first time the span is seen and kept, since trainees
flag the very same spans again and again. Only the one-to-one assignment, conflict groups, links
and totals are worked out for each submission.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Collection, Sequence
from dataclasses import dataclass

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
    Shares,
    detection,
    merge_spans,
    pair_rank,
    schemes_from_pairs,
    span_score_from_shares,
)
from scoring.report import (
    Detection,
    FlagOutcome,
    FlagResult,
    ItemResult,
    ItemStatus,
    LinkStatus,
    Report,
    Schemes,
    SpanMetrics,
    Totals,
    builder,
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
"""How many distinct flagged spans a prepared key remembers (about 1.5 kB each)."""

_CANONICAL_ORDER = operator.attrgetter("article", "start", "end", "category", "id")
"""The order flags are matched in, so that results never depend on the order of submission."""

# Results are built the fast way (see `builder`): rescoring builds dozens per submission.
_new_item_result = builder(ItemResult)
_new_flag_result = builder(FlagResult)
_new_totals = builder(Totals)
_new_span_metrics = builder(SpanMetrics)
_new_report = builder(Report)

_detection = functools.lru_cache(maxsize=4096)(detection)
"""`detection`, cached: a key's submissions share a small set of counts, and results are immutable."""


# What a prepared key keeps about flagged spans is shared by every flag of the span and never
# changed; the classes are not frozen only because frozen dataclasses are slow to build.


@dataclass(slots=True)
class _Match:
    """A flagged span matched to one item: the item's result, all but the flag's id."""

    credit: float
    category_factor: float
    boundary_factor: float
    status: ItemStatus
    reason: str
    """The item's reason, after "Flag 'id' "."""
    flag_reason: str
    """The reason of the matched flag."""


@dataclass(slots=True)
class _Miss:
    """What a flagged span that matches no item becomes: its FlagResult, all but the flag."""

    outcome: FlagOutcome
    item_id: str | None
    penalty: float
    reason: str
    """Empty for a duplicate, whose reason names the flag credited instead."""
    explanation: str


@dataclass(slots=True)
class _Analysis:
    """What one flagged span (article, offsets, category) could match, whoever flagged it."""

    options: list[Candidate]
    """Items it may match, with the assignment weights."""
    matches: dict[int, tuple[_Match, _Match]]
    """For each item it may match: the match when the item's conflict group pays (or it has
    none), and when it does not."""
    miss: _Miss
    """What it becomes when it matches no item."""
    decoy: KeyItem | None
    """The decoy it matches, if any: what it costs when left unmatched."""
    ranks: list[tuple[bool, bool, int, int]]
    """(*pair_rank, item index) for each real item it overlaps at all, for nervaluate."""
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
        # With the exercise's categories known, every flag's category is among them (it is checked).
        self.category_names = (
            None if categories is None else sorted(self.categories | set(self.expected_by_category))
        )
        # Results for items nobody flagged are the same for every submission: build them once.
        self.untouched = tuple(_untouched_result(item) for item in self.items)
        place = {item.id: position for position, item in enumerate(self.items)}
        self.real_places = tuple(place[item.id] for item in self.real)
        self.decoy_places = {item.id: place[item.id] for item in self.decoys}
        self._analyses: dict[tuple[str, int, int, str], _Analysis] = {}

    def score(self, flags: Sequence[Flag]) -> Report:
        """Score one submission against this key; raise ValueError on invalid flags."""
        check_flags(flags, self.categories)
        ordered = sorted(flags, key=_CANONICAL_ORDER)
        kept = self._analyses
        analyses = []
        for flag in ordered:
            analysis = kept.get((flag.article, flag.start, flag.end, flag.category))
            analyses.append(self._analyse(flag) if analysis is None else analysis)
        chosen = best_assignment([analysis.options for analysis in analyses])

        real = self.real
        item_of_flag: dict[str, KeyItem] = {}
        holders: dict[str, str] = {}  # item id -> the flag credited with it
        for flag, number in zip(ordered, chosen):
            if number is not None:
                item = item_of_flag[flag.id] = real[number]
                holders[item.id] = flag.id
        paid = groups_paid(item_of_flag.values())

        items = list(self.untouched)
        outcomes: dict[str, FlagResult] = {}
        credits: list[float] = []
        penalties: list[float] = []
        statuses: dict[ItemStatus, int] = {}
        flagged: dict[str, int] = {}  # flags per category
        correct: dict[str, int] = {}  # flags per category matched to an item of that category
        decoy_hits: dict[str, list[str]] = {}
        for flag, analysis, number in zip(ordered, analyses, chosen):
            category = flag.category
            flagged[category] = flagged.get(category, 0) + 1
            if number is None:
                outcomes[flag.id] = result = _false_positive(flag, analysis.miss, holders)
                penalties.append(result.penalty)
                if analysis.decoy is not None:
                    decoy_hits.setdefault(analysis.decoy.id, []).append(flag.id)
                continue
            item = real[number]
            when_paid, when_lone = analysis.matches[number]
            match = when_lone if item.group is not None and item.group not in paid else when_paid
            items[self.real_places[number]] = _new_item_result(
                item.id, item.article, item.category, item.group, match.status, (flag.id,),
                item.points, match.credit, 0.0, match.category_factor, match.boundary_factor,
                f"Flag {flag.id!r} {match.reason}", item.explanation,
            )
            outcomes[flag.id] = _new_flag_result(
                flag.id, flag.article, flag.start, flag.end, category, FlagOutcome.MATCHED,
                item.id, match.credit, 0.0, match.flag_reason, "",
            )
            credits.append(match.credit)
            statuses[match.status] = statuses.get(match.status, 0) + 1
            if category == item.category:
                correct[category] = correct.get(category, 0) + 1
        for decoy_id, hits in decoy_hits.items():
            place = self.decoy_places[decoy_id]
            items[place] = self._decoy_result(self.items[place], hits)

        links = judge_links(flags, item_of_flag, self.policy)
        bonuses = sum(1 for link in links if link.status is LinkStatus.CORRECT)
        correct_links = bonuses + sum(1 for link in links if link.status is LinkStatus.REDUNDANT)
        item_credit = math.fsum(credits)
        penalty = math.fsum(penalties)
        link_credit = self.policy.link_bonus * bonuses
        earned = max(0.0, item_credit + link_credit - penalty)
        if self.possible > 0:
            final = min(100.0, 100.0 * earned / self.possible)
        else:
            final = 100.0 if penalty == 0 else 0.0
        totals = _new_totals(
            item_credit=item_credit,
            link_credit=link_credit,
            penalties=penalty,
            earned=earned,
            possible=self.possible,
            found=statuses.get(ItemStatus.FOUND, 0),
            partial=statuses.get(ItemStatus.PARTIAL, 0),
            wrong_category=statuses.get(ItemStatus.WRONG_CATEGORY, 0),
            lone_figure=statuses.get(ItemStatus.LONE_FIGURE, 0),
            missed=len(real) - len(item_of_flag),
            decoys_flagged=len(decoy_hits),
            false_positives=len(flags) - len(item_of_flag),
            correct_links=correct_links,
            wrong_links=len(links) - correct_links,
            possible_links=self.possible_links,
        )
        overall, per_category = self._detection(flagged, correct)
        return _new_report(
            final, totals, tuple(items), tuple(outcomes[flag.id] for flag in flags), links,
            overall, per_category, self._span_metrics(ordered, analyses), self._schemes(analyses),
            self.policy,
        )

    def _analyse(self, flag: Flag) -> _Analysis:
        """Work out and keep what a flagged span could match, for every flag of that span."""
        policy, real, real_count = self.policy, self.real, len(self.real)
        start, end = flag.start, flag.end
        near_all = [span.index for span in self.index.overlapping(flag.article, start, end)]
        near = [n for n in near_all if n < real_count]
        decoy = None
        if len(near) < len(near_all):
            decoy = self._decoy_hit(flag, [self.decoys[n - real_count] for n in near_all if n >= real_count])
        unmatched_cost = policy.decoy_penalty if decoy else policy.false_positive_penalty
        options: list[Candidate] = []
        matches: dict[int, tuple[_Match, _Match]] = {}
        touched, most_shared = None, 0
        for number in near:
            item = real[number]
            if overlap_is_enough(item.start, item.end, start, end, policy):
                credit = pair_credit(item, flag, policy)
                matches[number] = _matches(item, flag.category, credit)
                # Matching a flag both earns its credit and saves its false-positive cost.
                options.append((number, credit[0] + unmatched_cost, credit[2]))
            else:
                shared = overlap(item.start, item.end, start, end)
                if shared > most_shared:
                    touched, most_shared = item, shared
        if decoy is not None:
            miss = _decoy_miss(decoy, policy)
        elif options:
            # The item it wanted most went to another flag; the reason names that flag.
            wanted = real[max(options, key=lambda o: o[1])[0]]
            miss = _Miss(FlagOutcome.DUPLICATE, wanted.id, policy.false_positive_penalty, "", "")
        else:
            miss = _unmatched_miss(flag, touched, policy)
        analysis = _Analysis(
            options, matches, miss, decoy,
            [(*pair_rank(real[number], flag), number) for number in near],
            self.key_spans_blind.shares(flag.article, start, end),
            self.key_spans_matched.shares((flag.article, flag.category), start, end),
        )
        if len(self._analyses) >= _ANALYSES_KEPT:
            self._analyses.clear()
        self._analyses[(flag.article, start, end, flag.category)] = analysis
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

    def _decoy_result(self, item: KeyItem, hits: list[str]) -> ItemResult:
        penalty = self.policy.decoy_penalty * len(hits)
        names = ", ".join(repr(h) for h in hits)
        return _new_item_result(
            item.id, item.article, item.category, None, ItemStatus.DECOY_FLAGGED, tuple(hits),
            0.0, 0.0, penalty, 0.0, 0.0,
            f"A decoy, flagged by {names}: -{self.policy.decoy_penalty:g} for each flag.",
            item.explanation,
        )

    def _span_metrics(self, ordered: list[Flag], analyses: list[_Analysis]) -> SpanMetrics:
        """The SemEval span metric, from each flag's kept shares unless it overlaps another flag.

        Flags of one article that overlap are merged first: each run of them becomes one span
        category-blind, and one span per run of the same category counting same-category pairs.
        """
        blind_flag: list[float] = []
        blind_key: list[float] = []
        matched_flag: list[float] = []
        matched_key: list[float] = []
        blind_count = matched_count = 0
        count, position = len(ordered), 0
        while position < count:
            first = ordered[position]  # flags are sorted by article, then start
            reach, following = first.end, position + 1
            while (
                following < count
                and ordered[following].start < reach
                and ordered[following].article == first.article
            ):
                reach = max(reach, ordered[following].end)
                following += 1
            blind_count += 1
            if following == position + 1:
                analysis = analyses[position]
                blind_flag += analysis.blind_shares[0]
                blind_key += analysis.blind_shares[1]
                matched_flag += analysis.matched_shares[0]
                matched_key += analysis.matched_shares[1]
                matched_count += 1
            else:
                of_flag, of_key = self.key_spans_blind.shares(first.article, first.start, reach)
                blind_flag += of_flag
                blind_key += of_key
                by_category: dict[str, list[tuple[int, int]]] = {}
                for flag in ordered[position:following]:
                    by_category.setdefault(flag.category, []).append((flag.start, flag.end))
                for category, spans in by_category.items():
                    for start, end in merge_spans(spans):
                        of_flag, of_key = self.key_spans_matched.shares(
                            (first.article, category), start, end
                        )
                        matched_flag += of_flag
                        matched_key += of_key
                        matched_count += 1
            position = following
        return _new_span_metrics(
            span_score_from_shares(blind_flag, blind_key, blind_count, self.key_spans_blind.count),
            span_score_from_shares(
                matched_flag, matched_key, matched_count, self.key_spans_matched.count
            ),
        )

    def _schemes(self, analyses: list[_Analysis]) -> Schemes:
        """nervaluate counts, from the overlaps ranked when each flag's span was analysed."""
        pairs = [
            (loose, other, shared, position, number)
            for position, analysis in enumerate(analyses)
            for loose, other, shared, number in analysis.ranks
        ]
        return schemes_from_pairs(pairs, len(analyses), len(self.real))

    def _detection(
        self, flagged: dict[str, int], correct: dict[str, int]
    ) -> tuple[Detection, tuple[Detection, ...]]:
        """Precision, recall and F1 overall and per category, from the flags counted per category."""
        names = self.category_names
        if names is None:
            names = sorted(set(flagged) | set(self.expected_by_category))
        expected = self.expected_by_category
        by_category = tuple(
            _detection(name, correct.get(name, 0), flagged.get(name, 0), expected.get(name, 0))
            for name in names
        )
        overall = _detection(None, sum(correct.values()), sum(flagged.values()), len(self.real))
        return overall, by_category


def _matches(
    item: KeyItem, category: str, credit: tuple[float, float, float]
) -> tuple[_Match, _Match]:
    """Return what matching ``item`` with a flag of ``category`` earns: paid, and as a lone figure."""
    earned, by_category, by_boundary = credit
    boundaries = (
        "exact boundaries" if by_boundary == 1.0 else f"boundaries agreeing at {by_boundary:.0%}"
    )
    if category == item.category:
        status = ItemStatus.FOUND if by_boundary == 1.0 else ItemStatus.PARTIAL
        reason = f"matched with the key's category and {boundaries}."
    elif category in item.also:
        status = ItemStatus.PARTIAL
        reason = (
            f"matched with {category!r}, an accepted alternative to {item.category!r} worth "
            f"{by_category:.0%}, and {boundaries}."
        )
    else:
        status = ItemStatus.WRONG_CATEGORY
        reason = (
            f"found the span but called it {category!r} instead of {item.category!r}: "
            f"{by_category:.0%} of the points, with {boundaries}."
        )
    paid = _Match(
        earned, by_category, by_boundary, status, reason, f"Matched item {item.id!r} ({status})."
    )
    if item.group is None:
        return paid, paid
    lone = _Match(
        0.0, by_category, by_boundary, ItemStatus.LONE_FIGURE,
        f"found this figure, but no other figure of conflict group {item.group!r} was flagged, "
        f"and a conflicting number earns credit only beside another figure of its group.",
        f"Matched item {item.id!r} ({ItemStatus.LONE_FIGURE}).",
    )
    return paid, lone


def _decoy_miss(decoy: KeyItem, policy: Policy) -> _Miss:
    penalty = policy.decoy_penalty
    return _Miss(
        FlagOutcome.DECOY, decoy.id, penalty,
        f"Flagged decoy {decoy.id!r}, a sound span: -{penalty:g}.", decoy.explanation,
    )


def _unmatched_miss(flag: Flag, touched: KeyItem | None, policy: Policy) -> _Miss:
    """A flag matching no item and no decoy: it touches an item too little, or none at all."""
    penalty = policy.false_positive_penalty
    if touched is None:
        return _Miss(FlagOutcome.NOT_IN_KEY, None, penalty, f"Not in the key: -{penalty:g}.", "")
    shared = overlap(touched.start, touched.end, flag.start, flag.end)
    of_item = shared / (touched.end - touched.start)
    of_flag = shared / (flag.end - flag.start)
    return _Miss(
        FlagOutcome.INSUFFICIENT_OVERLAP, touched.id, penalty,
        f"Touches item {touched.id!r} but covers {of_item:.0%} of it "
        f"(needs {policy.min_key_overlap:.0%}) and lies {of_flag:.0%} inside it "
        f"(needs {policy.min_flag_overlap:.0%}): -{penalty:g}.",
        "",
    )


def _false_positive(flag: Flag, miss: _Miss, holders: dict[str, str]) -> FlagResult:
    reason = miss.reason
    if miss.outcome is FlagOutcome.DUPLICATE:
        holder = holders.get(miss.item_id)
        by = "another flag" if holder is None else f"flag {holder!r}"
        reason = f"Item {miss.item_id!r} was already credited to {by}: -{miss.penalty:g}."
    return _new_flag_result(
        flag.id, flag.article, flag.start, flag.end, flag.category, miss.outcome, miss.item_id,
        0.0, miss.penalty, reason, miss.explanation,
    )


def _untouched_result(item: KeyItem) -> ItemResult:
    if item.decoy:
        return _new_item_result(
            item.id, item.article, item.category, None, ItemStatus.DECOY_AVOIDED, (), 0.0, 0.0,
            0.0, 0.0, 0.0, "A decoy, rightly left alone.", item.explanation,
        )
    return _new_item_result(
        item.id, item.article, item.category, item.group, ItemStatus.MISSED, (), item.points, 0.0,
        0.0, 0.0, 0.0, "No flag matched this item.", item.explanation,
    )
