"""The ceiling beside the grade: what independent experts score against the current key, and the
cohort's figures beside them, so a grade is read against what the key lets an expert reach."""

from __future__ import annotations

from dataclasses import dataclass

from app import grading
from app.models import Exercise, KeyVersion
from exercises.answers import read_answers, read_ratings
from instructor.dashboard.summary import ScoreSummary


@dataclass(frozen=True)
class ExpertScore:
    """One blind calibration set of the exercise, scored against the current key."""

    name: str
    score: float
    span_f1: float


@dataclass(frozen=True)
class Ceiling:
    experts: tuple[ExpertScore, ...]
    cohort_score: float | None
    """The median current score of the cohort; None before anyone submits."""
    cohort_span_f1: float | None


def ceiling(exercise: Exercise, version: KeyVersion, summary: ScoreSummary) -> Ceiling | None:
    """Score the exercise's calibration sets against ``version``; None when it has none.

    The sets are few and small, so they are scored on each call: they follow every key change
    without a stored copy to keep current. The cohort's figures come from its stored scores.
    """
    if not exercise.calibration:
        return None
    key = grading.prepared_key(exercise, version)
    texts = {article.ref: article.text for article in exercise.articles}
    experts = []
    for entry in exercise.calibration:
        answers = entry["answers"]
        report = key.score(read_answers(answers, texts), read_ratings(answers, texts))
        experts.append(ExpertScore(entry["name"], report.score, report.spans.category_blind.f1))
    return Ceiling(
        experts=tuple(experts),
        cohort_score=summary.median,
        cohort_span_f1=summary.median_span_f1,
    )
