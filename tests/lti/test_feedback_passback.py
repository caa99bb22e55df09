"""The LMS grade is the final score: the automatic score plus the instructor's points, sent again
whenever the points change."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from app import db, feedback
from app.models import Attempt, Exercise, Flag, User
from tests.conftest import Factory
from tests.lti.conftest import LEARNERS, activity_for
from tests.lti.platform import LMS
from tests.lti.test_flow import submit


def test_instructor_points_reach_the_lms_as_part_of_the_grade(app: Flask, factory: Factory, lms: LMS, browsers) -> None:
    exercise = factory.exercise()
    teacher = factory.user("grader", role="instructor")
    activity = activity_for(lms, exercise.id)
    learner = browsers()
    workspace = learner.launch(LEARNERS[0], activity=activity).url
    attempt_id = int(workspace.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        session = db.session()
        text = session.get(Exercise, exercise.id).articles[0].text
        start = text.index("reportedly")
        session.add(
            Flag(
                attempt_id=attempt_id,
                client_id="c1",
                article_ref="mini-a",
                start=start,
                end=start + len("reportedly"),
                quote="reportedly",
                category="unverified",
            )
        )
        session.commit()
    submit(learner, workspace)
    first = lms.scores[activity.lineitem_id][LEARNERS[0].sub]

    with app.app_context():
        session = db.session()
        attempt = session.get(Attempt, attempt_id)
        feedback.set_points(session, session.get(User, teacher.id), attempt, attempt.flags[0].id, 2)
        session.commit()
    assert app.test_cli_runner().invoke(args=["lti-retry"]).output.startswith("1 grades delivered")
    second = lms.scores[activity.lineitem_id][LEARNERS[0].sub]
    assert second["scoreGiven"] == round(first["scoreGiven"] + 2, 2)
    assert datetime.fromisoformat(second["timestamp"]) > datetime.fromisoformat(first["timestamp"])
    assert "instructor +2" in second["comment"]

    # Taking the points back is a change too: the LMS gets the automatic score again, as newer.
    with app.app_context():
        session = db.session()
        attempt = session.get(Attempt, attempt_id)
        feedback.set_points(session, session.get(User, teacher.id), attempt, attempt.flags[0].id, 0)
        session.commit()
    assert app.test_cli_runner().invoke(args=["lti-retry"]).output.startswith("1 grades delivered")
    third = lms.scores[activity.lineitem_id][LEARNERS[0].sub]
    assert third["scoreGiven"] == first["scoreGiven"]
    assert datetime.fromisoformat(third["timestamp"]) > datetime.fromisoformat(second["timestamp"])
