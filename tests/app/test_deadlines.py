"""Deadlines hold on the server clock (frozen here): changes stop, open work is submitted as it
stood at the last save, late work is taken only when allowed and then marked late everywhere, and
one trainee's deadline can be extended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from app import db
from app.models import Assignment, Attempt, Role
from tests.app.trainee_desk import Desk, open_desk
from tests.conftest import Factory, login, post_form

DEADLINE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class FrozenClock:
    moment: datetime

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    frozen = FrozenClock(DEADLINE - timedelta(minutes=5))
    app.config["CLOCK"] = frozen
    return frozen


def set_deadline(app: Flask, desk: Desk, *, allow_late: bool = False) -> None:
    with app.app_context():
        session = db.session()
        session.execute(
            update(Assignment)
            .where(Assignment.cohort_id == desk.cohort.id, Assignment.exercise_id == desk.exercise_id)
            .values(deadline=DEADLINE, allow_late=allow_late)
        )
        session.commit()


def instructor_of(app: Flask, factory: Factory, desk: Desk):  # type: ignore[no-untyped-def]
    factory.user("ivy", Role.INSTRUCTOR, teaches=desk.cohort)
    client = app.test_client()
    login(client, "ivy")
    return client


def test_after_the_deadline_nothing_changes_and_the_last_save_is_submitted(
    app: Flask, factory: Factory, clock: FrozenClock
) -> None:
    desk = open_desk(app, factory)
    set_deadline(app, desk)
    assert desk.create().status_code == 201
    clock.moment = DEADLINE
    response = desk.create(client_id="c2", quote="four hours", category="conflicting_number")
    assert response.status_code == 409
    assert "deadline passed at 2026-12-01 12:00 UTC" in response.get_json()["error"]
    assert desk.api("DELETE", f"{desk.flags_url}/c1").status_code == 409
    attempt = desk.attempt()
    assert attempt.submitted_at is not None and attempt.submitted_at.replace(tzinfo=UTC) == DEADLINE
    assert not attempt.late
    assert [flag.client_id for flag in desk.flags()] == ["c1"]
    # The workspace now leads to the debrief, which holds the one saved flag's score.
    assert desk.client.get(f"/attempts/{desk.attempt_id}").headers["Location"].endswith("/debrief")
    assert desk.client.get(f"/api/attempts/{desk.attempt_id}/report").status_code == 200
    # No new attempt can be started after the deadline either.
    start = desk.client.post(f"/exercises/{desk.exercise_id}/attempts", data={"csrf_token": desk.token})
    assert start.status_code == 302 and start.headers["Location"].endswith("/exercises")


def test_the_dashboard_submits_open_work_at_the_deadline_without_the_trainee(
    app: Flask, factory: Factory, clock: FrozenClock
) -> None:
    desk = open_desk(app, factory)
    set_deadline(app, desk)
    assert desk.create().status_code == 201
    instructor = instructor_of(app, factory, desk)
    dashboard = f"/instructor/cohorts/{desk.cohort.id}/exercises/{desk.exercise_id}"
    clock.moment = DEADLINE - timedelta(seconds=1)
    assert "tina,Tina,no,mini-exercise,in progress" in instructor.get(
        f"/instructor/cohorts/{desk.cohort.id}/export/results.csv"
    ).get_data(as_text=True)
    clock.moment = DEADLINE + timedelta(hours=3)
    assert instructor.get(dashboard + "/dashboard").status_code == 200
    results = instructor.get(f"/instructor/cohorts/{desk.cohort.id}/export/results.csv").get_data(as_text=True)
    assert "tina,Tina,no,mini-exercise,submitted,1,2026-" in results
    assert ",2026-12-01T12:00:00+00:00,no," in results


def test_late_work_when_allowed_is_marked_late_everywhere(app: Flask, factory: Factory, clock: FrozenClock) -> None:
    desk = open_desk(app, factory)
    set_deadline(app, desk, allow_late=True)
    clock.moment = DEADLINE + timedelta(hours=1)
    assert desk.create().status_code == 201
    response = desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    assert response.status_code == 200, response.get_json()
    assert desk.attempt().late
    assert "late</strong> (after the deadline)" in desk.client.get(f"/attempts/{desk.attempt_id}/debrief").get_data(
        as_text=True
    )
    instructor = instructor_of(app, factory, desk)
    dashboard = f"/instructor/cohorts/{desk.cohort.id}/exercises/{desk.exercise_id}"
    assert '<span class="late">late</span>' in instructor.get(dashboard + "/dashboard").get_data(as_text=True)
    assert '<span class="late">late</span>' in instructor.get(
        dashboard + f"/trainees/{desk.attempt().user_id}"
    ).get_data(as_text=True)
    assert ",2026-12-01T13:00:00+00:00,yes," in instructor.get(
        f"/instructor/cohorts/{desk.cohort.id}/export/results.csv"
    ).get_data(as_text=True)
    flags = instructor.get(dashboard + "/export/flags.json").get_json()
    assert [flag["late"] for flag in flags] == [True]


def test_an_extension_keeps_one_trainee_working(app: Flask, factory: Factory, clock: FrozenClock) -> None:
    desk = open_desk(app, factory)
    set_deadline(app, desk)
    other = open_desk(app, factory, "theo", cohort=desk.cohort)
    instructor = instructor_of(app, factory, desk)
    trainee_page = (
        f"/instructor/cohorts/{desk.cohort.id}/exercises/{desk.exercise_id}/trainees/{desk.attempt().user_id}"
    )
    bad = post_form(instructor, trainee_page + "/extension", {"deadline": "tomorrow"}, page=trainee_page)
    assert bad.status_code == 400 and "Give the new deadline." in bad.get_data(as_text=True)
    response = post_form(instructor, trainee_page + "/extension", {"deadline": "2026-12-01T14:00"}, page=trainee_page)
    assert response.status_code == 302
    assert "extended to 2026-12-01 14:00 UTC" in instructor.get(trainee_page).get_data(as_text=True)
    clock.moment = DEADLINE + timedelta(hours=1)
    assert desk.create().status_code == 201
    assert other.create().status_code == 409
    clock.moment = DEADLINE + timedelta(hours=2)
    assert desk.create(client_id="c2", quote="four hours", category="conflicting_number").status_code == 409
    attempt = desk.attempt()
    assert attempt.submitted_at is not None and attempt.submitted_at.replace(tzinfo=UTC) == DEADLINE + timedelta(
        hours=2
    )
    with app.app_context():
        assert db.session().get(Attempt, other.attempt_id).submitted_at is not None
