"""At a glance: the most missed items, the most flagged false positives and who needs attention."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope
from app.cohort_figures.sentences import Sentence, chosen_span, sentence_of, word_span
from instructor.dashboard.outcomes import FlagOutcomeRow, ItemOutcome
from instructor.dashboard.trainees import TraineeRow, trainee_rows
from scoring.report import FlagOutcome
from scoring.types import KeyItem

LOW_SCORE = 40
"""A whole score below this needs the instructor's attention."""

MANY_FALSE_POSITIVES = 3
"""At least this many false positives, and at least twice the cohort's median, needs attention."""

AT_A_GLANCE = 3
"""How many missed items and false positives the first screen names."""

NAMED = 8
"""How many trainees the first screen names for each reason they need attention."""


@dataclass(frozen=True)
class MissedItem:
    """A key item many missed, for the first screen."""

    outcome: ItemOutcome
    sentence: Sentence


@dataclass(frozen=True)
class FalsePositive:
    """A stretch many flagged that earned nothing (a decoy or no key item), for the first screen."""

    article: str
    start: int
    end: int
    submissions: int
    decoy: bool
    sentence: Sentence


@dataclass(frozen=True)
class AttentionRow:
    user_id: int
    display_name: str
    reason: str


@dataclass(frozen=True)
class AttentionGroup:
    """Trainees who need attention for one reason: how many, and the first `NAMED` of them."""

    total: int
    first: list[TraineeRow]

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Attention:
    """Trainees the instructor should look at first, by reason."""

    not_started: AttentionGroup
    low_score: AttentionGroup
    many_false_positives: AttentionGroup
    false_positive_bar: int

    def __bool__(self) -> bool:
        return bool(self.not_started or self.low_score or self.many_false_positives)


def most_missed(items: Sequence[ItemOutcome], texts: dict[str, str], limit: int = AT_A_GLANCE) -> list[MissedItem]:
    """The items the most submissions missed (ties: the least credit), each in its sentence."""
    ranked = sorted((o for o in items if o.missed), key=lambda o: (-o.missed, o.credit_share, o.item.id))
    return [
        MissedItem(outcome, sentence_of(texts[outcome.item.article], outcome.item.start, outcome.item.end))
        for outcome in ranked[:limit]
    ]


def most_flagged_false_positives(
    outcomes: Iterable[FlagOutcomeRow],
    texts: dict[str, str],
    key_items: Sequence[KeyItem],
    limit: int = AT_A_GLANCE,
) -> list[FalsePositive]:
    """Stretches flagged by the most submissions for no credit: decoys by item, other false
    positives as runs of overlapping flags, each shown at the span most of those flags chose."""
    decoys = {item.id: item for item in key_items if item.decoy}
    groups: dict[tuple[str, Any], tuple[set[int], Counter[tuple[int, int]]]] = {}
    loose: dict[str, list[FlagOutcomeRow]] = defaultdict(list)
    for row in outcomes:
        if row.outcome == FlagOutcome.DECOY and row.item_id in decoys:
            attempts, spans = groups.setdefault((row.article, row.item_id), (set(), Counter()))
            attempts.add(row.attempt_id)
            spans[(decoys[row.item_id].start, decoys[row.item_id].end)] += 1
        elif row.outcome == FlagOutcome.NOT_IN_KEY and row.article in texts:
            loose[row.article].append(row)
    for article, rows in loose.items():
        rows.sort(key=lambda row: (row.start, row.end))
        reach = -1
        key: tuple[str, Any] = (article, -1)
        for row in rows:
            if row.start >= reach:
                key = (article, row.start)
            reach = max(reach, row.end)
            attempts, spans = groups.setdefault(key, (set(), Counter()))
            attempts.add(row.attempt_id)
            spans[(row.start, row.end)] += 1
    found = []
    for (article, ident), (attempts, spans) in groups.items():
        start, end = word_span(texts[article], *chosen_span(spans))
        found.append(
            FalsePositive(
                article, start, end, len(attempts), isinstance(ident, str), sentence_of(texts[article], start, end)
            )
        )
    found.sort(key=lambda fp: (-fp.submissions, fp.article, fp.start))
    return found[:limit]


def needs_attention(db: Session, scope: Scope, median_false_positives: float | None) -> Attention:
    """Not started, scored below `LOW_SCORE`, or many false positives (at least
    `MANY_FALSE_POSITIVES` and twice the cohort's median): of the whole cohort, the first few
    of each reason and how many there are, chosen by the database rather than from every row."""
    bar = MANY_FALSE_POSITIVES
    if median_false_positives is not None:
        bar = max(MANY_FALSE_POSITIVES, 2 * math.ceil(median_false_positives))
    rows = trainee_rows(scope).cte("trainee_rows")
    submitted = rows.c.attempt_id.is_not(None)
    false_positives = func.coalesce(rows.c.false_positives, 0)
    reasons = {
        "not_started": (rows.c.attempt_id.is_(None) & ~rows.c.in_progress, (rows.c.display_name, rows.c.id)),
        # A whole score below LOW_SCORE is a score below LOW_SCORE - 0.5: scores round half up.
        "low_score": (submitted & (rows.c.score < LOW_SCORE - 0.5), (rows.c.score, rows.c.display_name, rows.c.id)),
        "many_false_positives": (
            submitted & (false_positives >= bar),
            (false_positives.desc(), rows.c.display_name, rows.c.id),
        ),
    }
    # One statement over the cohort's rows: each reason's first few, with how many match (the
    # window counts before the limit applies).
    firsts = [
        select(
            select(literal(reason).label("reason"), rows, func.count().over().label("total"))
            .where(where)
            .order_by(*order)
            .limit(NAMED)
            .subquery(reason)
        )
        for reason, (where, order) in reasons.items()
    ]
    groups: dict[str, AttentionGroup] = {reason: AttentionGroup(0, []) for reason in reasons}
    for reason, *row, total in db.execute(union_all(*firsts)):
        groups[reason] = AttentionGroup(total, [*groups[reason].first, TraineeRow(*row)])
    return Attention(**groups, false_positive_bar=bar)
