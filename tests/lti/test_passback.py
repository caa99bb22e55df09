"""Grades reach the LMS on submit and on every rescore; an LMS that is down gets them later, and
an older score never goes over a newer one."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from app import db, grading
from app.models import Exercise, LtiGradeSync, utcnow
from tests.conftest import Factory
from tests.lti.conftest import LEARNERS, TEACHER, activity_for
from tests.lti.platform import LMS
from tests.lti.test_flow import submit


def scores_of(lms: LMS, activity) -> dict[str, dict]:
    return lms.scores.get(activity.lineitem_id, {})


def pending(app: Flask) -> list[LtiGradeSync]:
    with app.app_context():
        return list(db.session().scalars(select(LtiGradeSync).where(LtiGradeSync.pending.is_(True))))


def test_a_grade_waits_while_the_lms_is_down_and_arrives_when_it_is_back(
    app: Flask, factory: Factory, lms: LMS, browsers
) -> None:
    activity = activity_for(lms, factory.exercise().id)
    teacher, learner = browsers(), browsers()
    dashboard = teacher.launch(TEACHER, activity=activity)
    workspace = learner.launch(LEARNERS[0], activity=activity)
    lms.stop()
    submit(learner, workspace.url)  # the trainee's submission does not depend on the LMS
    [waiting] = pending(app)
    assert waiting.failures == 1 and "Connection refused" in waiting.last_error
    page = teacher.http.get(dashboard.url)
    assert "1 grade waiting for the LMS" in page.text

    runner = app.test_cli_runner()
    result = runner.invoke(args=["lti-retry"])
    assert "0 grades delivered; 1 waiting for the LMS." in result.output  # still inside its backoff

    lms.start()
    result = runner.invoke(args=["lti-retry", "--all"])
    assert result.exit_code == 0 and "1 grades delivered; 0 waiting for the LMS." in result.output
    assert list(scores_of(lms, activity)) == [LEARNERS[0].sub]
    assert pending(app) == []
    assert "waiting for the LMS" not in teacher.http.get(dashboard.url).text


def test_a_later_submission_retries_what_is_due(app: Flask, factory: Factory, lms: LMS, browsers) -> None:
    activity = activity_for(lms, factory.exercise().id)
    first, second = browsers(), browsers()
    first_workspace = first.launch(LEARNERS[0], activity=activity)
    second_workspace = second.launch(LEARNERS[1], activity=activity)
    lms.stop()
    submit(first, first_workspace.url)
    lms.start()
    with app.app_context():  # the backoff has passed
        db.session().execute(update(LtiGradeSync).values(next_attempt_at=utcnow() - timedelta(minutes=5)))
        db.session().commit()
    submit(second, second_workspace.url)
    assert set(scores_of(lms, activity)) == {LEARNERS[0].sub, LEARNERS[1].sub}
    assert pending(app) == []


def test_a_rescore_sends_the_new_score_and_never_an_old_one_over_it(
    app: Flask, factory: Factory, lms: LMS, browsers
) -> None:
    exercise = factory.exercise()
    activity = activity_for(lms, exercise.id)
    learner = browsers()
    submit(learner, learner.launch(LEARNERS[0], activity=activity).url)
    first = scores_of(lms, activity)[LEARNERS[0].sub]

    # A key change rescores everyone (here from the command line, so no request delivers it).
    with app.app_context():
        session = db.session()
        assert grading.rescore_exercise(session, session.get(Exercise, exercise.id), note="a key change") == 1
        session.commit()
    assert len(pending(app)) == 1
    assert app.test_cli_runner().invoke(args=["lti-retry"]).output.startswith("1 grades delivered")
    second = scores_of(lms, activity)[LEARNERS[0].sub]
    assert datetime.fromisoformat(second["timestamp"]) > datetime.fromisoformat(first["timestamp"])
    assert "key version 1" in second["comment"]
    assert lms.token_requests == 1  # the access token was kept, in the database, until it expires

    # Queued again with nothing newer: the LMS already has this score, so nothing is sent.
    posts = len(lms.score_posts)
    with app.app_context():
        db.session().execute(update(LtiGradeSync).values(pending=True))
        db.session().commit()
    assert app.test_cli_runner().invoke(args=["lti-retry"]).output.startswith("1 grades delivered")
    assert len(lms.score_posts) == posts

    # The LMS holds a newer score than ours (set there by hand): it refuses the older one, and
    # the grade is not retried for ever.
    lms.scores[activity.lineitem_id][LEARNERS[0].sub]["timestamp"] = "2999-01-01T00:00:00+00:00"
    with app.app_context():
        session = db.session()
        grading.rescore_exercise(session, session.get(Exercise, exercise.id), note="a key change")
        session.commit()
    app.test_cli_runner().invoke(args=["lti-retry"])
    assert lms.scores[activity.lineitem_id][LEARNERS[0].sub]["timestamp"] == "2999-01-01T00:00:00+00:00"
    assert pending(app) == []
