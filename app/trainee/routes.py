"""Trainee pages: my exercises, the workspace (with forms that work without JavaScript),
the submission confirmation and the debrief."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db, feedback, grading
from app.access import TRAINEE, access
from app.deadlines import now
from app.forms import required
from app.models import Attempt, Exercise
from app.trainee import attempts, cohort_view, flags, open_exercises, submission
from app.trainee.api import flag_json
from app.trainee.api_models import MAX_NOTE
from app.trainee.attempts import AttemptClosed, NoAttemptsLeft
from app.trainee.flag_requests import InvalidFlag
from app.trainee.forms import QuoteFlagForm, SubmitForm, quote_flag_form, submit_form
from scoring.calibration import CONFIDENCE_SCALE
from scoring.report import report_from_dict
from scoring.types import RatingKey, SourceRating

blueprint = Blueprint("trainee", __name__)


@blueprint.errorhandler(AttemptClosed)
def _closed(error: AttemptClosed) -> Response:
    """Submitted meanwhile (another tab) or the exercise closed: say so on my exercises."""
    db.rollback()
    flash(error.message, "error")
    return redirect(url_for(".home"))


def _my_attempt(attempt_id: int, *, with_flags: bool = True) -> Attempt:
    attempt = attempts.own_attempt(db.session(), current_user, attempt_id, with_flags=with_flags)
    if attempt is None:
        abort(404, "There is no such attempt.")
    return attempt


@blueprint.route("/exercises")
@access(TRAINEE)
def home() -> str:
    """My cohorts and the exercises set for them, with my status in each."""
    database = db.session()
    return render_template(
        "trainee/home.html",
        cohorts=open_exercises.my_exercises(database, current_user),
        notices=feedback.unread_notices(database, current_user),
    )


@blueprint.route("/exercises/<int:exercise_id>/attempts", methods=["POST"])
@access(TRAINEE)
def start_attempt(exercise_id: int) -> Response:
    """Resume the open attempt, or start a new one if another is allowed."""
    database = db.session()
    exercise = open_exercises.open_exercise(database, current_user, exercise_id)
    if exercise is None:
        abort(404, "This exercise is not set for you, or it is closed.")
    try:
        attempt = attempts.start_or_resume(database, current_user, exercise)
    except NoAttemptsLeft:
        flash("You have submitted every attempt allowed for this exercise. Your instructor can allow another.", "error")
        return redirect(url_for(".home"))
    return redirect(url_for(".workspace", attempt_id=attempt.id))


def _workspace_data(attempt: Attempt) -> dict[str, Any]:
    """What the workspace script needs; never anything from the key."""
    exercise = attempt.exercise
    return {
        "attemptId": attempt.id,
        "revision": attempt.revision,
        "flagsUrl": url_for("api.list_flags", attempt_id=attempt.id),
        "submitUrl": url_for(".submit", attempt_id=attempt.id),
        "maxNote": MAX_NOTE,
        "categories": [
            {"id": category.id, "name": category.name, "grouped": category.grouped, "index": index}
            for index, category in enumerate(exercise.categories)
        ],
        "articles": [{"ref": article.ref, "title": article.title} for article in exercise.articles],
        "flags": [flag_json(flag) for flag in attempt.flags],
        "confidences": (
            [{"id": level.id, "label": level.label} for level in CONFIDENCE_SCALE] if exercise.asks_confidence else []
        ),
    }


def _render_workspace(attempt: Attempt, form: QuoteFlagForm | None = None, status: int = 200) -> Response:
    exercise = attempt.exercise
    html = render_template(
        "trainee/workspace.html",
        exercise=exercise,
        attempt=attempt,
        form=form or quote_flag_form(exercise),
        category_index={category.id: index for index, category in enumerate(exercise.categories)},
        category_names=exercise.category_names,
        article_titles={article.ref: article.title for article in exercise.articles},
        confidence_scale=CONFIDENCE_SCALE if exercise.asks_confidence else (),
        confidence_labels={level.id: level.label for level in CONFIDENCE_SCALE},
        allowed=open_exercises.attempts_allowed(db.session(), current_user, exercise),
        data=_workspace_data(attempt),
    )
    return Response(html, status=status, mimetype="text/html")


def _editable_attempt(attempt_id: int, *, with_flags: bool = True) -> Attempt | Response:
    """The attempt if it can still change; otherwise where to go instead."""
    attempt = _my_attempt(attempt_id, with_flags=with_flags)
    if attempt.submitted_at is not None:
        return redirect(url_for(".debrief", attempt_id=attempt.id))
    if not attempts.exercise_open_to(db.session(), current_user, attempt):
        abort(409, "This exercise is closed. Your flags are kept; ask your instructor.")
    return attempt


@blueprint.route("/attempts/<int:attempt_id>")
@access(TRAINEE)
def workspace(attempt_id: int) -> Response:
    """The two articles, the flags and the tools to add and change them."""
    attempt = _editable_attempt(attempt_id)
    if isinstance(attempt, Response):
        return attempt
    return _render_workspace(attempt)


@blueprint.route("/attempts/<int:attempt_id>/flags", methods=["POST"])
@access(TRAINEE)
def add_flag(attempt_id: int) -> Response:
    """Add a flag by quoting words (the form for browsers without JavaScript)."""
    attempt = _editable_attempt(attempt_id)
    if isinstance(attempt, Response):
        return attempt
    form = quote_flag_form(attempt.exercise)
    if not form.validate_on_submit():
        return _render_workspace(attempt, form, status=400)
    database = db.session()
    try:
        flags.add_quoted_flag(
            database,
            current_user,
            attempt,
            form.article.data,
            required(form.quote),
            form.category.data,
            form.note.data or "",
            ("confidence" in form and form.confidence.data) or None,
        )
    except InvalidFlag as error:
        database.rollback()
        for name, messages in error.fields.items():
            getattr(form, name, form.quote).errors = list(messages)
        if not error.fields:
            form.quote.errors = [error.message]
        return _render_workspace(attempt, form, status=400)
    database.commit()
    flash("Flag added.", "success")
    return redirect(url_for(".workspace", attempt_id=attempt.id) + "#flags")


@blueprint.route("/attempts/<int:attempt_id>/flags/<int:flag_id>/delete", methods=["POST"])
@access(TRAINEE)
def delete_flag(attempt_id: int, flag_id: int) -> Response:
    """Delete a flag (the form for browsers without JavaScript)."""
    attempt = _editable_attempt(attempt_id)
    if isinstance(attempt, Response):
        return attempt
    flag = next((flag for flag in attempt.flags if flag.id == flag_id), None)
    if flag is None:
        abort(404, "There is no such flag in this attempt.")
    database = db.session()
    flags.delete_flag(database, current_user, attempt, flag)
    database.commit()
    flash("Flag deleted.", "success")
    return redirect(url_for(".workspace", attempt_id=attempt.id) + "#flags")


@blueprint.route("/attempts/<int:attempt_id>/submit", methods=["GET", "POST"])
@access(TRAINEE)
def submit(attempt_id: int) -> Response:
    """Confirm, rate each source the key rates, then make the attempt final and score it."""
    # Its flags load only for the confirmation page, which counts them; scoring reads them as rows.
    attempt = _editable_attempt(attempt_id, with_flags=False)
    if isinstance(attempt, Response):
        return attempt
    database = db.session()
    rated = grading.current_key_version(database, attempt.exercise_id).ratings
    form = submit_form(len(rated))
    if form.validate_on_submit():
        submission.submit(database, current_user, attempt, _given_ratings(rated, form))
        database.commit()
        return redirect(url_for(".debrief", attempt_id=attempt.id))
    titles = {article.ref: article.title for article in attempt.exercise.articles}
    html = render_template(
        "trainee/submit.html",
        exercise=attempt.exercise,
        attempt=attempt,
        counts=submission.flags_per_category(attempt.exercise, attempt.flags),
        form=form,
        ratings=[(titles[key.article], entry) for key, entry in zip(rated, form.ratings, strict=True)],
    )
    return Response(html, status=400 if request.method == "POST" else 200, mimetype="text/html")


def _given_ratings(rated: tuple[RatingKey, ...], form: SubmitForm) -> list[SourceRating]:
    """The ratings a valid submit form gives, one per article the key rates."""
    return [
        SourceRating(key.article, entry.reliability.data, entry.credibility.data, entry.reason.data.strip())
        for key, entry in zip(rated, form.ratings, strict=True)
    ]


@blueprint.route("/attempts/<int:attempt_id>/debrief")
@access(TRAINEE)
def debrief(attempt_id: int) -> Response:
    """The score, the key laid over the articles and the explanations: only after submission."""
    database = db.session()
    attempt = _my_attempt(attempt_id)
    score = open_exercises.submitted_score(database, attempt)
    if score is None:
        abort(403, "The debrief opens once you submit this attempt.")
    exercise: Exercise = attempt.exercise
    moment = now()
    html = render_template(
        "trainee/debrief.html",
        exercise=exercise,
        attempt=attempt,
        score=score,
        report=report_from_dict(score.report),
        key_items=score.key_version.items,
        can_start_new=attempts.can_start_new(database, current_user, exercise),
        feedback=feedback.attempt_feedback(database, attempt),
        cohort=cohort_view.cohort_view(database, attempt, score.key_version.items)
        if cohort_view.is_open(database, attempt, moment)
        else None,
    )
    if feedback.mark_read(database, attempt, moment):
        database.commit()
    return Response(html, mimetype="text/html")
