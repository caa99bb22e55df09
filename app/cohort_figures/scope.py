"""Which attempts the dashboard counts: one cohort, one exercise, each trainee's latest submission.

Nothing in the dashboard scores: it reads what ``app.grading`` stored (current scores, their
``score_items`` rows and the flags), so a page load costs a few grouped queries however large the
cohort. Every query is scoped to one cohort and one exercise through `counted_attempts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Float, Subquery, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from app.models import Assignment, Attempt, Cohort, Exercise, Score, cohort_trainees


class seconds_between(GenericFunction[float]):
    """Seconds from the first timestamp to the second, computed by the database."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@dataclass(frozen=True)
class Scope:
    """One exercise as set for one cohort: what every dashboard figure is about."""

    cohort: Cohort
    exercise: Exercise


def scope_for(db: Session, cohort: Cohort, exercise_id: int) -> Scope:
    """The cohort × exercise scope; 404 unless the exercise is set for the cohort."""
    assignment = db.get(Assignment, (cohort.id, exercise_id))
    if assignment is None:
        abort(404, "This exercise is not set for this cohort.")
    return Scope(cohort, assignment.exercise)


def counted_attempts(scope: Scope) -> Subquery:
    """The attempt that counts for each trainee of the cohort: their latest submitted one."""
    return (
        select(func.max(Attempt.id).label("attempt_id"), Attempt.user_id.label("user_id"))
        .join(cohort_trainees, cohort_trainees.c.user_id == Attempt.user_id)
        .where(
            cohort_trainees.c.cohort_id == scope.cohort.id,
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
            Attempt.submitted_at.is_not(None),
        )
        .group_by(Attempt.user_id)
        .subquery("counted")
    )


def current_scores(scope: Scope) -> Subquery:
    """The current score of each counted attempt, with the attempt's times."""
    counted = counted_attempts(scope)
    return (
        select(
            Score.id.label("score_id"),
            Score.attempt_id,
            counted.c.user_id,
            Score.score,
            Score.precision,
            Score.recall,
            Score.f1,
            Attempt.started_at,
            Attempt.submitted_at,
            Attempt.late,
            seconds_between(Attempt.started_at, Attempt.submitted_at).label("seconds"),
        )
        .join(counted, counted.c.attempt_id == Score.attempt_id)
        .join(Attempt, Attempt.id == Score.attempt_id)
        .where(Score.is_current.is_(True))
        .subquery("current")
    )


def current_score_ids(scope: Scope) -> Subquery:
    """Only the ids of the counted attempts' current scores (no times): for joins on score rows."""
    counted = counted_attempts(scope)
    return (
        select(Score.id.label("score_id"))
        .join(counted, counted.c.attempt_id == Score.attempt_id)
        .where(Score.is_current.is_(True))
        .subquery("current_ids")
    )
