"""How each key item and each flag fared across the cohort: detection, categories, confusion."""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, bindparam, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.cohort_figures.scope import Scope, scope_bindings, scope_parameters
from app.models import ItemTally, OutlyingTally
from exercises.types import Category
from scoring.metrics import detection
from scoring.report import MATCHED_STATUSES, FlagOutcome, ItemStatus
from scoring.types import KeyItem


@dataclass(frozen=True)
class StatusCount:
    """How many counted submissions left one key item in one status, with one chosen category."""

    item_id: str
    status: str
    chosen_category: str | None
    count: int
    credit: float


def item_status_counts(db: Session, scope: Scope) -> list[StatusCount]:
    """The cohort's item tallies: the base of the item, category and confusion figures.

    Items a submission left untouched (missed, decoys avoided) are not tallied: they are the
    submissions that remain.
    """
    return [
        StatusCount(item, status, chosen or None, count, float(credit))
        for item, status, chosen, count, credit in db.execute(_item_tallies(), scope_parameters(scope))
    ]


@functools.cache
def _item_tallies() -> Select[str, str, str, int, float]:
    """The statement of `item_status_counts`, built once (`scope_parameters` gives the scope)."""
    cohort_id, exercise_id = scope_bindings()
    return select(
        ItemTally.item_id, ItemTally.status, ItemTally.chosen_category, ItemTally.submissions, ItemTally.credit
    ).where(ItemTally.cohort_id == cohort_id, ItemTally.exercise_id == exercise_id, ItemTally.submissions > 0)


@dataclass(frozen=True)
class ItemOutcome:
    """How the cohort did on one key item.

    ``lone_figure`` counts trainees who flagged this figure but none of the figures it conflicts
    with: they spotted the span, yet the scoring rules pay nothing for a lone figure, so it is
    shown as its own share between partial and wrong category, not as found.
    """

    item: KeyItem
    submissions: int
    found: int = 0
    partial: int = 0
    lone_figure: int = 0
    wrong_category: int = 0
    missed: int = 0
    credit: float = 0.0

    @property
    def credit_share(self) -> float:
        """Mean credit earned as a share of the item's points: 0 nobody, 1 everybody in full."""
        possible = self.item.points * self.submissions
        return self.credit / possible if possible else 0.0

    def share(self, status: str) -> float:
        return getattr(self, status) / self.submissions if self.submissions else 0.0


@dataclass(frozen=True)
class DecoyOutcome:
    item: KeyItem
    submissions: int
    flagged: int

    @property
    def share(self) -> float:
        return self.flagged / self.submissions if self.submissions else 0.0


def item_outcomes(
    counts: Iterable[StatusCount], key_items: Sequence[KeyItem], submissions: int
) -> tuple[list[ItemOutcome], list[DecoyOutcome]]:
    """Per key item, how many found, half-found or missed it: hardest (least credit) first."""
    by_item: dict[str, Counter[str]] = defaultdict(Counter)
    credit: dict[str, float] = defaultdict(float)
    for row in counts:
        by_item[row.item_id][row.status] += row.count
        credit[row.item_id] += row.credit
    outcomes = []
    decoys = []
    for item in key_items:
        statuses = by_item[item.id]
        detected = sum(statuses[status] for status in MATCHED_STATUSES)
        if item.decoy:
            decoys.append(DecoyOutcome(item, submissions, statuses[ItemStatus.DECOY_FLAGGED]))
            continue
        outcomes.append(
            ItemOutcome(
                item,
                submissions,
                found=statuses[ItemStatus.FOUND],
                partial=statuses[ItemStatus.PARTIAL],
                lone_figure=statuses[ItemStatus.LONE_FIGURE],
                wrong_category=statuses[ItemStatus.WRONG_CATEGORY],
                missed=submissions - detected,
                credit=credit[item.id],
            )
        )
    outcomes.sort(key=lambda outcome: (outcome.credit_share, -outcome.missed, outcome.item.id))
    decoys.sort(key=lambda outcome: (-outcome.flagged, outcome.item.id))
    return outcomes, decoys


@dataclass(frozen=True)
class CategoryFigures:
    """Pooled detection for one category: every counted submission's flags and items together."""

    category: str
    name: str
    correct: int
    flagged: int
    expected: int
    precision: float
    recall: float


def category_figures(
    counts: Iterable[StatusCount],
    flagged: dict[str, int],
    key_items: Sequence[KeyItem],
    categories: Sequence[Category],
    submissions: int,
) -> list[CategoryFigures]:
    """Recall and precision per category, pooled over the cohort.

    A flag is correct when it matched a key item of its own category, as the scoring engine
    counts it; recall divides by the key's items of the category times the submissions, precision
    by the flags of the category. The ratios come from ``scoring.metrics.detection``.
    """
    category_of = {item.id: item.category for item in key_items if not item.decoy}
    correct: Counter[str] = Counter()
    for row in counts:
        key_category = category_of.get(row.item_id)
        if key_category is not None and row.chosen_category == key_category:
            correct[key_category] += row.count
    expected = Counter(category_of.values())
    figures = []
    for category in categories:
        name = category.id
        if submissions == 0:
            continue
        measured = detection(name, correct[name], flagged.get(name, 0), expected[name] * submissions)
        figures.append(
            CategoryFigures(
                name,
                category.name,
                measured.correct,
                measured.flagged,
                measured.expected,
                measured.precision,
                measured.recall,
            )
        )
    return figures


@dataclass(frozen=True)
class Confusion:
    """Key category (rows) × category the trainees chose for that item (columns)."""

    categories: list[tuple[str, str]]
    """(id, name) of every category, in the exercise's order."""
    cells: dict[tuple[str, str | None], int]
    """(key category, chosen category or None for not flagged) → count."""

    def cell(self, key: str, chosen: str | None) -> int:
        return self.cells.get((key, chosen), 0)

    def row_total(self, key: str) -> int:
        return sum(count for (row, _), count in self.cells.items() if row == key)


def confusion_table(
    counts: Iterable[StatusCount],
    key_items: Sequence[KeyItem],
    categories: Sequence[Category],
    submissions: int,
) -> Confusion:
    """Count, per real key item and submission, the key's category against the chosen one."""
    category_of = {item.id: item.category for item in key_items if not item.decoy}
    cells: Counter[tuple[str, str | None]] = Counter()
    for category in category_of.values():
        cells[(category, None)] += submissions
    for row in counts:
        key_category = category_of.get(row.item_id)
        if key_category is None or row.status not in MATCHED_STATUSES:
            continue
        cells[(key_category, row.chosen_category)] += row.count
        cells[(key_category, None)] -= row.count
    return Confusion([(category.id, category.name) for category in categories], dict(cells))


class OutlyingCount(NamedTuple):
    """One of the cohort's outlying tallies (``app.models.OutlyingTally``): flags of the counted
    submissions that matched no key item, with one outcome, key item and span.

    A named tuple, as `SpanCount`: a large cohort has tens of thousands."""

    outcome: str
    item_id: str
    """The key item the flag touched or hit, "" for none."""
    article: str
    start: int
    end: int
    flags: int
    opened: int
    gaps: int


def outlying_tallies(db: Session, scope: Scope) -> list[OutlyingCount]:
    """The cohort's outlying tallies that count flags or groups opened: what the near misses and
    false positives read (`outlying_gaps` reads those that count gaps alone, when they matter)."""
    return list(map(OutlyingCount._make, db.connection().execute(_outlying_tallies(), scope_parameters(scope)).all()))


def outlying_gaps(db: Session, scope: Scope, articles: Collection[str]) -> list[OutlyingCount]:
    """The cohort's outlying tallies of ``articles`` that count gaps alone (no flag on their span,
    no group opened there): most of a large cohort's tallies, which only a stretch that other
    trainees' flags join across a gap needs."""
    parameters = {**scope_parameters(scope), "articles": list(articles)}
    return list(map(OutlyingCount._make, db.connection().execute(_outlying_gaps(), parameters).all()))


def _counting() -> ColumnElement[bool]:
    """`app.models.OUTLYING_COUNTING` as a statement's condition: with the zeros in its text, not
    bound, so that the database sees it is the partial index's and reads the index alone."""
    zero = literal_column("0", Integer)
    return (OutlyingTally.flags != zero) | (OutlyingTally.opened != zero)


def _outlying_columns() -> tuple[InstrumentedAttribute[Any], ...]:
    tally = OutlyingTally
    return (
        tally.outcome,
        tally.item_id,
        tally.article_ref,
        tally.start,
        tally.end,
        tally.flags,
        tally.opened,
        tally.gaps,
    )


@functools.cache
def _outlying_tallies() -> Select[str, str, str, int, int, int, int, int]:
    """The statement of `outlying_tallies`, built once (`scope_parameters` gives the scope)."""
    cohort_id, exercise_id = scope_bindings()
    tally = OutlyingTally
    return (
        select(*_outlying_columns())
        # In no order: what reads them does not depend on it, and PostgreSQL spent most of the
        # statement's time sorting the rows by their text columns.
        .where(tally.cohort_id == cohort_id, tally.exercise_id == exercise_id, _counting())
    )


@functools.cache
def _outlying_gaps() -> Select[str, str, str, int, int, int, int, int]:
    """The statement of `outlying_gaps`, built once (``articles`` an expanding parameter)."""
    cohort_id, exercise_id = scope_bindings()
    tally = OutlyingTally
    return select(*_outlying_columns()).where(
        tally.cohort_id == cohort_id,
        tally.exercise_id == exercise_id,
        # Only flags in no key item leave gaps (`app.cohort_figures.tallies.outlying_counts`).
        tally.outcome == FlagOutcome.NOT_IN_KEY.value,
        tally.item_id == "",
        tally.article_ref.in_(bindparam("articles", expanding=True)),
        ~_counting(),
        tally.gaps != 0,
    )
