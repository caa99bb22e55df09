"""A whole course round trip against lti1p3platform: add the activity by deep linking, launch as
instructor and learners, submit, grades back to the LMS, the roster from the LMS."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app import db
from app.models import Assignment, Cohort, LtiAccount, Role, User
from tests.conftest import Factory
from tests.lti.conftest import LEARNERS, TEACHER, Browser
from tests.lti.platform import LMS


def submit(browser: Browser, workspace_url: str) -> None:
    """Submit the attempt open in ``workspace_url`` through the trainee's own form."""
    attempt_id = workspace_url.rstrip("/").rsplit("/", 1)[1]
    submit_url = workspace_url.split("/attempts/")[0] + f"/attempts/{attempt_id}/submit"
    page = browser.http.get(submit_url)
    answer = browser.post_form(submit_url, {}, page=page)
    assert answer.status_code == 200 and "/debrief" in answer.url, answer.text[:500]


def test_deep_link_launch_submit_and_grade_back(app: Flask, factory: Factory, tool: str, lms: LMS, browsers) -> None:
    exercise = factory.exercise()
    teacher = browsers()
    returned = teacher.add_activity(tool, exercise.id, deadline="2031-05-01T12:00", attempts="2")
    assert returned.status_code == 200 and "Added: Mini exercise" in returned.text
    assert lms.deep_link_errors == []
    [activity] = lms.activities
    assert activity.url == tool + "/lti/launch"
    assert lms.lineitems[activity.lineitem_id]["scoreMaximum"] == 100
    assert lms.lineitems[activity.lineitem_id]["label"] == "Mini exercise"

    # The instructor launches the new link and lands on its dashboard.
    dashboard = teacher.launch(TEACHER, activity=activity)
    assert dashboard.status_code == 200
    assert dashboard.url.endswith(f"/exercises/{exercise.id}/dashboard"), dashboard.url

    # A learner lands in a fresh attempt's workspace, with no password ever.
    learner = browsers()
    workspace = learner.launch(LEARNERS[0], activity=activity)
    assert workspace.status_code == 200 and "/attempts/" in workspace.url, workspace.url
    assert "Mini exercise" in workspace.text
    submit(learner, workspace.url)

    [posted] = lms.score_posts
    assert posted["userId"] == LEARNERS[0].sub
    assert posted["scoreMaximum"] == 100 and 0 <= posted["scoreGiven"] <= 100
    assert posted["activityProgress"] == "Completed" and posted["gradingProgress"] == "FullyGraded"
    assert "debrief" in posted["comment"] and "Mini exercise" in posted["comment"]
    assert lms.token_requests == 1

    with app.app_context():
        session = db.session()
        cohort = session.scalar(select(Cohort).where(Cohort.name == "Media literacy 101"))
        assert [person.display_name for person in cohort.instructors] == ["Tess Teacher"]
        assert [person.display_name for person in cohort.trainees] == ["Lee Learner"]
        assignment = session.get(Assignment, (cohort.id, exercise.id))
        assert assignment.deadline.strftime("%Y-%m-%d %H:%M") == "2031-05-01 12:00"
        accounts = {link.sub: link.user for link in session.scalars(select(LtiAccount))}
        assert accounts[TEACHER.sub].role == Role.INSTRUCTOR
        assert accounts[LEARNERS[0].sub].role == Role.TRAINEE
        assert accounts[LEARNERS[0].sub].email == "lee@example.edu"

    # The same learner again: the same account, in a second attempt (the activity allows two).
    again = learner.launch(LEARNERS[0], activity=activity)
    assert again.status_code == 200 and "/attempts/" in again.url and again.url != workspace.url
    # A third launch: both attempts are used, so the debrief of the latest.
    submit(learner, again.url)
    assert "/debrief" in learner.launch(LEARNERS[0], activity=activity).url
    with app.app_context():
        assert len(list(db.session().scalars(select(LtiAccount)))) == 2
        assert len(list(db.session().scalars(select(User).where(User.email == "lee@example.edu")))) == 1


def test_roster_sync_brings_the_course_members_in(app: Flask, factory: Factory, tool: str, lms: LMS, browsers) -> None:
    teacher = browsers()
    cohort_page = teacher.launch(TEACHER, "deep_link")
    with app.app_context():
        cohort = db.session().scalar(select(Cohort).where(Cohort.name == "Media literacy 101"))
        cohort_id = cohort.id
    page = teacher.http.get(f"{tool}/instructor/cohorts/{cohort_id}")
    assert "Sync the roster from the LMS" in page.text and cohort_page.status_code == 200
    synced = teacher.post_form(f"{tool}/lti/cohorts/{cohort_id}/roster", {}, page=page)
    assert synced.status_code == 200
    assert "Roster synced from the LMS: 2 added (3 in the course)." in synced.text
    assert "Lee Learner" in synced.text and "Kim Student" in synced.text
