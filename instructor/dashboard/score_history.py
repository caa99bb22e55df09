"""The rescores that changed the cohort's current scores."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, bound_counted_submissions, scope_parameters
from app.models import CountedSubmission
from instructor.dashboard.summary import median_at_ranks, middle_ranks


@dataclass(frozen=True)
class Rescore:
    """Scores one rescore changed: when, why, and the median of those submissions before and after."""

    note: str
    on: datetime
    submissions: int
    median_before: float
    median_after: float


def rescores(db: Session, scope: Scope) -> list[Rescore]:
    """The rescores behind the current scores, newest first (scores with a note replaced an earlier
    one): per note, the scores at the ranks its medians read, ranked in the database rather than
    every counted submission read into Python."""
    rows = db.execute(_ranked_rescores(), scope_parameters(scope))
    found: dict[str, tuple[datetime, int, dict[int, float], dict[int, float]]] = {}
    for row in rows:
        _, submissions, after, before = found.setdefault(row.note, (row.on, row.submissions, {}, {}))
        if row.score_rank in middle_ranks(submissions):
            after[row.score_rank] = row.score
        if row.previous_rank in middle_ranks(submissions):
            before[row.previous_rank] = row.previous_score
    rescored = [
        Rescore(
            note=note,
            on=on,
            submissions=submissions,
            median_before=_median(before, submissions),
            median_after=_median(after, submissions),
        )
        for note, (on, submissions, after, before) in found.items()
    ]
    return sorted(rescored, key=lambda rescore: rescore.on, reverse=True)


@functools.cache
def _ranked_rescores() -> Select[Any]:
    """Per note, the rescored submissions at the ranks its medians read, with how many there are
    and when (`scope_parameters` gives the scope). Built once: composing it cost as much as running it."""
    note, score, previous = CountedSubmission.note, CountedSubmission.score, CountedSubmission.previous_score
    ranked = (
        bound_counted_submissions()
        .with_only_columns(
            note,
            score,
            previous,
            func.count().over(partition_by=note).label("submissions"),
            func.max(CountedSubmission.scored_at).over(partition_by=note).label("on"),
            (func.row_number().over(partition_by=note, order_by=score) - 1).label("score_rank"),
            (func.row_number().over(partition_by=note, order_by=previous) - 1).label("previous_rank"),
        )
        .where(note != "", previous.is_not(None))
        .subquery("ranked")
    )
    middle = (ranked.c.submissions - 1) // 2, ranked.c.submissions // 2
    return select(ranked).where(
        or_(*(ranked.c.score_rank == rank for rank in middle), *(ranked.c.previous_rank == rank for rank in middle))
    )


def _median(ranked: dict[int, float], count: int) -> float:
    median = median_at_ranks(ranked, count)
    assert median is not None
    return median
