"""What LMS launches change is in the audit trail: accounts and cohorts they create, roles they raise."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from app import db
from app.models import AuditEvent, LtiAccount, Role
from tests.conftest import Factory
from tests.lti.conftest import LEARNERS, Browser, activity_for
from tests.lti.platform import INSTRUCTOR, LMS, Person


def test_a_trainee_launched_as_an_instructor_is_promoted_once_and_audited(
    app: Flask, factory: Factory, lms: LMS, browsers: Callable[[], Browser], caplog: pytest.LogCaptureFixture
) -> None:
    exercise = factory.exercise()
    activity = activity_for(lms, exercise.id)
    learner = LEARNERS[0]
    assert browsers().launch(learner, activity=activity).status_code == 200
    promoted = Person(learner.sub, learner.name, learner.email, [INSTRUCTOR])
    with caplog.at_level(logging.INFO, logger="app.audit"):
        assert browsers().launch(promoted, activity=activity).status_code == 200
        assert browsers().launch(promoted, activity=activity).status_code == 200
    with app.app_context():
        session = db.session()
        user = session.scalar(select(LtiAccount).where(LtiAccount.sub == learner.sub)).user
        assert user.role == Role.INSTRUCTOR
        trail = {event.action: event for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))}
        changed = trail["account.role_changed"]
        assert (changed.actor_id, changed.actor_username) == (None, None)
        assert changed.detail["user_id"] == user.id
        assert (changed.detail["from"], changed.detail["role"]) == ("trainee", "instructor")
        assert trail["account.created"].detail["username"] == user.username
        assert trail["cohort.created"].cohort_id is not None
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("account.role_changed ")]
    assert len(lines) == 1 and f'"user_id": {user.id}' in lines[0]
