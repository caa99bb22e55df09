"""A cohort's results at two exercises, read from stored scores, side by side.

Each trainee counts at each exercise with the attempt the dashboard's headline figures count
(`instructor.dashboard.counted_attempts`): their latest submitted attempt made for this cohort,
while they are in it, under its current score.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, counted_attempts
from app.models import Attempt, Cohort, Exercise, Score, User
from app.progress import Change, Measures, Spread, change_of
from app.stored_measures import measures_of

COUNTING_RULE = (
    "Each trainee counts with their latest submitted attempt at each exercise, made for this cohort and "
    "scored against the exercise's current key: the attempt the dashboard's headline figures count."
)

DECIMALS = 4
"""Decimals of the numbers in the exports."""


@dataclass(frozen=True)
class Counted:
    """The attempt that counts for one trainee at one exercise, and what its score says."""

    attempt_id: int
    attempt_number: int
    submitted_at: datetime
    measures: Measures


def counted_results(db: Session, scope: Scope) -> dict[int, Counted]:
    """The counted attempt of each trainee of the cohort who submitted the exercise, by user id."""
    counted = counted_attempts(scope)
    rows = db.execute(
        select(counted.c.user_id, Attempt.id, Attempt.number, Attempt.submitted_at, Score.id)
        .join(Attempt, Attempt.id == counted.c.attempt_id)
        .join(Score, (Score.attempt_id == Attempt.id) & Score.is_current.is_(True))
    ).all()
    scored = measures_of(db, [score_id for *_, score_id in rows])
    return {
        user_id: Counted(attempt_id, number, submitted_at, scored[score_id])
        for user_id, attempt_id, number, submitted_at, score_id in rows
    }


@dataclass(frozen=True)
class MeasureRow:
    """One measure compared between the two exercises."""

    measure: str
    """As `app.progress.Measures.value` names it."""
    column: str
    """Its name in the exports: score, a category id, d_prime or brier."""
    label: str
    unit: str
    change: Change

    @property
    def charted(self) -> bool:
        """Whether it is on the chart's 0–100 scale (the score and the categories)."""
        return self.measure == "score" or self.measure.startswith("category:")


@dataclass(frozen=True)
class CohortProgress:
    """A cohort's change from one exercise (pre) to another (post)."""

    cohort: Cohort
    pre: Exercise
    post: Exercise
    trainees: tuple[User, ...]
    """The cohort's trainees with a counted attempt at either exercise, by name."""
    pre_results: dict[int, Counted]
    post_results: dict[int, Counted]
    rows: tuple[MeasureRow, ...]
    """The score, each category of either exercise, then discernment and calibration where stored."""

    def chart_data(self) -> dict[str, Any]:
        """The means the chart draws, handed to the page as JSON."""
        charted = [row for row in self.rows if row.charted]
        return {
            "labels": [row.label for row in charted],
            "pre": {"label": self.pre.title, "means": [row.change.pre.mean for row in charted]},
            "post": {"label": self.post.title, "means": [row.change.post.mean for row in charted]},
        }


def _categories(pre: Exercise, post: Exercise) -> dict[str, str]:
    """Every category of either exercise, the first exercise's first: id → name."""
    names: dict[str, str] = {}
    for exercise in (pre, post):
        for category_id, name in exercise.category_names.items():
            names.setdefault(category_id, name)
    return names


def cohort_progress(db: Session, cohort: Cohort, pre: Exercise, post: Exercise) -> CohortProgress:
    """Compare the cohort's counted results at ``pre`` and ``post``, overall and per category."""
    pre_results = counted_results(db, Scope(cohort, pre))
    post_results = counted_results(db, Scope(cohort, post))
    before = {user_id: counted.measures for user_id, counted in pre_results.items()}
    after = {user_id: counted.measures for user_id, counted in post_results.items()}
    wanted = [("score", "score", "Score", "of 100")]
    wanted += [
        (f"category:{category}", category, name, "% of the category's points")
        for category, name in _categories(pre, post).items()
    ]
    every = [*before.values(), *after.values()]
    if any(result.discernment is not None for result in every):
        wanted.append(("discernment", "d_prime", "Discernment", "d′: 0 is chance, 2 or more clear"))
    if any(result.brier is not None for result in every):
        wanted.append(("brier", "brier", "Calibration", "Brier score: 0 is perfect, lower is better"))
    rows = tuple(
        MeasureRow(measure, column, label, unit, change_of(before, after, measure))
        for measure, column, label, unit in wanted
    )
    user_ids = set(pre_results) | set(post_results)
    trainees = tuple(
        db.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.display_name, User.username))
        if user_ids
        else ()
    )
    return CohortProgress(cohort, pre, post, trainees, pre_results, post_results, rows)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def export_columns(progress: CohortProgress) -> list[str]:
    """The header of the progress export: the trainee, each attempt counted, then per measure its
    value at the first exercise, at the later one and the change."""
    columns = ["username", "display_name", "pre_attempt", "post_attempt"]
    for row in progress.rows:
        columns += [f"{row.column}_pre", f"{row.column}_post", f"{row.column}_change"]
    return columns


def export_records(progress: CohortProgress) -> Iterator[dict[str, Any]]:
    """One record per trainee with a counted attempt at either exercise (see `export_columns`)."""
    for trainee in progress.trainees:
        before = progress.pre_results.get(trainee.id)
        after = progress.post_results.get(trainee.id)
        record: dict[str, Any] = {
            "username": trainee.username,
            "display_name": trainee.display_name,
            "pre_attempt": before.attempt_number if before else None,
            "post_attempt": after.attempt_number if after else None,
        }
        for row in progress.rows:
            pre = before.measures.value(row.measure) if before else None
            post = after.measures.value(row.measure) if after else None
            record[f"{row.column}_pre"] = _rounded(pre)
            record[f"{row.column}_post"] = _rounded(post)
            record[f"{row.column}_change"] = _rounded(post - pre) if pre is not None and post is not None else None
        yield record


def summary_json(progress: CohortProgress) -> dict[str, Any]:
    """The cohort's change per measure, as the JSON export gives it before the trainees."""
    return {
        "cohort": progress.cohort.name,
        "pre": {"id": progress.pre.id, "slug": progress.pre.slug, "title": progress.pre.title},
        "post": {"id": progress.post.id, "slug": progress.post.slug, "title": progress.post.title},
        "counting_rule": COUNTING_RULE,
        "measures": [
            {
                "measure": row.column,
                "label": row.label,
                "unit": row.unit,
                "pre": _spread_json(row.change.pre),
                "post": _spread_json(row.change.post),
                "change": _spread_json(row.change.paired),
                "both": row.change.both,
                "only_pre": row.change.only_pre,
                "only_post": row.change.only_post,
            }
            for row in progress.rows
        ],
    }


def _spread_json(spread: Spread) -> dict[str, Any]:
    return {"count": spread.count, "mean": _rounded(spread.mean), "median": _rounded(spread.median)}
