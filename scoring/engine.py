"""Scoring one submission: match flags to the key, add up credit, penalties and links, build a Report.

Rescoring runs one key against thousands of submissions, so the work is done where it depends on
least. What depends on the key alone (its span index, the result of each item nobody flagged, the
points possible) is built once by `PreparedKey`. What depends on one flagged span (the items it
could match, what each match earns and how it is explained, what it costs unmatched, its sums
for the SemEval metric) is worked out the first time the span is seen and kept, since trainees
flag the very same spans again and again. Only the one-to-one assignment, conflict groups, links
and totals are worked out for each submission. The report keeps what each flag became; its item
and flag results are made from that when read (`scoring.report.Deferred`), and their stored form
is copied from templates kept per key and per match, which is most of what storing costs.

The per-submission code is written for CPython's specialising interpreter: plain loops over lists
with attribute reads of slotted objects are cheap, while per-flag dict updates, small tuples and
reads of enum members through their class cost several times as much (measured with callgrind;
see bench/score.py). Hence the enum members bound to module names and the counts kept in lists.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scoring.credit import (
    FigurePair,
    agreeing_pairs,
    conflict_partners,
    judge_links,
    judge_ratings,
    pair_credit,
    possible_links,
)
from scoring.matching import (
    Candidate,
    Span,
    SpanIndex,
    Words,
    best_assignment,
    best_single,
    boundary_factor,
    core_words,
    count_without_text,
)
from scoring.metrics import (
    Contact,
    KeySpans,
    OverlapSums,
    SchemeKey,
    canonical_order,
    contact,
    contact_kind,
    detection,
    scheme_pairs,
    schemes_from_pairs,
    span_score_from_sums,
)
from scoring.report import (
    MATCHED_STATUSES,
    Deferred,
    Detection,
    FlagOutcome,
    FlagResult,
    ItemResult,
    ItemStatus,
    LinkStatus,
    Report,
    SchemeCounts,
    Schemes,
    SpanMetrics,
    Totals,
    builder,
    deferred_report,
    flag_row,
    item_row,
)
from scoring.types import Flag, KeyItem, Policy, RatingKey, SourceRating
from scoring.validation import check_flags, check_key, check_policy, check_rating_key, check_ratings

RULES = 2
"""The version of the scoring rules: bumped whenever the same flags against the same key would
score differently, so that stored scores can be brought up to date."""

RULES_CHANGES = {
    2: "Scoring rules updated: a flag that covers the words carrying a problem (the item's core) "
    "now earns the item in full, a found figure whose partners were missed earns half, and figures "
    "that agree are no longer paid as a conflict.",
}
"""What each version of the rules changed, in words a trainee reads beside a rescored grade."""


def score(
    key: Sequence[KeyItem],
    flags: Sequence[Flag],
    policy: Policy = Policy(),
    *,
    categories: Collection[str] | None = None,
    texts: Mapping[str, str] | None = None,
    rating_key: Sequence[RatingKey] = (),
    ratings: Sequence[SourceRating] = (),
) -> Report:
    """Score a trainee's flags (and source ratings) against an instructor key; raise ValueError on
    invalid input.

    ``categories``, when given, are the exercise's categories: a key item or flag using another
    one is rejected. ``texts`` maps article ids to their stored texts, so that flags are widened
    to whole words and words are counted in the text (see `PreparedKey`). ``rating_key`` holds the
    instructor's source ratings, ``ratings`` the trainee's.
    """
    prepared = PreparedKey(key, policy, categories=categories, texts=texts, rating_key=rating_key)
    return prepared.score(flags, ratings)


_ANALYSES_KEPT = 50_000
"""How many distinct flagged spans (likewise nervaluate counts and detection measures) a prepared
key remembers: about 1.5 kB each."""


_canonical_order = operator.attrgetter("article", "start", "end", "category", "id")
"""The order flags are matched in, so that results never depend on the order of submission."""


# Results are built the fast way (see `builder`): rescoring builds dozens per submission. The two
# built for every flag take their fields in order: a call with keywords packs them into a dict and
# unpacks it again, which costs as much as building the object.
_new_item_result = builder(ItemResult)
_new_flag_result = builder(FlagResult)
_new_totals = builder(Totals)
_new_span_metrics = builder(SpanMetrics)


_MATCHED = FlagOutcome.MATCHED
_CORRECT_LINK = LinkStatus.CORRECT
_REDUNDANT_LINK = LinkStatus.REDUNDANT

_TALLIED = MATCHED_STATUSES
"""What a matched item can become; a `_Match` holds its status's place here."""


# What a prepared key keeps about flagged spans is shared by every flag of the span. These
# records are the engine's own and never change once built; they are built once per distinct
# span, so plain slotted dataclasses, built by keyword, serve.


@dataclass(slots=True, eq=False)
class _Match:
    """A flagged span matched to one item: the item's result, all but the flag's id."""

    credit: float
    category_factor: float
    boundary_factor: float
    status: ItemStatus
    tally: int
    """The place of ``status`` in `_TALLIED`."""
    correct: bool
    """Whether the flag has the item's category."""
    reason: str
    flag_reason: str
    """The reason of the matched flag."""
    lone: _Match | None
    """For a figure of a conflict group: the match when its group does not pay."""
    number: int
    """The item's index among the real items."""
    item_row: dict[str, Any] | None = None
    """The plain form of the item's result, but for the flag's id: made when first stored."""
    flag_row: dict[str, Any] | None = None
    """The plain form of the flag's result, but for its id and offsets: made when first stored."""


@dataclass(slots=True, eq=False)
class _Fit:
    """How a flag's words fit one item: its boundary factor and what it was made of."""

    factor: float
    covered: int
    """Words of the item's core the flag covers."""
    core_words: int
    outside: int
    """Words of the flag outside the item's extent."""

    def describe(self) -> str:
        """Say how the flag's boundaries fit, for a trainee."""
        parts = []
        if self.covered < self.core_words:
            parts.append(f"covers {self.covered} of the {self.core_words} words that carry the problem")
        if self.outside:
            words = "word" if self.outside == 1 else "words"
            parts.append(f"runs {self.outside} {words} past the widest selection that counts fully")
        if not parts:
            return "covers the words that carry the problem"
        return f"{' and '.join(parts)} ({self.factor:.0%} of the points)"


@dataclass(slots=True, eq=False)
class _Miss:
    """What a flagged span that matches no item becomes: its FlagResult, all but the flag."""

    outcome: FlagOutcome
    item_id: str | None
    item_number: int | None
    """The item's index among the real items, for a duplicate."""
    penalty: float
    reason: str
    """Empty for a duplicate, whose reason names the flag credited instead."""
    explanation: str


@dataclass(slots=True, eq=False)
class _Analysis:
    """What one flagged span (article, offsets, category) could match, whoever flagged it."""

    category: int
    """The index of its category in `PreparedKey.category_names`."""
    options: tuple[Candidate, ...]
    """Items it may match, with the assignment weights."""
    best_option: int | None
    """The item it takes when no other flag wants any of its items: the best of its options."""
    matches: dict[int, _Match]
    """What matching each item it may match earns (for a figure, when its group pays)."""
    miss: _Miss
    """What it becomes when it matches no item."""
    decoy: KeyItem | None
    """The decoy it matches, if any: what it costs when left unmatched."""
    contacts: tuple[Contact, ...]
    """For nervaluate: its `contact` with each real item it overlaps enough, the items in
    canonical order."""
    sole: int | None
    """The index of the item when it has a contact with exactly one."""
    kind: int
    """The `contact_kind` of that contact."""
    sums: tuple[float, float, float, float]
    """Its SemEval overlap sums (`KeySpans.sums`) against the key spans, category-blind, then
    against those of its category."""


class PreparedKey:
    """A validated key with the structures every submission is scored against, built once.

    ``texts`` maps article ids to their stored texts. With an article's text, a flag that cuts a
    word is widened to the whole word and words past an item's extent are counted in the text;
    without it, a flag is taken as it is and `scoring.matching.CHARACTERS_PER_WORD` characters
    count as a word.
    """

    def __init__(
        self,
        key: Sequence[KeyItem],
        policy: Policy = Policy(),
        *,
        categories: Collection[str] | None = None,
        texts: Mapping[str, str] | None = None,
        rating_key: Sequence[RatingKey] = (),
    ) -> None:
        check_policy(policy)
        check_key(key, categories)
        check_rating_key(rating_key)
        self.policy = policy
        self.rating_key = tuple(rating_key)
        self.words = {article: Words(text) for article, text in (texts or {}).items()}
        self.categories = None if categories is None else frozenset(categories)
        self.items = tuple(key)
        # Matching sees items in a canonical order so results never depend on the key's order.
        self.real = tuple(sorted((i for i in key if not i.decoy), key=lambda i: (i.article, i.start, i.end, i.id)))
        self.decoys = tuple(sorted((i for i in key if i.decoy), key=lambda i: (i.article, i.start, i.end, i.id)))
        # Each real item's place in nervaluate's canonical order, which sorts a flag's contacts.
        canonical = sorted(range(len(self.real)), key=lambda number: canonical_order(self.real[number]))
        self._canonical_places = tuple(sorted(range(len(self.real)), key=canonical.__getitem__))
        # One index over both, real items first: a flag's neighbours come from one look-up.
        self.index = SpanIndex([Span(i.article, i.start, i.end, n) for n, i in enumerate(self.real + self.decoys)])
        self.core_words = tuple(core_words(i.start, i.end, i.quote, *i.core) for i in self.real + self.decoys)
        self.partners = conflict_partners(self.real)
        self.agreeing = agreeing_pairs(self.real)
        self.lone_reasons = tuple(self._lone_reason(number) for number in range(len(self.real)))
        """For each real item, the numbers of the figures it conflicts with (None: not a figure)."""
        self.possible_links = possible_links(self.real)
        # fsum: exact sums, so totals never depend on the order of items or flags.
        self.possible = (
            math.fsum(i.points for i in self.real)
            + policy.link_bonus * self.possible_links
            + policy.rating_points * len(self.rating_key)
        )
        self.key_spans_blind = KeySpans((i.article, i.start, i.end) for i in self.real)
        self.key_spans_matched = KeySpans(((i.article, i.category), i.start, i.end) for i in self.real)
        self.expected_by_category: dict[str, int] = {}
        for item in self.real:
            self.expected_by_category[item.category] = self.expected_by_category.get(item.category, 0) + 1
        # Flags are counted per category in lists, in the order categories became known: the
        # exercise's (every flag's category is among them: it is checked) and the key's, and,
        # with no exercise categories given, those of the flags as they come.
        self.category_names: list[str] = []
        self._category_places: dict[str, int] = {}
        self._categories_by_name: list[int] = []
        self._always_listed: list[bool] = []  # per category: in the report's by_category even if unflagged
        for name in sorted(set(self.categories or ()) | set(self.expected_by_category)):
            self._category_place(name)
        # Results for items nobody flagged are the same for every submission: build them once.
        self.untouched = tuple(_untouched_result(item) for item in self.items)
        self._untouched_rows: list[dict[str, Any]] | None = None
        place = {item.id: position for position, item in enumerate(self.items)}
        self.real_places = tuple(place[item.id] for item in self.real)
        self.decoy_places = {item.id: place[item.id] for item in self.decoys}
        self._analyses: dict[tuple[str, int, int, str], _Analysis] = {}
        self._touching_nothing: dict[str, _Analysis] = {}  # per category
        self._duplicates: list[_Miss | None] = [None] * len(self.real)  # per real item, when first needed
        # Sloppy selections of one item cover the same words: their matches are the same.
        self._matches: dict[tuple[int, str, int, int], _Match] = {}
        self._scheme_counts: dict[SchemeKey, SchemeCounts] = {}
        self._figure_pairs: dict[tuple[str, str], FigurePair] = {}  # at most the key's figures squared
        # Submissions of one key share few sets of counts: the schemes made from each are kept,
        # by the counts they are made from, and each category's detection measures by its counts.
        self._assignments: dict[tuple[tuple[Candidate, ...], ...], tuple[int | None, ...]] = {}
        self._schemes_made: dict[tuple[int, ...], Schemes] = {}
        self._detections: dict[tuple[int | None, int, int], Detection] = {}
        penalty = policy.false_positive_penalty
        self._not_in_key = _Miss(
            outcome=FlagOutcome.NOT_IN_KEY,
            item_id=None,
            item_number=None,
            penalty=penalty,
            reason=f"Not in the key: -{penalty:g}.",
            explanation="",
        )

    def score(self, flags: Sequence[Flag], ratings: Sequence[SourceRating] = ()) -> Report:
        """Score one submission against this key; raise ValueError on invalid flags or ratings.

        ``ratings`` are the trainee's source ratings; an article the key rates and the trainee did
        not earns nothing for its rating, and a rating of an article the key does not rate is
        passed over.
        """
        flag_ids = check_flags(flags, self.categories)
        if ratings:
            check_ratings(ratings)
        ordered = sorted(flags, key=_canonical_order)
        kept = self._analyses
        analyses = []
        chosen: list[int | None] = []  # each flag's best item, while no two flags want the same
        claimed = [False] * len(self.real)
        compete = False
        overlaps = [0] * len(self.real)  # flags in contact with each item, for nervaluate
        for flag in ordered:
            span = (flag.article, flag.start, flag.end, flag.category)
            analysis = kept.get(span)
            if analysis is None:
                analysis = self._analyse(flag, span)
            analyses.append(analysis)
            sole = analysis.sole
            if sole is not None:
                overlaps[sole] += 1
            else:
                for met in analysis.contacts:
                    overlaps[met[3]] += 1
            # Each flag taking its best item is optimal unless two flags' best items are the same
            # (the sum of every flag's best is the most any assignment can reach).
            best = analysis.best_option
            chosen.append(best)
            if best is not None:
                compete = compete or claimed[best]
                claimed[best] = True
        if compete:
            self._assign(analyses, chosen)

        real, partners = self.real, self.partners
        matched = set(chosen)  # None among them is no item: harmless for the disjointness test
        # What each flag became (its match, or what it costs unmatched), in canonical order: the
        # report's item and flag results are made from these when read (see `_Items`, `_Flags`).
        records: list[_Match | _Miss] = []
        item_of_flag: dict[str, KeyItem] = {}
        credits: list[float] = []
        penalties: list[float] = []
        tallies = [0, 0, 0, 0]  # matched items by status, as in _TALLIED
        flagged = [0] * len(self.category_names)  # flags per category
        correct = [0] * len(self.category_names)  # flags matched to an item of their category
        decoy_hits: dict[str, list[str]] = {}
        for flag, analysis, number in zip(ordered, analyses, chosen):
            flagged[analysis.category] += 1
            if number is None:
                miss = analysis.miss
                records.append(miss)
                penalties.append(miss.penalty)
                if analysis.decoy is not None:
                    decoy_hits.setdefault(analysis.decoy.id, []).append(flag.id)
                continue
            item_of_flag[flag.id] = real[number]
            match = analysis.matches[number]
            conflicts_with = partners[number]
            if conflicts_with is not None and match.lone is not None and matched.isdisjoint(conflicts_with):
                match = match.lone
            records.append(match)
            credits.append(match.credit)
            tallies[match.tally] += 1
            if match.correct:
                correct[analysis.category] += 1

        links = judge_links(
            flags, item_of_flag, self.policy, self.agreeing, known=self._figure_pairs, flag_ids=flag_ids
        )
        bonuses = correct_links = 0
        for link in links:
            if link.status is _CORRECT_LINK:
                bonuses += 1
            elif link.status is _REDUNDANT_LINK:
                correct_links += 1
        correct_links += bonuses
        item_credit = math.fsum(credits)
        penalty = math.fsum(penalties)
        link_credit = self.policy.link_bonus * bonuses
        rated = judge_ratings(self.rating_key, ratings, self.policy) if self.rating_key else ()
        rating_credit = math.fsum(rating.credit for rating in rated)
        earned = max(0.0, item_credit + link_credit + rating_credit - penalty)
        if self.possible > 0:
            final = min(100.0, 100.0 * earned / self.possible)
        else:
            final = 100.0 if penalty == 0 else 0.0
        found, partial, wrong_category, lone_figure = tallies
        totals = _new_totals(
            item_credit=item_credit,
            link_credit=link_credit,
            penalties=penalty,
            earned=earned,
            possible=self.possible,
            found=found,
            partial=partial,
            wrong_category=wrong_category,
            lone_figure=lone_figure,
            missed=len(real) - len(item_of_flag),
            decoys_flagged=len(decoy_hits),
            false_positives=len(flags) - len(item_of_flag),
            correct_links=correct_links,
            wrong_links=len(links) - correct_links,
            possible_links=self.possible_links,
            rating_credit=rating_credit,
        )
        overall, per_category = self._detection(flagged, correct)
        return deferred_report(
            score=final,
            totals=totals,
            items=_Items(self, ordered, records, decoy_hits),
            flags=_Flags(self, flags, ordered, chosen, records),
            links=links,
            ratings=rated,
            detection=overall,
            by_category=per_category,
            spans=self._span_metrics(ordered, analyses),
            schemes=self._schemes(analyses, overlaps),
            policy=self.policy,
        )

    def _assign(self, analyses: list[_Analysis], chosen: list[int | None]) -> None:
        """Give the flags that want an item another flag wants too their items in ``chosen``.

        The others keep their best item: what no other flag wants leaves the assignment of the
        rest as it is, so only the competing flags, in order, go to `best_assignment`.
        """
        wanted = [0] * len(self.real)
        for analysis in analyses:
            for option in analysis.options:
                wanted[option[0]] += 1
        competing = []
        for position, analysis in enumerate(analyses):
            for option in analysis.options:
                if wanted[option[0]] > 1:
                    competing.append(position)
                    break
        if len(self._assignments) >= _ANALYSES_KEPT:
            self._assignments.clear()
        picks = best_assignment([analyses[position].options for position in competing], known=self._assignments)
        for position, pick in zip(competing, picks, strict=True):
            chosen[position] = pick

    def untouched_rows(self) -> list[dict[str, Any]]:
        """The plain form of `untouched`, made when a report is first stored."""
        rows = self._untouched_rows
        if rows is None:
            rows = self._untouched_rows = [item_row(result) for result in self.untouched]
        return rows

    def _category_place(self, name: str) -> int:
        """Return the index of a category in `category_names`, adding it if it is new."""
        place = self._category_places.get(name)
        if place is None:
            place = self._category_places[name] = len(self.category_names)
            self.category_names.append(name)
            self._always_listed.append(self.categories is not None or name in self.expected_by_category)
            self._categories_by_name = sorted(range(len(self.category_names)), key=self.category_names.__getitem__)
        return place

    def _analyse(self, flag: Flag, span: tuple[str, int, int, str]) -> _Analysis:
        """Work out and keep what a flagged span could match, for every flag of that span."""
        words = self.words.get(flag.article)
        start, end = (flag.start, flag.end) if words is None else words.widen(flag.start, flag.end)
        near_all = [found.index for found in self.index.overlapping(flag.article, start, end)]
        if near_all:
            analysis = self._analyse_near(flag, near_all, start, end)
        else:
            touching_nothing = self._touching_nothing.get(flag.category)
            if touching_nothing is None:
                touching_nothing = self._touching_nothing[flag.category] = _Analysis(
                    category=self._category_place(flag.category),
                    options=(),
                    best_option=None,
                    matches={},
                    miss=self._not_in_key,
                    decoy=None,
                    contacts=(),
                    sole=None,
                    kind=0,
                    sums=(0.0, 0.0, 0.0, 0.0),
                )
            analysis = touching_nothing
        if len(self._analyses) >= _ANALYSES_KEPT:
            self._analyses.clear()
        self._analyses[span] = analysis
        return analysis

    def _analyse_near(self, flag: Flag, near_all: list[int], start: int, end: int) -> _Analysis:
        """Analyse a flagged span, widened to ``start``–``end``, that overlaps an item or decoy."""
        policy, real, real_count = self.policy, self.real, len(self.real)
        near = [n for n in near_all if n < real_count]
        decoy = None
        if len(near) < len(near_all):
            decoy = self._decoy_hit(flag.article, [n for n in near_all if n >= real_count], start, end)
        unmatched_cost = policy.decoy_penalty if decoy else policy.false_positive_penalty
        options: list[Candidate] = []
        matches: dict[int, _Match] = {}
        closest: tuple[KeyItem, _Fit] | None = None
        contacts: list[Contact] = []
        for number in near:
            item = real[number]
            fit = self._fit(flag.article, number, start, end)
            if fit.covered and fit.factor >= policy.min_boundary_factor:
                match = matches[number] = self._match(number, flag, fit)
                # Matching a flag both earns its credit and saves its false-positive cost.
                options.append((number, match.credit + unmatched_cost, fit.factor))
            elif closest is None or (fit.covered, -fit.outside) > (closest[1].covered, -closest[1].outside):
                closest = item, fit
            # The research measures see the flag as submitted, not widened to words.
            met = contact(item, number, flag)
            if met is not None:
                contacts.append(met)
        if len(contacts) > 1:
            contacts.sort(key=lambda met: self._canonical_places[met[3]])
        if decoy is not None:
            miss = _decoy_miss(decoy, policy)
        elif options:
            # The item it wanted most went to another flag; the reason names that flag.
            miss = self._duplicate(max(options, key=lambda o: o[1])[0])
        elif closest is not None:
            miss = _near_miss(*closest, policy)
        else:
            miss = self._not_in_key
        blind = self.key_spans_blind.sums(flag.article, flag.start, flag.end) if near else (0.0, 0.0)
        matched = (
            self.key_spans_matched.sums((flag.article, flag.category), flag.start, flag.end) if near else (0.0, 0.0)
        )
        return _Analysis(
            category=self._category_place(flag.category),
            options=tuple(options),
            best_option=best_single(options),
            matches=matches,
            miss=miss,
            decoy=decoy,
            contacts=tuple(contacts),
            sole=contacts[0][3] if len(contacts) == 1 else None,
            kind=contact_kind(contacts[0]) if len(contacts) == 1 else 0,
            sums=(*blind, *matched),
        )

    def _duplicate(self, number: int) -> _Miss:
        """What a flag becomes that would match real item ``number``, credited to another flag."""
        duplicate = self._duplicates[number]
        if duplicate is None:
            duplicate = self._duplicates[number] = _Miss(
                outcome=FlagOutcome.DUPLICATE,
                item_id=self.real[number].id,
                item_number=number,
                penalty=self.policy.false_positive_penalty,
                reason="",
                explanation="",
            )
        return duplicate

    def _match(self, number: int, flag: Flag, fit: _Fit) -> _Match:
        """What matching real item ``number`` with ``flag``, whose words fit it so, earns."""
        known = (number, flag.category, fit.covered, fit.outside)
        match = self._matches.get(known)
        if match is None:
            if len(self._matches) >= _ANALYSES_KEPT:
                self._matches.clear()
            item = self.real[number]
            credit = pair_credit(item, flag, fit.factor, self.policy)
            match = self._matches[known] = _match(
                item, number, flag.category, credit, fit, self.lone_reasons[number], self.policy.lone_figure_credit
            )
        return match

    def _fit(self, article: str, number: int, start: int, end: int) -> _Fit:
        """How a flag widened to ``start``–``end`` fits item or decoy ``number`` (real items first)."""
        item = self.real[number] if number < len(self.real) else self.decoys[number - len(self.real)]
        core = self.core_words[number]
        covered = 0
        for word_start, word_end in core:
            if word_start < end and word_end > start:
                covered += 1
        count = self.words[article].count if article in self.words else count_without_text
        outside = count(start, min(end, item.start)) + count(max(start, item.end), end)
        return _Fit(
            factor=boundary_factor(len(core), covered, outside), covered=covered, core_words=len(core), outside=outside
        )

    def _lone_reason(self, number: int) -> str:
        """Why figure ``number`` earns only a share when none of its conflicting figures matched."""
        partners = self.partners[number]
        if partners is None:
            return ""
        others = ", ".join(f"“{self.real[other].core_quote}”" for other in sorted(partners))
        return (
            f"A conflicting number shows its conflict only beside a figure it disagrees with, and "
            f"none of those was found ({others}): {self.policy.lone_figure_credit:.0%} of the "
            f"credit. Flag them and link them to this one."
        )

    def _decoy_hit(self, article: str, near: list[int], start: int, end: int) -> KeyItem | None:
        """Return the decoy (among those overlapped, by number) a widened flag matches best."""
        best, best_factor = None, 0.0
        for number in near:
            fit = self._fit(article, number, start, end)
            if fit.covered and fit.factor >= self.policy.min_boundary_factor and fit.factor > best_factor:
                best, best_factor = self.decoys[number - len(self.real)], fit.factor
        return best

    def decoy_result(self, item: KeyItem, hits: list[str]) -> ItemResult:
        """The result of decoy ``item`` hit by the flags ``hits``: each costs the decoy penalty."""
        penalty = self.policy.decoy_penalty * len(hits)
        names = ", ".join(repr(h) for h in hits)
        reason = f"A decoy, flagged by {names}: -{self.policy.decoy_penalty:g} for each flag."
        return _decoy_item_result(item, ItemStatus.DECOY_FLAGGED, tuple(hits), penalty, reason)

    def _span_metrics(self, ordered: list[Flag], analyses: list[_Analysis]) -> SpanMetrics:
        """The SemEval span metric, from each flag's kept sums unless it overlaps another flag.

        Flags of one article that overlap are merged first: each run of them becomes one span
        category-blind, and one span per run of the same category counting same-category pairs.
        """
        alone: list[tuple[float, float, float, float]] = []  # sums of flags overlapping no other
        runs: list[tuple[int, int, int]] = []  # first flag, the flag after the last, reach
        first, article, reach = 0, "", 0
        for position, flag in enumerate(ordered):  # flags are sorted by article, then start
            if flag.start < reach and flag.article == article:
                reach = max(reach, flag.end)
                continue
            if position - first == 1:
                alone.append(analyses[first].sums)
            elif position:
                runs.append((first, position, reach))
            first, article, reach = position, flag.article, flag.end
        if len(ordered) - first == 1:
            alone.append(analyses[first].sums)
        elif ordered:
            runs.append((first, len(ordered), reach))
        blind_of_flag: list[float] = []  # sums of runs of flags merged
        blind_of_key: list[float] = []
        matched_of_flag: list[float] = []
        matched_of_key: list[float] = []
        for first, following, reach in runs:
            blind, matched = self._merge_run(ordered, analyses, first, following, reach)
            blind_of_flag.append(blind[0])
            blind_of_key.append(blind[1])
            for of_flag, of_key in matched:
                matched_of_flag.append(of_flag)
                matched_of_key.append(of_key)
        if alone:
            columns = list(zip(*alone))
            blind_of_flag += columns[0]
            blind_of_key += columns[1]
            matched_of_flag += columns[2]
            matched_of_key += columns[3]
        return _new_span_metrics(
            category_blind=span_score_from_sums(blind_of_flag, blind_of_key, self.key_spans_blind.count),
            category_matched=span_score_from_sums(matched_of_flag, matched_of_key, self.key_spans_matched.count),
        )

    def _merge_run(
        self, ordered: list[Flag], analyses: list[_Analysis], first: int, following: int, reach: int
    ) -> tuple[OverlapSums, list[OverlapSums]]:
        """The SemEval sums of the run of overlapping flags ``ordered[first:following]``, merged.

        ``reach`` is where the run ends. The run is one span category-blind, and one span per
        stretch of overlapping flags of the same category; a stretch of a single flag has the
        sums kept with its span's analysis. Runs are not kept: the flags of a key's submissions
        overlap in a different way almost every time.
        """
        head = ordered[first]
        article = head.article
        blind = self.key_spans_blind.sums(article, head.start, reach)
        if following - first == 2:  # most runs: two flags, overlapping
            tail = ordered[first + 1]
            if head.category == tail.category:
                return blind, [self.key_spans_matched.sums((article, head.category), head.start, reach)]
            # Each is a stretch of its own category.
            sums, tail_sums = analyses[first].sums, analyses[first + 1].sums
            return blind, [(sums[2], sums[3]), (tail_sums[2], tail_sums[3])]
        matched: list[OverlapSums] = []
        # Per category, its stretch so far: start, end, and the position of its flag while it has one.
        stretches: dict[str, list[int]] = {}
        for position in range(first, following):  # in canonical order: by start within a category
            flag = ordered[position]
            stretch = stretches.get(flag.category)
            if stretch is not None and flag.start < stretch[1]:
                stretch[1] = max(stretch[1], flag.end)
                stretch[2] = -1
                continue
            if stretch is not None:
                matched.append(self._stretch_sums(article, flag.category, stretch, analyses))
            stretches[flag.category] = [flag.start, flag.end, position]
        for category, stretch in stretches.items():
            matched.append(self._stretch_sums(article, category, stretch, analyses))
        return blind, matched

    def _stretch_sums(self, article: str, category: str, stretch: list[int], analyses: list[_Analysis]) -> OverlapSums:
        """The same-category SemEval sums of a stretch of flags (start, end, its only flag or -1)."""
        start, end, only = stretch
        if only >= 0:
            sums = analyses[only].sums
            return sums[2], sums[3]
        return self.key_spans_matched.sums((article, category), start, end)

    def _schemes(self, analyses: list[_Analysis], overlaps: list[int]) -> Schemes:
        """nervaluate counts, from the contacts found when each flag's span was analysed.

        ``analyses`` are the flags' in canonical order; ``overlaps`` counts the flags in contact
        with each item. A flag in contact with a single item that no other flag touches gets it
        in every scheme, whatever the order; only the other flags go through nervaluate's
        pairing (`scheme_pairs`).
        """
        kinds = [0, 0, 0, 0]
        contested = []
        for analysis in analyses:
            sole = analysis.sole
            if sole is not None and overlaps[sole] == 1:
                kinds[analysis.kind] += 1
            elif analysis.contacts:
                contested.append(analysis.contacts)
        pairs = scheme_pairs(kinds, contested)
        counts = (*pairs, len(analyses))
        schemes = self._schemes_made.get(counts)
        if schemes is None:
            if len(self._schemes_made) >= _ANALYSES_KEPT:
                self._schemes_made.clear()
                self._scheme_counts.clear()
            schemes = self._schemes_made[counts] = schemes_from_pairs(
                pairs, len(analyses), len(self.real), known=self._scheme_counts
            )
        return schemes

    def _detection(self, flagged: list[int], correct: list[int]) -> tuple[Detection, tuple[Detection, ...]]:
        """Precision, recall and F1 overall and per category, from the flags counted per category.

        Every category of the exercise is listed; with none given, those flagged or in the key.
        Each category's measures are kept by its counts (key None: all categories), which the
        submissions of one key share, though hardly ever all at once.
        """
        known, always_listed = self._detections, self._always_listed
        by_category = []
        for place in self._categories_by_name:
            count = flagged[place]
            if count or always_listed[place]:
                counts: tuple[int | None, int, int] = (place, correct[place], count)
                measures = known.get(counts)
                if measures is None:
                    measures = self._new_detection(counts)
                by_category.append(measures)
        total = (None, sum(correct), sum(flagged))
        overall = known.get(total)
        if overall is None:
            overall = self._new_detection(total)
        return overall, tuple(by_category)

    def _new_detection(self, counts: tuple[int | None, int, int]) -> Detection:
        """Work out and keep the measures of a category from its (place, correct, flagged) counts;
        place None stands for all categories."""
        place, correct, flagged = counts
        if place is None:
            measures = detection(None, correct, flagged, len(self.real))
        else:
            name = self.category_names[place]
            measures = detection(name, correct, flagged, self.expected_by_category.get(name, 0))
        if len(self._detections) >= _ANALYSES_KEPT:
            self._detections.clear()
        self._detections[counts] = measures
        return measures


class _Items(Deferred[ItemResult]):
    """A submission's item results, one per key item in key order, from what its flags became."""

    __slots__ = ("_decoy_hits", "_key", "_ordered", "_records")

    def __init__(
        self, key: PreparedKey, ordered: list[Flag], records: list[_Match | _Miss], decoy_hits: dict[str, list[str]]
    ) -> None:
        self._key, self._ordered, self._records, self._decoy_hits = key, ordered, records, decoy_hits

    def _matched(self) -> Iterator[tuple[Flag, _Match, KeyItem, int]]:
        """Each matched flag with its match, its item and the item's place in the key."""
        real, places = self._key.real, self._key.real_places
        for flag, record in zip(self._ordered, self._records):
            if isinstance(record, _Match):
                yield flag, record, real[record.number], places[record.number]

    def _decoys(self) -> Iterator[tuple[int, ItemResult]]:
        """Each decoy flagged, with its place in the key."""
        key = self._key
        for decoy_id, hits in self._decoy_hits.items():
            place = key.decoy_places[decoy_id]
            yield place, key.decoy_result(key.items[place], hits)

    def results(self) -> tuple[ItemResult, ...]:
        items = list(self._key.untouched)
        for flag, match, item, place in self._matched():
            items[place] = _matched_item(item, match, flag.id)
        for place, result in self._decoys():
            items[place] = result
        return tuple(items)

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for template in self._key.untouched_rows():
            row = template.copy()
            row["flag_ids"] = []
            rows.append(row)
        for flag, match, item, place in self._matched():
            matched = match.item_row
            if matched is None:
                matched = match.item_row = item_row(_matched_item(item, match, ""))
            row = matched.copy()
            row["flag_ids"] = [flag.id]
            rows[place] = row
        for place, result in self._decoys():
            rows[place] = item_row(result)
        return rows


class _Flags(Deferred[FlagResult]):
    """A submission's flag results, in submission order, from what each flag became."""

    __slots__ = ("_chosen", "_flags", "_key", "_ordered", "_records")

    def __init__(
        self,
        key: PreparedKey,
        flags: Sequence[Flag],
        ordered: list[Flag],
        chosen: list[int | None],
        records: list[_Match | _Miss],
    ) -> None:
        self._key, self._flags, self._ordered, self._chosen, self._records = key, flags, ordered, chosen, records

    def results(self) -> tuple[FlagResult, ...]:
        real, ordered, chosen = self._key.real, self._ordered, self._chosen
        outcomes: dict[str, FlagResult] = {}
        for flag, record in zip(ordered, self._records):
            if isinstance(record, _Match):
                outcomes[flag.id] = _matched_flag(flag.id, flag.start, flag.end, flag, real[record.number], record)
            else:
                outcomes[flag.id] = _false_positive(flag, record, ordered, chosen)
        return tuple([outcomes[flag.id] for flag in self._flags])

    def rows(self) -> list[dict[str, Any]]:
        real, ordered, chosen = self._key.real, self._ordered, self._chosen
        rows: dict[str, dict[str, Any]] = {}
        for flag, record in zip(ordered, self._records):
            if isinstance(record, _Match):
                template = record.flag_row
                if template is None:
                    template = record.flag_row = flag_row(_matched_flag("", 0, 0, flag, real[record.number], record))
                row = template.copy()
                row["id"], row["start"], row["end"] = flag.id, flag.start, flag.end
            else:
                row = flag_row(_false_positive(flag, record, ordered, chosen))
            rows[flag.id] = row
        return [rows[flag.id] for flag in self._flags]


def _matched_item(item: KeyItem, match: _Match, flag_id: str) -> ItemResult:
    """The result of a real item matched by flag ``flag_id``."""
    return _new_item_result(
        item.id, item.article, item.category, item.group, match.status, (flag_id,), item.points, match.credit, 0.0,
        match.category_factor, match.boundary_factor, match.reason, item.explanation,
    )  # fmt: skip


def _matched_flag(flag_id: str, start: int, end: int, flag: Flag, item: KeyItem, match: _Match) -> FlagResult:
    """The result of a flag (with this id and offsets, and ``flag``'s article and category) that
    matched ``item``."""
    return _new_flag_result(
        flag_id, flag.article, start, end, flag.category, _MATCHED, item.id, match.credit, 0.0, match.flag_reason, "",
    )  # fmt: skip


def _match(
    item: KeyItem,
    number: int,
    category: str,
    credit: tuple[float, float, float],
    fit: _Fit,
    lone_reason: str,
    lone_share: float,
) -> _Match:
    """Return what matching ``item`` (real item ``number``) with a flag of ``category`` earns, with
    what it earns as a lone figure (a figure none of whose conflicting figures was matched)."""
    earned, by_category, by_boundary = credit
    boundaries = f"the flag {fit.describe()}"
    if category == item.category:
        status = ItemStatus.FOUND if by_boundary == 1.0 else ItemStatus.PARTIAL
        reason = f"Found with the key's category; {boundaries}."
    elif category in item.also:
        status = ItemStatus.PARTIAL
        reason = f"Found with a category the key accepts as an alternative, worth {by_category:.0%}; {boundaries}."
    else:
        status = ItemStatus.WRONG_CATEGORY
        reason = (
            f"The right words, but the key files them under another category: {by_category:.0%} "
            f"of the points; {boundaries}."
        )
    correct = category == item.category
    quote = f"“{item.core_quote}”"
    lone = None
    if item.group is not None:
        lone = _Match(
            credit=earned * lone_share,
            category_factor=by_category,
            boundary_factor=by_boundary,
            status=ItemStatus.LONE_FIGURE,
            tally=_TALLIED.index(ItemStatus.LONE_FIGURE),
            correct=correct,
            reason=f"{reason} {lone_reason}",
            flag_reason=f"Matched {quote} ({ItemStatus.LONE_FIGURE}).",
            lone=None,
            number=number,
        )
    return _Match(
        credit=earned,
        category_factor=by_category,
        boundary_factor=by_boundary,
        status=status,
        tally=_TALLIED.index(status),
        correct=correct,
        reason=reason,
        flag_reason=f"Matched {quote} ({status}).",
        lone=lone,
        number=number,
    )


def _decoy_miss(decoy: KeyItem, policy: Policy) -> _Miss:
    penalty = policy.decoy_penalty
    return _Miss(
        outcome=FlagOutcome.DECOY,
        item_id=decoy.id,
        item_number=None,
        penalty=penalty,
        reason=f"A decoy: “{decoy.core_quote}” is sound: -{penalty:g}.",
        explanation=decoy.explanation,
    )


def _near_miss(item: KeyItem, fit: _Fit, policy: Policy) -> _Miss:
    """A flag matching no item and no decoy, that touches an item without matching it."""
    penalty = policy.false_positive_penalty
    quote = f"“{item.core_quote}”"
    if not fit.covered:
        why = f"misses the words that carry the problem, {quote}"
    else:
        why = f"{fit.describe()}: too far from the item {quote} to count"
    return _Miss(
        outcome=FlagOutcome.INSUFFICIENT_OVERLAP,
        item_id=item.id,
        item_number=None,
        penalty=penalty,
        reason=f"A near miss: the flag touches a key item but {why}: -{penalty:g}.",
        explanation="",
    )


def _false_positive(flag: Flag, miss: _Miss, ordered: list[Flag], chosen: list[int | None]) -> FlagResult:
    """Build the result of a flag that matched no item, from the flags in canonical order and
    the item each was given."""
    reason = miss.reason
    if miss.outcome is FlagOutcome.DUPLICATE:
        number = miss.item_number
        by = f"flag {ordered[chosen.index(number)].id!r}" if number in chosen else "another flag"
        reason = f"The item it matches was already credited to {by}: -{miss.penalty:g}."
    return _new_flag_result(
        flag.id, flag.article, flag.start, flag.end, flag.category, miss.outcome, miss.item_id, 0.0, miss.penalty,
        reason, miss.explanation,
    )  # fmt: skip


def _decoy_item_result(
    decoy: KeyItem, status: ItemStatus, flag_ids: tuple[str, ...], penalty: float, reason: str
) -> ItemResult:
    """The result of a decoy: it earns nothing and costs ``penalty``."""
    return _new_item_result(
        decoy.id, decoy.article, decoy.category, None, status, flag_ids, 0.0, 0.0, penalty, 0.0, 0.0, reason,
        decoy.explanation,
    )  # fmt: skip


def _untouched_result(item: KeyItem) -> ItemResult:
    if item.decoy:
        return _decoy_item_result(item, ItemStatus.DECOY_AVOIDED, (), 0.0, "A decoy, rightly left alone.")
    return ItemResult(
        id=item.id,
        article=item.article,
        category=item.category,
        group=item.group,
        status=ItemStatus.MISSED,
        flag_ids=(),
        points=item.points,
        credit=0.0,
        penalty=0.0,
        category_factor=0.0,
        boundary_factor=0.0,
        reason="No flag matched this item.",
        explanation=item.explanation,
    )
