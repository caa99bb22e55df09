"""The cohort view of a debrief: where the trainee's cohort flagged, without names, beside their own flags.

An assignment may offer it (``Assignment.cohort_view``, off by default). A trainee sees it only
once they have submitted, and only after the cohort's deadline or once an instructor released it
early. The heat comes from the dashboard's own computation (`app.cohort_figures.heatmap.coverage`), so
the trainee sees the instructor's heatmap, counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.cohort_figures.heatmap import ArticleHeat, coverage, span_counts
from app.cohort_figures.scope import Scope, submission_count
from app.deadlines import as_utc
from app.models import Assignment, Attempt, Cohort, Flag
from scoring.types import KeyItem


def is_open(db: Session, attempt: Attempt, moment: datetime) -> bool:
    """Whether the trainee may see the cohort view at ``moment``: never before their own submission,
    and then only after the cohort's deadline or an instructor's release."""
    if attempt.submitted_at is None or attempt.cohort_id is None:
        return False
    assignment = db.get(Assignment, (attempt.cohort_id, attempt.exercise_id))
    if assignment is None or not assignment.cohort_view:
        return False
    released = assignment.cohort_view_released_at
    if released is not None and moment >= as_utc(released):
        return True
    return assignment.deadline is not None and moment >= as_utc(assignment.deadline)


@dataclass(frozen=True)
class OwnFlag:
    """One of the trainee's flags and how many of the cohort's submissions flagged words of it."""

    flag: Flag
    peers: int


@dataclass(frozen=True)
class CohortArticle:
    heat: ArticleHeat
    own: list[OwnFlag]


@dataclass(frozen=True)
class CohortView:
    submissions: int
    articles: list[CohortArticle]


def cohort_view(db: Session, attempt: Attempt, key_items: Sequence[KeyItem]) -> CohortView:
    """The dashboard's heatmap of the attempt's cohort and exercise, with the trainee's flags beside it."""
    cohort = db.get(Cohort, attempt.cohort_id)
    if cohort is None:
        raise LookupError(f"attempt {attempt.id} has no cohort")
    scope = Scope(cohort, attempt.exercise)
    submissions = submission_count(db, scope)
    heats = coverage(scope.exercise.articles, span_counts(db, scope), key_items, submissions)
    articles = []
    for heat in heats:
        own = [
            OwnFlag(
                flag,
                max(
                    (
                        segment.count
                        for segment in heat.segments
                        if segment.start < flag.end and flag.start < segment.end
                    ),
                    default=0,
                ),
            )
            for flag in sorted(attempt.flags, key=lambda flag: flag.start)
            if flag.article_ref == heat.ref
        ]
        articles.append(CohortArticle(heat, own))
    return CohortView(submissions, articles)
