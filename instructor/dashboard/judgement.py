"""A cohort's discernment and calibration at one exercise, for the dashboard and the exports.

The counts behind d′ come from one grouped scan of the current scores' item rows, the outcomes
behind calibration from the current scores' stored flag results; `scoring` turns them into d′ and
Brier scores, so the dashboard and the exports say what the debrief says.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, counted_submissions, current_scores
from app.models import CountedSubmission, Flag, Score, ScoreItem
from scoring.calibration import Calibration, measure_calibration, pool
from scoring.discernment import Discernment, measure_from_counts
from scoring.report import MATCHED_STATUSES, FlagOutcome, ItemStatus

DISCERNMENT_BANDS = (
    ("below 0", None, 0.0),
    ("0 to 0.5", 0.0, 0.5),
    ("0.5 to 1", 0.5, 1.0),
    ("1 to 1.5", 1.0, 1.5),
    ("1.5 to 2", 1.5, 2.0),
    ("2 to 3", 2.0, 3.0),
    ("3 and above", 3.0, None),
)
"""Bands of d′ on the dashboard: (label, lowest included, highest excluded)."""

_DECOY_STATUSES = (ItemStatus.DECOY_FLAGGED.value, ItemStatus.DECOY_AVOIDED.value)
_HIT_STATUSES = tuple(status.value for status in MATCHED_STATUSES)


def discernment_by_attempt(db: Session, scope: Scope) -> dict[int, Discernment]:
    """The discernment of each counted submission of the cohort at the exercise, by attempt id."""
    counts = counted_submissions(scope).with_only_columns(
        CountedSubmission.attempt_id,
        CountedSubmission.problems,
        CountedSubmission.hits,
        CountedSubmission.sound,
        CountedSubmission.false_alarms,
    )
    return _discernment(db, counts)


def discernment_of_attempts(db: Session, attempt_ids: Iterable[int]) -> dict[int, Discernment]:
    """The discernment of the current score of each of ``attempt_ids`` that has one."""
    return _discernment(db, _counts().where(Score.attempt_id.in_(list(attempt_ids)), Score.is_current.is_(True)))


def _counts() -> Select[int, int, int, int, int]:
    """Per attempt: problems, hits, sound passages and false alarms, from its scores' item rows."""
    decoy = ScoreItem.status.in_(_DECOY_STATUSES)
    return (
        select(
            Score.attempt_id,
            func.sum(case((decoy, 0), else_=1)),
            func.sum(case((ScoreItem.status.in_(_HIT_STATUSES), 1), else_=0)),
            func.sum(case((decoy, 1), else_=0)),
            func.sum(case((ScoreItem.status == ItemStatus.DECOY_FLAGGED.value, 1), else_=0)),
        )
        .join(Score, Score.id == ScoreItem.score_id)
        .group_by(Score.attempt_id)
    )


def _discernment(db: Session, query: Select[int, int, int, int, int]) -> dict[int, Discernment]:
    return {
        attempt_id: measure_from_counts(int(problems), int(hits), int(sound), int(false_alarms))
        for attempt_id, problems, hits, sound, false_alarms in db.execute(query)
    }


@dataclass(frozen=True)
class DiscernmentBand:
    label: str
    submissions: int


@dataclass(frozen=True)
class DiscernmentSpread:
    """How the cohort's submissions spread over bands of d′."""

    submissions: int
    measured: int
    """Submissions with a d′ (all or none: it depends on the key)."""
    median: float | None
    bands: tuple[DiscernmentBand, ...]
    reason: str
    """Why nothing is measured, when it is not."""


def discernment_spread(db: Session, scope: Scope) -> DiscernmentSpread:
    """The distribution of d′ over the counted submissions, in `DISCERNMENT_BANDS`.

    Submissions with the same four counts have the same d′, so the database groups them and
    `scoring` measures each group once, not once per trainee."""
    counts = (
        counted_submissions(scope)
        .with_only_columns(
            CountedSubmission.problems,
            CountedSubmission.hits,
            CountedSubmission.sound,
            CountedSubmission.false_alarms,
            func.count(),
        )
        .group_by(
            CountedSubmission.problems,
            CountedSubmission.hits,
            CountedSubmission.sound,
            CountedSubmission.false_alarms,
        )
    )
    measured = [
        (measure_from_counts(int(problems), int(hits), int(sound), int(false_alarms)), int(submissions))
        for problems, hits, sound, false_alarms, submissions in db.execute(counts)
    ]
    values = [(d.d_prime, submissions) for d, submissions in measured if d.d_prime is not None]
    bands = tuple(
        DiscernmentBand(label, sum(n for v, n in values if (low is None or v >= low) and (high is None or v < high)))
        for label, low, high in DISCERNMENT_BANDS
    )
    each = [v for v, n in values for _ in range(n)]
    reason = next((d.reason for d, _ in measured if d.reason), "")
    total = sum(submissions for _, submissions in measured)
    return DiscernmentSpread(total, len(each), statistics.median(each) if each else None, bands, reason)


def calibration_by_attempt(db: Session, scope: Scope) -> dict[int, Calibration]:
    """The calibration of each counted submission of the cohort at the exercise, by attempt id."""
    current = current_scores(scope)
    confidences: dict[int, dict[str, str | None]] = {}
    query = select(Flag.attempt_id, Flag.client_id, Flag.confidence).join(
        current, current.c.attempt_id == Flag.attempt_id
    )
    for attempt_id, client_id, confidence in db.execute(query):
        confidences.setdefault(attempt_id, {})[client_id] = confidence
    calibrations = {}
    for attempt_id, flags in db.execute(
        select(current.c.attempt_id, Score.report["flags"]).join(Score, Score.id == current.c.score_id)
    ):
        outcomes = [(flag["id"], FlagOutcome(flag["outcome"])) for flag in flags or ()]
        calibrations[attempt_id] = measure_calibration(outcomes, confidences.get(attempt_id, {}))
    return calibrations


def cohort_calibration(db: Session, scope: Scope) -> Calibration:
    """The calibration of every counted submission's flags together."""
    return pool(calibration_by_attempt(db, scope).values())
