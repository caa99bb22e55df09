"""LTI 1.3 Advantage: Crosscheck as a tool inside an LMS course (launch, deep linking, grades, roster).

Everything LTI lives in this package; ``init_app`` wires it: the blueprint, the CSRF exemption of
the three endpoints the LMS posts to cross-site, the grade passback on every new score, the
``lti-retry`` command, and what the cohort and dashboard pages show.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from app import db, feedback, grading
from app.lti import passback
from app.lti.routes import blueprint
from app.models import Cohort, LtiContext
from app.security import csrf

CSRF_EXEMPT = ("lti.login", "lti.launch", "lti.deep_link")
"""The LMS posts these cross-site with no CSRF token; state, nonce and signature protect them instead."""


@dataclass(frozen=True)
class CohortLink:
    """What an instructor sees of a cohort's LMS course."""

    context: LtiContext | None
    waiting: int

    @property
    def can_sync_roster(self) -> bool:
        return self.context is not None and self.context.platform.roster_sync and bool(self.context.memberships_url)


def cohort_link(cohort: Cohort) -> CohortLink:
    """The cohort's LMS course, if it came from one, and its grades waiting for the LMS."""
    database = db.session()
    context = database.scalar(select(LtiContext).where(LtiContext.cohort_id == cohort.id).limit(1))
    return CohortLink(context, passback.waiting_count(database, cohort.id))


def init_app(app: Flask) -> None:
    app.config.setdefault("LTI_HTTP_TIMEOUT", 10)
    app.config.setdefault("LTI_PASSBACK_BATCH", 20)
    app.register_blueprint(blueprint)
    for endpoint in CSRF_EXEMPT:
        csrf.exempt(app.view_functions[endpoint])
    grading.scores_stored.connect(passback.queue_on_new_scores)
    feedback.points_changed.connect(passback.queue_on_new_points)
    app.after_request(passback.deliver_after_request)
    app.add_template_global(cohort_link, "lti_cohort_link")
    app.cli.add_command(passback.lti_retry)
