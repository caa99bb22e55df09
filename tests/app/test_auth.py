"""First-run set-up, login and logout, registration with a join code, passwords."""

from __future__ import annotations

import statistics
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import accounts, db
from app.models import Role, User
from tests.conftest import PASSWORD, Factory, csrf_token, login, post_form

SETUP = {
    "username": "ada",
    "display_name": "Ada Lovelace",
    "email": "",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


def count_users(app: Flask) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(User))


def test_fresh_instance_sends_visitors_to_setup(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    assert "Create administrator account" in page


def test_setup_creates_admin_logs_in_and_then_disappears(app: Flask, client: FlaskClient) -> None:
    response = post_form(client, "/setup", SETUP, page="/setup")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/instructor/")
    assert "Your cohorts" in client.get("/instructor/").get_data(as_text=True) or "All cohorts" in client.get(
        "/instructor/"
    ).get_data(as_text=True)
    with app.app_context():
        admin = db.session().scalar(select(User))
        assert admin.role == Role.ADMIN
        assert admin.password_hash.startswith("$argon2id$")
        assert SETUP["password"] not in admin.password_hash
    assert client.get("/setup").status_code == 404
    other = app.test_client()
    assert other.get("/setup").status_code == 404
    assert other.post("/setup", data=SETUP).status_code in (400, 404)
    assert count_users(app) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short", "confirm": "short"}, "Use at least 10 characters."),
        ({"confirm": "something else entirely"}, "Passwords differ."),
        ({"username": "Bad Name!"}, "Username: 2–64 characters"),
        ({"display_name": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"username": "adalovelace", "password": "adalovelace", "confirm": "adalovelace"}, "must not be your username"),
    ],
)
def test_setup_rejects_bad_input_and_creates_nothing(
    app: Flask, client: FlaskClient, changes: dict[str, str], message: str
) -> None:
    response = post_form(client, "/setup", {**SETUP, **changes}, page="/setup")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_login_and_logout(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    response = login(client, "grace")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/instructor/")
    assert "Grace (instructor)" in client.get("/instructor/").get_data(as_text=True)
    response = post_form(client, "/logout", {}, page="/instructor/")
    assert response.status_code == 302
    assert client.get("/instructor/").status_code == 302


def test_login_with_wrong_password_says_so(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    response = login(client, "grace", "wrong password!")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert login(client, "nobody", "wrong password!").status_code == 200


def test_login_follows_only_local_next(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    token = csrf_token(client)
    data = {"csrf_token": token, "username": "grace", "password": PASSWORD}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"].endswith("/instructor/")


def test_login_is_throttled_per_account(app: Flask, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    for attempt in range(5):
        client = app.test_client()
        assert login(client, "grace", f"guess number {attempt}").status_code == 200
    client = app.test_client()
    response = login(client, "grace")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Too many failed logins" in response.get_data(as_text=True)
    assert login(app.test_client(), "someone-else", "guess").status_code == 200


def test_login_is_throttled_per_address(app: Flask, factory: Factory) -> None:
    app.config["LOGIN_RATE_PER_ADDRESS"] = "3 per minute"
    client = app.test_client()
    for number in range(3):
        assert login(client, f"user{number}", "guess guess").status_code == 200
    assert login(client, "user9", "guess guess").status_code == 429


def test_successful_logins_are_not_throttled(app: Flask, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    for _ in range(8):
        assert login(app.test_client(), "grace").status_code == 302


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    response = login(client, "grace")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app: Flask, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": "grace", "password": PASSWORD},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "Secure" in cookie


def test_login_replaces_a_planted_session(app: Flask, client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    login(client, "grace")
    with client.session_transaction() as current:
        assert "planted" not in current


def test_registration_with_join_code(app: Flask, client: FlaskClient, factory: Factory) -> None:
    cohort = factory.cohort("Spring intake")
    data = {
        "join_code": cohort.join_code.lower().replace("-", " "),
        "username": "trainee1",
        "display_name": "Tess Trainee",
        "password": "another good password",
        "confirm": "another good password",
    }
    response = post_form(client, "/register", data, page="/register")
    assert response.status_code == 302
    page = client.get("/exercises").get_data(as_text=True)
    assert "Spring intake" in page
    with app.app_context():
        user = db.session().scalar(select(User).where(User.username == "trainee1"))
        assert user.role == Role.TRAINEE
        assert [c.name for c in user.cohorts] == ["Spring intake"]


@pytest.mark.parametrize(
    ("code", "message"),
    [("ZZZZ-ZZZZ-ZZZZ", "unknown or no longer accepted"), ("", "This field is required.")],
)
def test_registration_rejects_bad_codes(
    app: Flask, client: FlaskClient, factory: Factory, code: str, message: str
) -> None:
    factory.cohort()
    data = {"join_code": code, "username": "t1", "display_name": "T", "password": "x" * 12, "confirm": "x" * 12}
    response = post_form(client, "/register", data, page="/register")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_registration_with_closed_code_and_taken_username(app: Flask, client: FlaskClient, factory: Factory) -> None:
    cohort = factory.cohort()
    factory.user("taken")
    data = {
        "join_code": cohort.join_code,
        "username": "taken",
        "display_name": "T",
        "password": "x" * 12,
        "confirm": "x" * 12,
    }
    response = post_form(client, "/register", data, page="/register")
    assert "This username is taken" in response.get_data(as_text=True)
    with app.app_context():
        from app.models import Cohort

        db.session().get(Cohort, cohort.id).join_enabled = False
        db.session().commit()
    data["username"] = "fresh"
    response = post_form(client, "/register", data, page="/register")
    assert "unknown or no longer accepted" in response.get_data(as_text=True)
    assert count_users(app) == 1


def test_change_password_ends_other_sessions(app: Flask, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    first, second = app.test_client(), app.test_client()
    login(first, "grace")
    login(second, "grace")
    data = {"current_password": PASSWORD, "password": "a brand new password", "confirm": "a brand new password"}
    response = post_form(first, "/account/password", data, page="/account/password")
    assert response.status_code == 302
    assert first.get("/instructor/").status_code == 200
    assert second.get("/instructor/").status_code == 302
    assert login(app.test_client(), "grace", "a brand new password").status_code == 302


def test_change_password_needs_the_current_one(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    login(client, "grace")
    data = {"current_password": "not it at all", "password": "a brand new password", "confirm": "a brand new password"}
    response = post_form(client, "/account/password", data, page="/account/password")
    assert "The current password is wrong." in response.get_data(as_text=True)


def test_an_unknown_username_takes_as_long_to_refuse_as_a_wrong_password(app: Flask, factory: Factory) -> None:
    """The code path that checks the password runs for unknown usernames too (no timing oracle)."""
    factory.user("grace", Role.INSTRUCTOR)

    def median_seconds(username: str) -> float:
        timings = []
        with app.app_context():
            for _ in range(7):
                started = time.perf_counter()
                assert accounts.authenticate(db.session(), username, "a wrong password") is None
                timings.append(time.perf_counter() - started)
        return statistics.median(timings)

    known, unknown = median_seconds("grace"), median_seconds("nobody-here")
    # One Argon2 check is tens of milliseconds; skipping it is a thousandth of that.
    assert unknown > known / 2, (known, unknown)
