"""What to learn from one scored submission, in plain language: the top of the debrief.

`what_to_learn` reads a scoring report with the key it was scored against and says what went
well, the two or three patterns that cost the most points, and one missed item per category as
an example. It names items by their words, categories and conflict groups by their names, never
by id. It is a pure function of scoring's types, so it is tested on answer sets without the app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scoring.report import MATCHED_STATUSES, FlagOutcome, FlagResult, ItemResult, ItemStatus, LinkStatus, Report
from scoring.types import KeyItem

MOST_COSTLY = 3
"""How many of the costliest patterns the summary names."""


@dataclass(frozen=True)
class Example:
    """A missed key item shown as an example of its category."""

    quote: str
    category: str


@dataclass(frozen=True)
class Lesson:
    """The debrief's opening summary."""

    well: tuple[str, ...]
    """What went well, one sentence each (none for an empty submission)."""
    costs: tuple[str, ...]
    """The patterns that cost the most, costliest first, each with what to do differently;
    missed items aside, which `missed` tells."""
    missed: str
    """How many items of each category no flag found ("" when none was missed)."""
    examples: tuple[Example, ...]
    """One missed item per category, in the exercise's category order."""


@dataclass(frozen=True)
class _Pattern:
    cost: float
    """Points the pattern cost (or could have earned), to rank the patterns."""
    sentence: str


def what_to_learn(
    report: Report,
    key_items: Sequence[KeyItem],
    categories: Mapping[str, str],
    groups: Mapping[str, str],
    *,
    most: int = MOST_COSTLY,
) -> Lesson:
    """Summarise ``report`` for the trainee; ``categories`` and ``groups`` map ids to names, and
    ``most`` says how many of the costliest patterns to name."""
    keyed = {item.id: item for item in key_items}
    return Lesson(
        well=_well(report, keyed),
        costs=tuple(pattern.sentence for pattern in _costliest(report, keyed, groups)[:most]),
        missed=_missed(report, categories),
        examples=_examples(report, keyed, categories),
    )


def _well(report: Report, keyed: Mapping[str, KeyItem]) -> tuple[str, ...]:
    totals = report.totals
    real = [item for item in report.items if not _is_decoy(item)]
    decoys = len(report.items) - len(real)
    located = sum(1 for item in real if item.status in MATCHED_STATUSES)
    sentences = []
    if located:
        found = f"You found {located} of {len(real)} key items"
        if totals.found == located:
            sentences.append(f"{found}, all of them with the right words and category.")
        elif totals.found:
            sentences.append(f"{found}; {totals.found} of them earned full points.")
        else:
            sentences.append(f"{found}.")
    if totals.correct_links:
        sentences.append(f"You linked {_count(totals.correct_links, 'pair')} of conflicting figures.")
    if report.flags and not totals.false_positives:
        sentences.append("None of your flags was a false positive.")
    if report.flags and decoys and not totals.decoys_flagged:
        left = "the decoy" if decoys == 1 else f"all {decoys} decoys"
        sentences.append(f"You left {left} alone: statements that look suspicious but are sound.")
    rated = [rating for rating in report.ratings if rating.reliability is not None]
    if (
        rated
        and all(r.reliability_accepted and r.credibility_accepted for r in rated)
        and len(rated) == len(report.ratings)
    ):
        sentences.append("Your source ratings are within the range the instructor accepts.")
    return tuple(sentences)


def _costliest(report: Report, keyed: Mapping[str, KeyItem], groups: Mapping[str, str]) -> list[_Pattern]:
    """The costliest patterns in how the flags were made (missed items are told apart)."""
    finders: tuple[Callable[[], list[_Pattern]], ...] = (
        lambda: _groups(report, groups),
        lambda: _boundaries(report, keyed),
        lambda: _wrong_category(report),
        lambda: _near_misses(report),
        lambda: _other_false_positives(report),
        lambda: _links(report),
        lambda: _ratings(report),
    )
    patterns = [pattern for find in finders for pattern in find()]
    # Stable: equal costs keep the order above, most teachable first.
    patterns.sort(key=lambda pattern: -pattern.cost)
    return [pattern for pattern in patterns if pattern.cost > 0]


def _missed(report: Report, categories: Mapping[str, str]) -> str:
    """How many items of each category went unflagged (a group's figures are told by group)."""
    parts = []
    for category, name in categories.items():
        items = [i for i in report.items if i.category == category and not _is_decoy(i) and i.group is None]
        missed = sum(1 for item in items if item.status is ItemStatus.MISSED)
        if missed:
            parts.append(f"{missed} of {len(items)} {name} items")
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"You missed {listed}."


def _groups(report: Report, groups: Mapping[str, str]) -> list[_Pattern]:
    """Conflict groups with figures missed or found alone, as one pattern: the figures to look for."""
    parts, lost, members_found, members_all, lone = [], 0.0, 0, 0, False
    for group, description in groups.items():
        members = [item for item in report.items if item.group == group]
        shortfall = sum(
            item.points - item.credit for item in members if item.status in (ItemStatus.MISSED, ItemStatus.LONE_FIGURE)
        )
        if not members or not shortfall:
            continue
        found = sum(1 for item in members if item.status in MATCHED_STATUSES)
        lone = lone or any(item.status is ItemStatus.LONE_FIGURE for item in members)
        parts.append(f"{found} of {len(members)} for “{_headline(description)}”")
        lost += shortfall
        members_found += found
        members_all += len(members)
    if not parts:
        return []
    sentence = f"You found {members_found} of {members_all} conflicting figures ({'; '.join(parts)})"
    if lone:
        sentence += ": a figure counts fully only beside one it conflicts with, so flag each figure and link those that disagree."
    else:
        sentence += ": flag every figure for the same quantity, in both texts, and link those that disagree."
    return [_Pattern(lost, sentence)]


def _boundaries(report: Report, keyed: Mapping[str, KeyItem]) -> list[_Pattern]:
    """Matched flags that earned less for their boundaries: too short, or running too far."""
    flags = {flag.id: flag for flag in report.flags}
    short_cost = long_cost = 0.0
    short = long = 0
    for item in report.items:
        key = keyed.get(item.id)
        if key is None or item.status not in MATCHED_STATUSES or item.boundary_factor >= 1 or not item.flag_ids:
            continue
        flag = flags.get(item.flag_ids[0])
        if flag is None:
            continue
        lost = item.points * item.category_factor * (1 - item.boundary_factor)
        too_long = flag.start < key.start or flag.end > key.end
        core_start, core_end = key.core
        too_short = flag.start > core_start or flag.end < core_end or not too_long
        if too_short:
            short += 1
            short_cost += lost
        if too_long:
            long += 1
            long_cost += lost
    patterns = []
    if short:
        patterns.append(
            _Pattern(
                short_cost,
                f"{_count(short, 'flag')} {_were(short)} in the right place but too short: "
                "take in every word that carries the problem, such as what a figure counts.",
            )
        )
    if long:
        patterns.append(
            _Pattern(
                long_cost,
                f"{_count(long, 'flag')} {_were(long)} in the right place but too long: stop where the problem ends.",
            )
        )
    return patterns


def _wrong_category(report: Report) -> list[_Pattern]:
    wrong = [item for item in report.items if item.status in MATCHED_STATUSES and item.category_factor < 1]
    if not wrong:
        return []
    cost = sum(item.points * (1 - item.category_factor) * item.boundary_factor for item in wrong)
    return [
        _Pattern(
            cost,
            f"{_count(len(wrong), 'flag')} {_were(len(wrong))} on the right words but under another category: "
            "check the category definitions before choosing.",
        )
    ]


def _near_misses(report: Report) -> list[_Pattern]:
    near = [flag for flag in report.flags if flag.outcome is FlagOutcome.INSUFFICIENT_OVERLAP]
    if not near:
        return []
    missed = {item.id: item.points for item in report.items if item.status is ItemStatus.MISSED}
    # A near miss costs its penalty and, worse, the item it nearly matched.
    cost = sum(flag.penalty for flag in near) + sum(
        missed.get(item, 0.0) for item in {f.item_id for f in near if f.item_id is not None}
    )
    noun = "near miss" if len(near) == 1 else "near misses"
    return [
        _Pattern(
            cost,
            f"{len(near)} {noun}: "
            "the flag touched a key item but not the words that carry the problem, or ran too far past them; select those words themselves.",
        )
    ]


def _other_false_positives(report: Report) -> list[_Pattern]:
    patterns = []
    unmatched = _outcome(report.flags, FlagOutcome.NOT_IN_KEY)
    if unmatched:
        patterns.append(
            _Pattern(
                sum(flag.penalty for flag in unmatched),
                f"{_count(len(unmatched), 'flag')} matched nothing in the key: "
                "flag only what you can name a problem for.",
            )
        )
    duplicates = _outcome(report.flags, FlagOutcome.DUPLICATE)
    if duplicates:
        patterns.append(
            _Pattern(
                sum(flag.penalty for flag in duplicates),
                f"{_count(len(duplicates), 'flag')} repeated an item another of your flags already had: "
                "one flag per problem.",
            )
        )
    decoys = _outcome(report.flags, FlagOutcome.DECOY)
    if decoys:
        what = (
            "a decoy, a statement that looks suspicious but is sound"
            if len(decoys) == 1
            else f"{len(decoys)} decoys, statements that look suspicious but are sound"
        )
        patterns.append(
            _Pattern(
                sum(flag.penalty for flag in decoys),
                f"You flagged {what}: check who says it and what the text claims before flagging.",
            )
        )
    return patterns


def _links(report: Report) -> list[_Pattern]:
    bonus = report.policy.link_bonus
    patterns = []
    agreeing = [link for link in report.links if link.status is LinkStatus.COMPATIBLE]
    if agreeing:
        patterns.append(
            _Pattern(
                bonus * len(agreeing),
                f"You linked {_count(len(agreeing), 'pair')} of figures that agree: "
                "they count different things or can both be true, so they do not conflict.",
            )
        )
    wrong = [link for link in report.links if link.status in (LinkStatus.CROSS_GROUP, LinkStatus.NOT_A_FIGURE)]
    if wrong:
        patterns.append(
            _Pattern(
                bonus * len(wrong) / 2,
                f"{_count(len(wrong), 'link')} joined flags that are not figures for one quantity: "
                "link only figures that state the same thing differently.",
            )
        )
    return patterns


def _ratings(report: Report) -> list[_Pattern]:
    off = [rating for rating in report.ratings if rating.credit < rating.points]
    if not off:
        return []
    given = [rating for rating in off if rating.reliability is not None]
    if not given:
        sentence = "Your work went in without source ratings, so they earned nothing."
    else:
        sentence = f"{_count(len(given), 'source rating')} {_were(len(given))} outside the range the instructor accepts: read the source judgement below."
    return [_Pattern(sum(rating.points - rating.credit for rating in off), sentence)]


def _examples(report: Report, keyed: Mapping[str, KeyItem], categories: Mapping[str, str]) -> tuple[Example, ...]:
    """The missed item worth most in each category (the first in key order among equals)."""
    examples = []
    for category, name in categories.items():
        missed = [
            item
            for item in report.items
            if item.category == category and item.status is ItemStatus.MISSED and item.id in keyed
        ]
        if missed:
            best = max(missed, key=lambda item: item.points)
            examples.append(Example(keyed[best.id].quote, name))
    return tuple(examples)


def _headline(description: str) -> str:
    """A group's description up to its first full stop: the quantity it is about."""
    first, stop, _ = description.partition(". ")
    return first.rstrip(".") if stop or description.endswith(".") else description


def _is_decoy(item: ItemResult) -> bool:
    return item.status in (ItemStatus.DECOY_AVOIDED, ItemStatus.DECOY_FLAGGED)


def _outcome(flags: Sequence[FlagResult], outcome: FlagOutcome) -> list[FlagResult]:
    return [flag for flag in flags if flag.outcome is outcome]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _were(number: int) -> str:
    return "was" if number == 1 else "were"
