"""Which attempts the dashboard counts: one cohort, one exercise, each trainee's latest submission.

Nothing in the dashboard scores or recounts: it reads what ``app.grading`` stored and what
``app.cohort_figures.tallies`` keeps beside it (one row per trainee's counted submission, tallies
of item outcomes and flagged spans), so a page load costs a few small queries however large the
cohort. Every query is scoped to one cohort and one exercise through `counted_attempts`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import BindParameter, Float, Integer, Select, Subquery, bindparam, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from app.models import Assignment, Attempt, Cohort, CountedSubmission, Exercise, cohort_trainees


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


def scope_bindings() -> tuple[BindParameter[int], BindParameter[int]]:
    """The cohort's and the exercise's ids as parameters, for statements built once for every
    scope (`scope_parameters` gives their values)."""
    return bindparam("cohort_id", type_=Integer), bindparam("exercise_id", type_=Integer)


def scope_parameters(scope: Scope) -> dict[str, int]:
    """The values of `scope_bindings` for ``scope``."""
    return {"cohort_id": scope.cohort.id, "exercise_id": scope.exercise.id}


def _counted(scope: Scope) -> Select[Any]:
    """The scope's counted submissions (``app.cohort_figures.tallies`` keeps them) of its trainees."""
    return _counted_in(scope.cohort.id, scope.exercise.id)


@functools.cache
def bound_counted_submissions() -> Select[Any]:
    """`counted_submissions` of the scope `scope_parameters` gives, for statements built once."""
    return _counted_in(*scope_bindings())


def _counted_in(cohort_id: int | BindParameter[int], exercise_id: int | BindParameter[int]) -> Select[Any]:
    return (
        select(CountedSubmission)
        .join(
            cohort_trainees,
            (cohort_trainees.c.cohort_id == CountedSubmission.cohort_id)
            & (cohort_trainees.c.user_id == CountedSubmission.user_id),
        )
        .where(CountedSubmission.cohort_id == cohort_id, CountedSubmission.exercise_id == exercise_id)
    )


def counted_attempts(scope: Scope) -> Subquery:
    """The attempt that counts for each trainee of the cohort: their latest submitted one."""
    return (
        _counted(scope).with_only_columns(CountedSubmission.attempt_id, CountedSubmission.user_id).subquery("counted")
    )


def submission_count(db: Session, scope: Scope) -> int:
    """How many submissions the scope counts (one a trainee who submitted)."""
    return int(db.scalar(select(func.count()).select_from(counted_attempts(scope))) or 0)


def current_scores(scope: Scope) -> Subquery:
    """The current score of each counted attempt, with the attempt's times and the score's figures."""
    return (
        _counted(scope)
        .with_only_columns(
            CountedSubmission.score_id,
            CountedSubmission.attempt_id,
            CountedSubmission.user_id,
            CountedSubmission.score,
            CountedSubmission.precision,
            CountedSubmission.recall,
            CountedSubmission.f1,
            Attempt.started_at,
            Attempt.submitted_at,
            Attempt.late,
            seconds_between(Attempt.started_at, Attempt.submitted_at).label("seconds"),
            CountedSubmission.false_positives,
            CountedSubmission.span_f1,
        )
        .join(Attempt, Attempt.id == CountedSubmission.attempt_id)
        .subquery("current")
    )


def counted_submissions(scope: Scope) -> Select[Any]:
    """The scope's counted submission rows, whole, for the figures that read their stored counts."""
    return _counted(scope)
