"""The cohort's current scores over time and the rescores that changed them."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, counted_submissions
from app.models import CountedSubmission


@dataclass(frozen=True)
class CurrentScore:
    """A counted submission's current score as the history and the ceiling need it."""

    score: float
    span_f1: float
    """SemEval span F1 regardless of category, from the stored report."""
    note: str
    created_at: datetime
    previous: float | None
    """The score it replaced; None for a first score."""


def current_score_history(db: Session, scope: Scope) -> list[CurrentScore]:
    """Every counted submission's current score with the score it replaced, as kept beside it."""
    query = counted_submissions(scope).with_only_columns(
        CountedSubmission.score,
        CountedSubmission.span_f1,
        CountedSubmission.note,
        CountedSubmission.scored_at,
        CountedSubmission.previous_score,
    )
    return [CurrentScore(*row) for row in db.execute(query)]


@dataclass(frozen=True)
class Rescore:
    """Scores one rescore changed: when, why, and the median of those submissions before and after."""

    note: str
    on: datetime
    submissions: int
    median_before: float
    median_after: float


def rescores(history: Iterable[CurrentScore]) -> list[Rescore]:
    """The rescores behind the current scores, newest first (scores with a note replaced an earlier one)."""
    by_note: dict[str, list[CurrentScore]] = defaultdict(list)
    for row in history:
        if row.note and row.previous is not None:
            by_note[row.note].append(row)
    found = [
        Rescore(
            note=note,
            on=max(row.created_at for row in rows),
            submissions=len(rows),
            median_before=statistics.median(row.previous for row in rows if row.previous is not None),
            median_after=statistics.median(row.score for row in rows),
        )
        for note, rows in by_note.items()
    ]
    return sorted(found, key=lambda rescore: rescore.on, reverse=True)
