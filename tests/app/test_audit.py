"""The audit trail: real actions leave one row and one log line each; admins read and export it."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import audit, db
from app.audit import PAGE_SIZE
from app.models import AuditEvent, Cohort, Exercise, Role, User
from instructor.authoring import keys
from tests.conftest import Factory, csrf_token, login, post_form

FROZEN = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)
AUDIT_LOGGER = "app.audit"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "CLOCK": lambda: FROZEN}


@pytest.fixture
def cohort(factory: Factory) -> Cohort:
    """A cohort taught by the instructor grace; the admin ada teaches everything."""
    taught = factory.cohort("Analysts 2026")
    factory.user("grace", Role.INSTRUCTOR, teaches=taught)
    factory.user("ada", Role.ADMIN)
    return taught


def events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(db.session().scalars(query))


def audit_lines(caplog: pytest.LogCaptureFixture, action: str) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == AUDIT_LOGGER and r.getMessage().startswith(action + " ")
    ]


def import_csv(client: FlaskClient, cohort: Cohort, text: str) -> Any:
    page = f"/instructor/cohorts/{cohort.id}"
    return post_form(
        client,
        f"{page}/trainees/import",
        {"file": (io.BytesIO(text.encode()), "trainees.csv")},
        page=page,
        content_type="multipart/form-data",
    )


def test_trainee_import_is_audited_with_one_log_line_and_no_password(
    app: Flask, client: FlaskClient, cohort: Cohort, caplog: pytest.LogCaptureFixture
) -> None:
    login(client, "grace")
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        response = import_csv(client, cohort, "username,display name\nkim,Kim Lee\nsam,Sam Ro\n")
    assert response.status_code == 200
    [imported] = events(app, "cohort.trainees_imported")
    assert (imported.actor_username, imported.cohort_id, imported.exercise_id) == ("grace", cohort.id, None)
    assert imported.detail == {"created": 2, "added": 0}
    assert imported.occurred_at.replace(tzinfo=UTC) == FROZEN
    created = events(app, "account.created")
    assert [(e.actor_username, e.detail["username"], e.detail["role"]) for e in created] == [
        ("grace", "kim", "trainee"),
        ("grace", "sam", "trainee"),
    ]
    [line] = audit_lines(caplog, "cohort.trainees_imported")
    assert (
        line
        == f'cohort.trainees_imported by grace (user {imported.actor_id}) cohort {cohort.id} {{"added": 0, "created": 2}}'
    )
    assert len(audit_lines(caplog, "account.created")) == 2
    page = response.get_data(as_text=True)
    with app.app_context():
        hashes = [
            user.password_hash for user in db.session().scalars(select(User).where(User.username.in_(["kim", "sam"])))
        ]
    shown = re.findall(r"\b[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}\b", page)
    assert shown, "the one-time passwords are on the page"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    stored = json.dumps([e.detail for e in events(app)])
    for secret in [*shown, *hashes]:
        assert secret not in logged and secret not in stored


def test_a_rolled_back_import_leaves_no_row_and_no_line(
    app: Flask, client: FlaskClient, cohort: Cohort, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    factory.user("taken", Role.INSTRUCTOR)
    login(client, "grace")
    before = len(events(app))
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        response = import_csv(client, cohort, "kim,Kim Lee\ntaken,Someone Else\n")
    assert response.status_code == 400
    assert "is taken" in response.get_data(as_text=True)
    assert len(events(app)) == before
    assert [r for r in caplog.records if r.name == AUDIT_LOGGER] == []
    with app.app_context():
        assert db.session().scalar(select(User).where(User.username == "kim")) is None


def test_password_reset_is_audited_without_the_password(
    app: Flask, client: FlaskClient, cohort: Cohort, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    trainee = factory.user("tess", cohort=cohort)
    login(client, "grace")
    page = f"/instructor/cohorts/{cohort.id}"
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        response = post_form(client, f"{page}/trainees/{trainee.id}/reset-password", {}, page=page)
    assert response.status_code == 200
    [reset] = events(app, "account.password_reset")
    assert reset.actor_username == "grace"
    assert reset.detail == {"user_id": trainee.id, "username": "tess", "role": "trainee"}
    [line] = audit_lines(caplog, "account.password_reset")
    assert '"username": "tess"' in line
    with app.app_context():
        user = db.session().get(User, trainee.id)
        assert user.must_change_password
        assert user.password_hash not in line and user.session_token not in line


def test_saving_a_key_audits_the_version_and_the_rescore(
    app: Flask, client: FlaskClient, cohort: Cohort, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    exercise = factory.exercise(assign_to=cohort)
    trainee = factory.user("tess", cohort=cohort)
    factory.attempt(trainee, exercise, flags=[("mini-b", "550 men", "conflicting_number")], submit=True)
    login(client, "ada")
    with app.app_context():
        state = keys.editor_state(db.session(), db.session().get(Exercise, exercise.id))
    url = f"/instructor/exercises/{exercise.id}/key"
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        response = client.post(
            url,
            json={"items": state["items"], "groups": state["groups"], "note": "tightened"},
            headers={"X-CSRFToken": csrf_token(client, url), "Accept": "application/json"},
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    [saved] = events(app, "exercise.key_saved")
    assert (saved.actor_username, saved.exercise_id) == ("ada", exercise.id)
    assert saved.detail == {"version": 2, "origin": "editor", "note": "tightened"}
    [rescored] = events(app, "exercise.rescored")
    assert rescored.detail == {"version": 2, "rescored": 1, "note": "Key version 2: tightened"}
    assert len(audit_lines(caplog, "exercise.key_saved")) == 1
    assert len(audit_lines(caplog, "exercise.rescored")) == 1


def test_the_admin_reads_filters_and_exports_the_trail(
    app: Flask, client: FlaskClient, cohort: Cohort, factory: Factory
) -> None:
    login(client, "grace")
    post_form(client, "/instructor/cohorts", {"name": '=HYPERLINK("http://x") <b>bold</b>'}, page="/instructor/")
    trainee = factory.user("tess", cohort=cohort)
    page = f"/instructor/cohorts/{cohort.id}"
    post_form(client, f"{page}/trainees/{trainee.id}/reset-password", {}, page=page)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/instructor/")})
    login(client, "ada")

    html = client.get("/admin/audit").get_data(as_text=True)
    assert "cohort.created" in html and "account.password_reset" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert "style=" not in html and "<script" not in html
    assert html.index("account.password_reset") < html.index("cohort.created"), "newest first"

    only_resets = client.get("/admin/audit", query_string={"action": "account.password_reset", "actor": "grace"})
    text = only_resets.get_data(as_text=True)
    assert only_resets.status_code == 200
    assert "<code>account.password_reset</code>" in text and "<code>cohort.created</code>" not in text
    in_cohort = client.get("/admin/audit", query_string={"cohort": cohort.id}).get_data(as_text=True)
    assert "<code>account.password_reset</code>" not in in_cohort  # an account action names no cohort
    assert "Download these events as CSV" in in_cohort and f"audit.csv?cohort={cohort.id}" in in_cohort

    export = client.get("/admin/audit.csv", query_string={"action": "cohort.created"})
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0] == list(audit.CSV_COLUMNS)
    [row] = rows[1:]
    assert row[0] == FROZEN.isoformat()
    assert row[1:3] == ["grace", "cohort.created"]
    assert row[4] == '\'=HYPERLINK("http://x") <b>bold</b>'
    assert json.loads(row[7]) == {"name": '=HYPERLINK("http://x") <b>bold</b>'}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"cohort": "abc"}, "Not a valid integer value."),
        ({"exercise": "0"}, "Number must be between 1 and 2147483647."),
        ({"action": "no.such_action"}, "Not a valid choice."),
        ({"page": "0"}, "Number must be between 1 and 10000."),
        ({"actor": "x" * 65}, "Field cannot be longer than 64 characters."),
    ],
)
def test_a_bad_filter_is_a_400_that_says_why(
    client: FlaskClient, cohort: Cohort, query: dict[str, str], message: str
) -> None:
    login(client, "ada")
    for url in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(url, query_string=query)
        assert response.status_code == 400, url
        assert message in response.get_data(as_text=True), url


def test_the_trail_pages_newest_first(app: Flask, client: FlaskClient, cohort: Cohort) -> None:
    with app.app_context():
        session = db.session()
        for number in range(PAGE_SIZE + 5):
            audit.record(session, None, "test.numbered", detail={"number": number})
        session.commit()
    login(client, "ada")
    first = client.get("/admin/audit", query_string={"action": "test.numbered"}).get_data(as_text=True)
    assert f"number: {PAGE_SIZE + 4}<" in first and "number: 5<" in first and "number: 4<" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/admin/audit", query_string={"action": "test.numbered", "page": 2}).get_data(as_text=True)
    assert "number: 4<" in second and "number: 0<" in second and "number: 5<" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_only_admins_read_the_trail(client: FlaskClient, cohort: Cohort) -> None:
    for url in ("/admin/audit", "/admin/audit.csv"):
        assert "/login" in client.get(url).headers["Location"]
    login(client, "grace")
    for url in ("/admin/audit", "/admin/audit.csv"):
        assert client.get(url).status_code == 403


def test_the_actor_name_survives_the_account(app: Flask, client: FlaskClient, cohort: Cohort, factory: Factory) -> None:
    trainee = factory.user("tess", cohort=cohort)
    login(client, "grace")
    page = f"/instructor/cohorts/{cohort.id}"
    post_form(client, f"{page}/trainees/{trainee.id}/reset-password", {}, page=page)
    with app.app_context():
        session = db.session()
        session.delete(session.scalar(select(User).where(User.username == "grace")))
        session.commit()
    [reset] = events(app, "account.password_reset")
    assert (reset.actor_id, reset.actor_username) == (None, "grace")


def test_setting_and_withdrawing_an_exercise_name_the_cohort_and_exercise(
    app: Flask, client: FlaskClient, cohort: Cohort, factory: Factory
) -> None:
    exercise = factory.exercise()
    login(client, "grace")
    page = f"/instructor/cohorts/{cohort.id}"
    form = {"exercise_id": exercise.id, "deadline": "2031-05-01T17:00", "allow_late": "y", "cohort_view": "y"}
    assert post_form(client, f"{page}/assignments", form, page=page).status_code == 302
    assert post_form(client, f"{page}/assignments/{exercise.id}/remove", {}, page=page).status_code == 302
    assigned, withdrawn = events(app, "cohort.exercise_assigned") + events(app, "cohort.exercise_withdrawn")
    assert (assigned.cohort_id, assigned.exercise_id, withdrawn.cohort_id, withdrawn.exercise_id) == (
        cohort.id,
        exercise.id,
        cohort.id,
        exercise.id,
    )
    assert assigned.detail == {"deadline": "2031-05-01T17:00:00+00:00", "allow_late": True, "cohort_view": True}
