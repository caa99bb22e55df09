"""Instructors offer the cohort view of an assignment, and may release it before the deadline."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import audit, db
from app.access import INSTRUCTOR, access
from app.deadlines import now
from app.models import Assignment
from instructor import cohorts as cohort_service
from instructor.debriefs.blueprint import blueprint
from instructor.debriefs.forms import CohortViewForm

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
    cohort = cohort_service.cohort_for_instructor(database, current_user, cohort_id)
    assignment = database.get(Assignment, (cohort.id, exercise_id))
    if assignment is None:
        abort(404, "This exercise is not set for this cohort.")
    form = CohortViewForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "The form expired. Reload the page and try again.")
        abort(400, " ".join(message for messages in form.errors.values() for message in messages))
    action = form.action.data
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
    return redirect(url_for("instructor.cohort", cohort_id=cohort.id) + f"#cohort-view-{exercise_id}")
