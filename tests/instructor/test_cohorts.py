"""Cohorts: creation, join codes, bulk import, password resets, co-instructors, visibility."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import db
from app.models import Cohort, Role, User
from tests.conftest import Factory, login, post_form


@pytest.fixture
def teacher(client: FlaskClient, factory: Factory) -> Cohort:
    """An instructor, logged in on ``client``, teaching one cohort."""
    cohort = factory.cohort("Analysts 2026")
    factory.user("grace", Role.INSTRUCTOR, teaches=cohort)
    login(client, "grace")
    return cohort


def load_cohort(app: Flask, cohort_id: int) -> Cohort:
    with app.app_context():
        cohort = db.session().get(Cohort, cohort_id)
        cohort.trainees, cohort.instructors  # noqa: B018 - load before the session closes
        return cohort


def test_instructor_creates_cohort_and_sees_join_code(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    login(client, "grace")
    response = post_form(client, "/instructor/cohorts", {"name": "Autumn <b>course</b>"}, page="/instructor/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        cohort = db.session().scalar(select(Cohort))
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", cohort.join_code)
    assert cohort.join_code in page
    assert "Autumn &lt;b&gt;course&lt;/b&gt;" in page
    assert "<b>course</b>" not in page


def test_cohort_name_is_required(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    login(client, "grace")
    response = post_form(client, "/instructor/cohorts", {"name": ""}, page="/instructor/")
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_join_code_regenerate_disable_enable(app: Flask, client: FlaskClient, teacher: Cohort) -> None:
    url = f"/instructor/cohorts/{teacher.id}/join-code"
    page = f"/instructor/cohorts/{teacher.id}"
    post_form(client, url, {"action": "regenerate"}, page=page)
    regenerated = load_cohort(app, teacher.id)
    assert regenerated.join_code != teacher.join_code
    post_form(client, url, {"action": "disable"}, page=page)
    assert not load_cohort(app, teacher.id).join_enabled
    assert "Registration with a join code is closed." in client.get(page).get_data(as_text=True)
    post_form(client, url, {"action": "enable"}, page=page)
    assert load_cohort(app, teacher.id).join_enabled
    assert post_form(client, url, {"action": "explode"}, page=page).status_code == 400


def test_bulk_import_shows_one_time_passwords_once(app: Flask, client: FlaskClient, teacher: Cohort) -> None:
    csv_file = "username,display name,email\nalice,Alice A,alice@example.org\nbob,Bob B\n"
    response = post_form(
        client,
        f"/instructor/cohorts/{teacher.id}/trainees/import",
        {"file": (io.BytesIO(csv_file.encode()), "trainees.csv")},
        page=f"/instructor/cohorts/{teacher.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    passwords = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6})</code>", page)
    assert len(passwords) == 2
    assert not re.search(
        r"[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}", client.get(f"/instructor/cohorts/{teacher.id}").get_data(as_text=True)
    )
    cohort = load_cohort(app, teacher.id)
    assert sorted(user.username for user in cohort.trainees) == ["alice", "bob"]

    trainee = app.test_client()
    response = login(trainee, "alice", passwords[0])
    assert response.headers["Location"].endswith("/account/password")
    assert trainee.get("/exercises").headers["Location"].endswith("/account/password")
    data = {"current_password": passwords[0], "password": "alice's own password", "confirm": "alice's own password"}
    post_form(trainee, "/account/password", data, page="/account/password")
    assert "Analysts 2026" in trainee.get("/exercises").get_data(as_text=True)


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("alice,Alice\nBad Name,Bob\n", "Line 2: &#39;bad name&#39; is not a valid username."),
        ("alice,Alice\nalice,Alice again\n", "Line 2: &#39;alice&#39; appears twice in the file."),
        ("alice\n", "Line 1: expected username, display name and an optional email."),
        ("alice,Alice,not-an-email\n", "Line 1: &#39;not-an-email&#39; is not an email address."),
        ("grace,Grace\n", "Line 1: the username &#39;grace&#39; is taken; choose another"),
        ("", "The file has no trainees."),
    ],
)
def test_bulk_import_rejects_bad_files_whole(
    app: Flask, client: FlaskClient, teacher: Cohort, csv_text: str, message: str
) -> None:
    response = post_form(
        client,
        f"/instructor/cohorts/{teacher.id}/trainees/import",
        {"file": (io.BytesIO(csv_text.encode()), "trainees.csv")},
        page=f"/instructor/cohorts/{teacher.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(User).where(User.role == Role.TRAINEE)) == 0


def test_bulk_import_rejects_non_utf8(client: FlaskClient, teacher: Cohort) -> None:
    response = post_form(
        client,
        f"/instructor/cohorts/{teacher.id}/trainees/import",
        {"file": (io.BytesIO("zoë,Zoë\n".encode("latin-1")), "t.csv")},
        page=f"/instructor/cohorts/{teacher.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.get_data(as_text=True)


def test_reset_password(app: Flask, client: FlaskClient, factory: Factory, teacher: Cohort) -> None:
    trainee = factory.user("tess", cohort=teacher)
    response = post_form(
        client,
        f"/instructor/cohorts/{teacher.id}/trainees/{trainee.id}/reset-password",
        {},
        page=f"/instructor/cohorts/{teacher.id}",
    )
    password = re.search(r"<code>([0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6})</code>", response.get_data(as_text=True)).group(
        1
    )
    assert login(app.test_client(), "tess").status_code == 200
    assert login(app.test_client(), "tess", password).headers["Location"].endswith("/account/password")


def test_reset_password_of_someone_outside_the_cohort_is_404(
    client: FlaskClient, factory: Factory, teacher: Cohort
) -> None:
    stranger = factory.user("stranger")
    response = post_form(
        client,
        f"/instructor/cohorts/{teacher.id}/trainees/{stranger.id}/reset-password",
        {},
        page=f"/instructor/cohorts/{teacher.id}",
    )
    assert response.status_code == 404


def test_add_existing_and_new_co_instructor(app: Flask, client: FlaskClient, factory: Factory, teacher: Cohort) -> None:
    factory.user("hopper", Role.INSTRUCTOR)
    url = f"/instructor/cohorts/{teacher.id}/instructors"
    page = f"/instructor/cohorts/{teacher.id}"
    assert post_form(client, url, {"username": "hopper"}, page=page).status_code == 302
    response = post_form(client, url, {"username": "newbie", "display_name": "New Instructor"}, page=page)
    assert re.search(r"<code>[0-9a-f]{6}-", response.get_data(as_text=True))
    names = sorted(user.username for user in load_cohort(app, teacher.id).instructors)
    assert names == ["grace", "hopper", "newbie"]
    response = post_form(client, url, {"username": "nobody"}, page=page)
    assert "give a display name to create one" in response.get_data(as_text=True)
    factory.user("tess", cohort=teacher)
    response = post_form(client, url, {"username": "tess"}, page=page)
    assert response.status_code == 400
    assert "belongs to a trainee" in response.get_data(as_text=True)


def test_instructors_see_only_their_cohorts_and_admin_sees_all(app: Flask, factory: Factory) -> None:
    mine = factory.cohort("Mine")
    theirs = factory.cohort("Theirs")
    factory.user("grace", Role.INSTRUCTOR, teaches=mine)
    factory.user("hopper", Role.INSTRUCTOR, teaches=theirs)
    factory.user("root", Role.ADMIN)
    grace = app.test_client()
    login(grace, "grace")
    listing = grace.get("/instructor/").get_data(as_text=True)
    assert "Mine" in listing and "Theirs" not in listing
    assert grace.get(f"/instructor/cohorts/{theirs.id}").status_code == 404
    admin = app.test_client()
    login(admin, "root")
    listing = admin.get("/instructor/").get_data(as_text=True)
    assert "Mine" in listing and "Theirs" in listing
    assert admin.get(f"/instructor/cohorts/{theirs.id}").status_code == 200


def test_assign_and_withdraw_an_exercise(app: Flask, client: FlaskClient, factory: Factory, teacher: Cohort) -> None:
    exercise = factory.exercise()
    page = f"/instructor/cohorts/{teacher.id}"
    assert "Mini exercise" in client.get(page).get_data(as_text=True)
    response = post_form(
        client, f"{page}/assignments", {"exercise_id": exercise.id, "deadline": "2030-05-01T17:00"}, page=page
    )
    assert response.status_code == 302
    listing = client.get(page).get_data(as_text=True)
    assert "2030-05-01 17:00 UTC" in listing
    with app.app_context():
        load_cohort(app, teacher.id)
        assert [a.exercise_id for a in db.session().get(Cohort, teacher.id).assignments] == [exercise.id]
    assert post_form(client, f"{page}/assignments", {"exercise_id": 999}, page=page).status_code == 400
    assert post_form(client, f"{page}/assignments/{exercise.id}/remove", {}, page=page).status_code == 302
    with app.app_context():
        assert db.session().get(Cohort, teacher.id).assignments == []
    assert post_form(client, f"{page}/assignments/{exercise.id}/remove", {}, page=page).status_code == 404
