"""The cohort view of a debrief: offered per assignment, shown only after the trainee's own
submission and the deadline (or an instructor's release), on a frozen clock; counts, never names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app import db
from app.models import Assignment, Attempt, AuditEvent
from app.trainee import cohort_view
from tests.app.test_deadlines import FrozenClock
from tests.conftest import Factory, csrf_token, login
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort

DEADLINE = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
HEADING = "Where your cohort flagged"


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    frozen = FrozenClock(DEADLINE - timedelta(hours=1))
    app.config["CLOCK"] = frozen
    return frozen


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


def set_assignment(app: Flask, fixed: FixedCohort, **values: object) -> None:
    with app.app_context():
        session = db.session()
        session.execute(
            update(Assignment)
            .where(Assignment.cohort_id == fixed.cohort_id, Assignment.exercise_id == fixed.exercise_id)
            .values(**values)
        )
        session.commit()


def debrief(app: Flask, fixed: FixedCohort, name: str = "alice") -> str:
    trainee = app.test_client()
    login(trainee, name)
    response = trainee.get(f"/attempts/{fixed.attempts[name]}/debrief")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_off_by_default_even_after_the_deadline(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    set_assignment(app, fixed, deadline=DEADLINE)
    clock.moment = DEADLINE + timedelta(days=1)
    assert HEADING not in debrief(app, fixed)


def test_opens_at_the_deadline_not_a_second_before(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    set_assignment(app, fixed, deadline=DEADLINE, cohort_view=True)
    clock.moment = DEADLINE - timedelta(seconds=1)
    assert HEADING not in debrief(app, fixed)
    clock.moment = DEADLINE
    page = debrief(app, fixed)
    assert HEADING in page
    section = page[page.index(HEADING) :]
    # Alice, Bob and Carol submitted; Alice and Bob flagged "reportedly"; Dave's open work is not counted.
    assert "3 submissions" in section
    assert '<q class="flag-quote">reportedly</q>: 2 of 3 submissions flagged words here' in section
    for name in ("Bob", "Carol", "Dave", "bob", "carol"):
        assert name not in section


def test_never_before_the_trainees_own_submission(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    set_assignment(
        app, fixed, deadline=DEADLINE, cohort_view=True, cohort_view_released_at=DEADLINE - timedelta(days=1)
    )
    with app.app_context():
        session = db.session()
        dave = session.get(Attempt, fixed.attempts["dave"])
        alice = session.get(Attempt, fixed.attempts["alice"])
        assert not cohort_view.is_open(session, dave, DEADLINE - timedelta(hours=1))
        assert cohort_view.is_open(session, alice, DEADLINE - timedelta(hours=1))
    dave_client = app.test_client()
    login(dave_client, "dave")
    assert dave_client.get(f"/attempts/{fixed.attempts['dave']}/debrief").status_code == 403


def test_a_release_opens_it_early_and_without_a_deadline(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    set_assignment(app, fixed, cohort_view=True)
    clock.moment = DEADLINE + timedelta(days=30)
    assert HEADING not in debrief(app, fixed)  # no deadline: only a release opens it
    teacher = app.test_client()
    login(teacher, "teacher")
    url = f"/instructor/cohorts/{fixed.cohort_id}/assignments/{fixed.exercise_id}/cohort-view"
    cohort_page = f"/instructor/cohorts/{fixed.cohort_id}"
    assert "Release the cohort view" in teacher.get(cohort_page).get_data(as_text=True)
    answer = teacher.post(url, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "release"})
    assert answer.status_code == 302
    assert HEADING in debrief(app, fixed)
    assert HEADING in debrief(app, fixed, "bob")
    answer = teacher.post(url, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "withdraw"})
    assert answer.status_code == 302
    assert HEADING not in debrief(app, fixed)
    with app.app_context():
        changes = (
            db.session()
            .scalars(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "cohort.cohort_view_changed")
                .order_by(AuditEvent.id)
            )
            .all()
        )
    assert [detail["change"] for detail in changes] == ["release", "withdraw"]


def test_the_instructor_turns_it_on_and_off(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    set_assignment(app, fixed, deadline=DEADLINE)
    clock.moment = DEADLINE + timedelta(minutes=1)
    teacher = app.test_client()
    login(teacher, "teacher")
    url = f"/instructor/cohorts/{fixed.cohort_id}/assignments/{fixed.exercise_id}/cohort-view"
    cohort_page = f"/instructor/cohorts/{fixed.cohort_id}"
    assert teacher.post(url, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "on"}).status_code == 302
    assert HEADING in debrief(app, fixed)
    assert teacher.post(url, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "off"}).status_code == 302
    assert HEADING not in debrief(app, fixed)
    bad = teacher.post(url, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "explode"})
    assert bad.status_code == 400 and "Choose what to do with the cohort view." in bad.get_data(as_text=True)
    assert teacher.post(url, data={"action": "on"}).status_code == 400


def test_only_the_cohorts_instructors_change_it(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    url = f"/instructor/cohorts/{fixed.cohort_id}/assignments/{fixed.exercise_id}/cohort-view"
    login(client, "stranger")
    assert client.post(url, data={"csrf_token": csrf_token(client, "/instructor/"), "action": "on"}).status_code == 404
    trainee = app.test_client()
    login(trainee, "alice")
    assert trainee.post(url, data={"csrf_token": csrf_token(trainee, "/exercises"), "action": "on"}).status_code == 403


def test_setting_an_exercise_can_offer_the_cohort_view(app: Flask, factory: Factory, client: FlaskClient) -> None:
    cohort = factory.cohort("New cohort")
    factory.user("lead", role="instructor", teaches=cohort)
    exercise = factory.exercise()
    with app.app_context():
        db.session().execute(update(type(exercise)).values(state="published"))
        db.session().commit()
    login(client, "lead")
    page = f"/instructor/cohorts/{cohort.id}"
    answer = client.post(
        f"{page}/assignments",
        data={"csrf_token": csrf_token(client, page), "exercise_id": exercise.id, "cohort_view": "y"},
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session().get(Assignment, (cohort.id, exercise.id)).cohort_view
