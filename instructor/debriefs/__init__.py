"""What instructors add to trainees' debriefs: comments and points on flags, and the cohort view."""

from __future__ import annotations

from flask import Flask

from app import db, feedback
from app.models import Attempt
from instructor.debriefs import cohort_view_routes, feedback_routes
from instructor.debriefs.blueprint import blueprint

ROUTES = (cohort_view_routes, feedback_routes)
"""The modules whose views are on the blueprint (imported for that)."""


def _attempt_feedback(attempt: Attempt) -> feedback.AttemptFeedback:
    return feedback.attempt_feedback(db.session(), attempt)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    # The drill-down's feedback partial reads each attempt's comments and points itself.
    app.add_template_global(_attempt_feedback, "attempt_feedback")
