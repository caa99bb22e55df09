"""My progress: a trainee's scored submissions in the order they were made, per category (the JSON
API gives the same through ``app.trainee.api``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import db
from app.access import TRAINEE, access
from app.models import Attempt, Exercise, Score, User
from app.progress import Measures
from app.stored_measures import measures_of

blueprint = Blueprint("my_progress", __name__)


@dataclass(frozen=True)
class Submission:
    """One of my submitted attempts and what its current score says."""

    attempt: Attempt
    exercise: Exercise
    measures: Measures


def my_submissions(database: Session, user: User) -> list[Submission]:
    """Every attempt ``user`` submitted, with its current score, oldest submission first."""
    rows = database.execute(
        select(Attempt, Exercise, Score.id)
        .join(Exercise, Exercise.id == Attempt.exercise_id)
        .join(Score, (Score.attempt_id == Attempt.id) & Score.is_current.is_(True))
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at, Attempt.id)
    ).all()
    scored = measures_of(database, [score_id for *_, score_id in rows])
    return [Submission(attempt, exercise, scored[score_id]) for attempt, exercise, score_id in rows]


def category_names(submissions: list[Submission]) -> dict[str, str]:
    """Every category my submissions were scored in, in the order first met: id → name."""
    names: dict[str, str] = {}
    for submission in submissions:
        given = submission.exercise.category_names
        for category in submission.measures.categories:
            names.setdefault(category, given.get(category, category))
    return names


@blueprint.route("/progress")
@access(TRAINEE)
def page() -> str:
    """My scores across exercises and attempts, per category, with discernment and calibration when scored."""
    submissions = my_submissions(db.session(), current_user)
    return render_template(
        "trainee/progress.html",
        submissions=submissions,
        categories=category_names(submissions),
        with_discernment=any(submission.measures.discernment is not None for submission in submissions),
        with_brier=any(submission.measures.brier is not None for submission in submissions),
    )
