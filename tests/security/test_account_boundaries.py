"""Instructors reach only their own trainees, and only the work done for their own cohorts.

The takeover of issue 12 as a test-client scenario: instructor A imports instructor B's trainee by
username, then tries to read the trainee's cohort-B work and to reset their password.
"""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import Table, insert

from app import db
from app.models import cohort_instructors, cohort_trainees
from tests.conftest import PASSWORD, Factory, login, post_form
from tests.security.conftest import OTHER_NOTE, World

DASHBOARD = "/instructor/cohorts/{cohort}/exercises/{exercise}"


def import_csv(client: FlaskClient, cohort_id: int, text: str) -> tuple[int, str]:
    response = post_form(
        client,
        f"/instructor/cohorts/{cohort_id}/trainees/import",
        {"file": (io.BytesIO(text.encode()), "trainees.csv")},
        page=f"/instructor/cohorts/{cohort_id}",
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_importing_another_cohorts_trainee_neither_adds_nor_reveals_them(world: World) -> None:
    instructor = world.client("instructor")
    status, body = import_csv(instructor, world.ids["cohort"], "other_trainee,Someone\n")
    assert status == 400
    assert "the username &#39;other_trainee&#39; is taken" in body
    # The same answer for an instructor's username: nothing tells accounts apart.
    assert (
        "the username &#39;other_instructor&#39; is taken"
        in import_csv(instructor, world.ids["cohort"], "other_instructor,X\n")[1]
    )
    cohort_page = instructor.get(f"/instructor/cohorts/{world.ids['cohort']}").get_data(as_text=True)
    assert "Other_Trainee" not in cohort_page
    reset = f"/instructor/cohorts/{world.ids['cohort']}/trainees/{world.ids['other_trainee']}/reset-password"
    assert post_form(instructor, reset, {}, page="/account/password").status_code == 404
    assert login(world.app.test_client(), "other_trainee", PASSWORD).status_code == 302


def test_an_instructor_may_add_a_trainee_they_already_teach_and_an_admin_anyone(world: World, factory: Factory) -> None:
    second = factory.cohort("Cohort A, part two")
    add_member(world, cohort_instructors, second.id, world.ids["instructor"])
    status, body = import_csv(world.client("instructor"), second.id, "trainee,Trainee\n")
    assert status == 200, body
    assert import_csv(world.client("admin"), second.id, "other_trainee,Other\n")[0] == 200


def add_member(world: World, table: Table, cohort_id: int, user_id: int) -> None:
    with world.app.app_context():
        session = db.session()
        session.execute(insert(table).values(cohort_id=cohort_id, user_id=user_id))
        session.commit()


def join_cohort_a(world: World) -> None:
    """The other trainee joins cohort A with its join code too: now both instructors teach them."""
    add_member(world, cohort_trainees, world.ids["cohort"], world.ids["other_trainee"])


def test_a_shared_trainees_work_for_another_cohort_stays_out_of_reach(world: World) -> None:
    """The other trainee did the exercise for cohort B; joining cohort A shows cohort A nothing of it."""
    join_cohort_a(world)
    instructor = world.client("instructor")
    base = DASHBOARD.format(**world.ids)
    pages = [
        base + "/dashboard",
        base + "/dashboard/flags?article=mini-b&at=25",
        base + "/heatmaps/mini-b",
        base + f"/trainees/{world.ids['other_trainee']}",
        base + "/export/flags.csv",
        base + "/export/flags.json",
        f"/instructor/cohorts/{world.ids['cohort']}/export/results.csv",
    ]
    for page in pages:
        response = instructor.get(page)
        assert response.status_code == 200, page
        assert OTHER_NOTE not in response.get_data(as_text=True), page
    results = instructor.get(f"/instructor/cohorts/{world.ids['cohort']}/export/results.csv").get_data(as_text=True)
    assert "other_trainee,Other_Trainee,no,mini-exercise,not started" in results
    # Their password is not cohort A's to reset: signing in as them would open cohort B's work.
    reset = f"/instructor/cohorts/{world.ids['cohort']}/trainees/{world.ids['other_trainee']}/reset-password"
    response = post_form(instructor, reset, {}, page="/account/password")
    assert response.status_code == 403
    assert "ask an administrator" in response.get_data(as_text=True)
    assert login(world.app.test_client(), "other_trainee", PASSWORD).status_code == 302
    # Cohort B's instructor still sees it all, and the admin may reset the password.
    other = world.client("other_instructor")
    other_base = DASHBOARD.format(cohort=world.ids["other_cohort"], exercise=world.ids["exercise"])
    assert OTHER_NOTE in other.get(other_base + "/export/flags.csv").get_data(as_text=True)
    admin = world.client("admin")
    assert post_form(admin, reset, {}, page="/account/password").status_code == 200
