"""What instructors add to a trainee's debrief: comments and points on submitted flags, notes and
source ratings, and the cohort view of an assignment (offered, released or withdrawn).

Every route is a plain form POST that redirects back, so it works without JavaScript. Only
instructors of the cohort the attempt or assignment belongs to reach it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app import audit, db, feedback
from app.access import INSTRUCTOR, access, cohort_for_instructor
from app.deadlines import now
from app.forms import required
from app.models import Assignment, Attempt
from instructor.debriefs.forms import CohortViewForm, CommentEditForm, CommentForm, PointsForm

blueprint = Blueprint("debriefs", __name__, url_prefix="/instructor")


@blueprint.app_template_global("attempt_feedback")
def attempt_feedback(attempt: Attempt) -> feedback.AttemptFeedback:
    """The comments and points on ``attempt``, for the drill-down's feedback partial."""
    return feedback.attempt_feedback(db.session(), attempt)


ATTEMPT = "/cohorts/<int:cohort_id>/attempts/<int:attempt_id>"


def _attempt(database: Session, cohort_id: int, attempt_id: int) -> Attempt:
    """The submitted attempt, made for a cohort ``current_user`` teaches; 404 otherwise."""
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    attempt = database.get(Attempt, attempt_id)
    if attempt is None or attempt.cohort_id != cohort.id or attempt.submitted_at is None:
        abort(404, "No such submission in this cohort.")
    return attempt


def _back(attempt: Attempt, anchor: str) -> Response:
    url = url_for(
        "dashboard.trainee_result",
        cohort_id=attempt.cohort_id,
        exercise_id=attempt.exercise_id,
        user_id=attempt.user_id,
    )
    return redirect(f"{url}#{anchor}")


def _valid(form: FlaskForm) -> None:
    """Stop with a 400 that names what is wrong with the posted form."""
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "The form expired. Reload the page and try again.")
        abort(400, " ".join(message for messages in form.errors.values() for message in messages))


def _saved(message: str) -> None:
    db.session().commit()
    flash(message, "success")


@blueprint.route(ATTEMPT + "/comments", methods=["POST"])
@access(INSTRUCTOR)
def add_comment(cohort_id: int, attempt_id: int) -> Response:
    """Comment on a flag, its note, or a source rating's reason."""
    database = db.session()
    attempt = _attempt(database, cohort_id, attempt_id)
    form = CommentForm()
    _valid(form)
    try:
        comment = feedback.add_comment(
            database,
            current_user,
            attempt,
            target=required(form.target),
            body=required(form.body),
            flag_id=form.flag_id.data,
            article_ref=form.article.data or None,
        )
    except feedback.FeedbackError as error:
        database.rollback()
        abort(400, error.message)
    _saved("Comment saved; the trainee sees it in their debrief.")
    return _back(attempt, f"comment-{comment.id}")


@blueprint.route(ATTEMPT + "/comments/<int:comment_id>", methods=["POST"])
@access(INSTRUCTOR)
def edit_comment(cohort_id: int, attempt_id: int, comment_id: int) -> Response:
    """Change the text of one's own comment."""
    database = db.session()
    attempt = _attempt(database, cohort_id, attempt_id)
    comment = feedback.comment_of(database, attempt, comment_id)
    if comment is None:
        abort(404, "No such comment on this submission.")
    if comment.author_id != current_user.id:
        abort(403, "Only the instructor who wrote a comment can change it.")
    form = CommentEditForm()
    _valid(form)
    try:
        feedback.edit_comment(database, current_user, attempt, comment, required(form.body))
    except feedback.FeedbackError as error:
        database.rollback()
        abort(400, error.message)
    _saved("Comment changed.")
    return _back(attempt, f"comment-{comment.id}")


@blueprint.route(ATTEMPT + "/comments/<int:comment_id>/delete", methods=["POST"])
@access(INSTRUCTOR)
def delete_comment(cohort_id: int, attempt_id: int, comment_id: int) -> Response:
    """Delete one's own comment."""
    database = db.session()
    attempt = _attempt(database, cohort_id, attempt_id)
    comment = feedback.comment_of(database, attempt, comment_id)
    if comment is None:
        abort(404, "No such comment on this submission.")
    if comment.author_id != current_user.id:
        abort(403, "Only the instructor who wrote a comment can delete it.")
    _valid(FlaskForm())
    anchor = f"feedback-flag-{comment.flag_id}" if comment.flag_id else f"feedback-{attempt.id}"
    feedback.delete_comment(database, current_user, attempt, comment)
    _saved("Comment deleted.")
    return _back(attempt, anchor)


@blueprint.route(ATTEMPT + "/flags/<int:flag_id>/points", methods=["POST"])
@access(INSTRUCTOR)
def set_points(cohort_id: int, attempt_id: int, flag_id: int) -> Response:
    """Award or remove discretionary points on a flag, within the exercise policy's caps."""
    database = db.session()
    attempt = _attempt(database, cohort_id, attempt_id)
    form = PointsForm()
    _valid(form)
    try:
        feedback.set_points(database, current_user, attempt, flag_id, required(form.points))
    except feedback.FeedbackError as error:
        database.rollback()
        abort(400, error.message)
    points = form.points.data
    _saved(f"Instructor points on the flag set to {points:+g}." if points else "Instructor points on the flag removed.")
    return _back(attempt, f"feedback-flag-{flag_id}")


MESSAGES = {
    "on": "Trainees will see where the cohort flagged in their debrief after the deadline.",
    "off": "Trainees no longer see the cohort view.",
    "release": "The cohort view is released: every trainee who has submitted sees it now.",
    "withdraw": "The early release is withdrawn: trainees see the cohort view after the deadline.",
}


@blueprint.route("/cohorts/<int:cohort_id>/assignments/<int:exercise_id>/cohort-view", methods=["POST"])
@access(INSTRUCTOR)
def cohort_view(cohort_id: int, exercise_id: int) -> Response:
    """Turn the cohort view on or off, release it now, or withdraw the release."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    assignment = database.get(Assignment, (cohort.id, exercise_id))
    if assignment is None:
        abort(404, "This exercise is not set for this cohort.")
    form = CohortViewForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "The form expired. Reload the page and try again.")
        abort(400, " ".join(message for messages in form.errors.values() for message in messages))
    action = required(form.action)
    assignment.cohort_view = action != "off"
    if action == "release":
        assignment.cohort_view_released_at = now()
    elif action in ("off", "withdraw"):
        assignment.cohort_view_released_at = None
    audit.record(
        database,
        current_user,
        "cohort.cohort_view_changed",
        cohort=cohort,
        exercise=assignment.exercise,
        detail={"change": action},
    )
    database.commit()
    flash(MESSAGES[action], "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort.id) + f"#cohort-view-{exercise_id}")
