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
from tests.app.test_api_openapi import conforms
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


def submit_as(app: Flask, name: str, attempt_id: int) -> FlaskClient:
    """``name`` logged in, having submitted ``attempt_id`` through the API."""
    trainee = app.test_client()
    login(trainee, name)
    token = csrf_token(trainee, "/exercises")
    answer = trainee.post(f"/api/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return trainee


def test_the_deadline_first_then_the_own_submission(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    # Dave is still working when the deadline passes (late work allowed): nothing of the cohort
    # reaches him, by page or by API, until he submits; then it does at once.
    set_assignment(app, fixed, deadline=DEADLINE, allow_late=True, cohort_view=True)
    clock.moment = DEADLINE + timedelta(hours=2)
    dave = app.test_client()
    login(dave, "dave")
    assert dave.get(f"/attempts/{fixed.attempts['dave']}/debrief").status_code == 403
    assert dave.get(f"/api/attempts/{fixed.attempts['dave']}/report").status_code == 403
    dave = submit_as(app, "dave", fixed.attempts["dave"])
    page = dave.get(f"/attempts/{fixed.attempts['dave']}/debrief").get_data(as_text=True)
    section = page[page.index(HEADING) :]
    assert "4 submissions" in section  # his own among them now
    assert '<q class="flag-quote">reportedly</q>: 3 of 4 submissions flagged words here' in section
    view = dave.get(f"/api/attempts/{fixed.attempts['dave']}/report").get_json()["cohort_view"]
    assert view["submissions"] == 4


def test_a_release_before_the_own_submission_waits_for_it(app: Flask, fixed: FixedCohort, clock: FrozenClock) -> None:
    set_assignment(app, fixed, deadline=DEADLINE, cohort_view=True)
    teacher = app.test_client()
    login(teacher, "teacher")
    url = f"/instructor/cohorts/{fixed.cohort_id}/assignments/{fixed.exercise_id}/cohort-view"
    cohort_page = f"/instructor/cohorts/{fixed.cohort_id}"
    released = teacher.post(url, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "release"})
    assert released.status_code == 302
    assert HEADING in debrief(app, fixed)  # alice had submitted: released to her before the deadline
    with app.app_context():
        session = db.session()
        assert not cohort_view.is_open(session, session.get(Attempt, fixed.attempts["dave"]), clock.moment)
    dave = submit_as(app, "dave", fixed.attempts["dave"])
    assert HEADING in dave.get(f"/attempts/{fixed.attempts['dave']}/debrief").get_data(as_text=True)


def test_the_api_report_carries_the_cohort_view_only_when_open(
    app: Flask, fixed: FixedCohort, clock: FrozenClock
) -> None:
    set_assignment(app, fixed, deadline=DEADLINE, cohort_view=True)
    alice = app.test_client()
    login(alice, "alice")
    report_url = f"/api/attempts/{fixed.attempts['alice']}/report"
    assert "cohort_view" not in alice.get(report_url).get_json()
    clock.moment = DEADLINE
    view = alice.get(report_url).get_json()["cohort_view"]
    assert view["submissions"] == 3
    articles = {article["article"]: article for article in view["articles"]}
    assert set(articles) == {"mini-a", "mini-b"}
    # Alice's flags (client ids in the order she made them) and how many submissions flagged there.
    assert {own["flag_id"]: own["submissions"] for own in articles["mini-a"]["own_flags"]} == {
        "flag-1": 1,
        "flag-3": 2,
    }
    with app.app_context():
        text = next(article.text for article in db.session().get(Attempt, fixed.attempts["alice"]).exercise.articles)
    start = text.index("reportedly")
    assert {"start": start, "end": start + len("reportedly"), "submissions": 2} in articles["mini-a"]["segments"]
    assert all(segment["submissions"] >= 1 for segment in articles["mini-a"]["segments"])
    for name in ("alice", "bob", "carol", "Alice", "Bob", "Carol"):
        assert name not in str(view)
    assert conforms(alice.get("/api/openapi.json").get_json(), "ScoreReport", alice.get(report_url).get_json())
