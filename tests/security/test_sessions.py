"""Sessions and logins: no fixation, old sessions end, password guessing is throttled."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, csrf_token, login, post_form
from tests.security.conftest import World


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str) -> FlaskClient:
    """A new client (an attacker's browser) carrying a copied session cookie."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def test_the_session_set_before_login_is_not_the_one_after(world: World) -> None:
    client = world.app.test_client()
    csrf_token(client)  # the login page puts a CSRF token in a fresh session
    planted = session_cookie(client)
    assert login(client, "trainee").status_code == 302
    assert session_cookie(client) != planted
    # Whoever holds the pre-login cookie is still anonymous.
    assert replay(world.app, planted).get("/exercises").status_code == 302


def test_a_copied_session_stops_working_after_logout(world: World) -> None:
    client = world.client("trainee")
    stolen = session_cookie(client)
    assert replay(world.app, stolen).get("/exercises").status_code == 200  # the copy works while logged in
    assert post_form(client, "/logout", {}, page="/exercises").status_code == 302
    assert replay(world.app, stolen).get("/exercises").status_code == 302
    assert replay(world.app, stolen).get(f"/api/attempts/{world.ids['attempt']}/flags").status_code == 401


def test_a_copied_session_stops_working_after_a_password_change(world: World) -> None:
    client = world.client("trainee")
    stolen = session_cookie(client)
    data = {"current_password": PASSWORD, "password": "a whole new passphrase", "confirm": "a whole new passphrase"}
    assert post_form(client, "/account/password", data, page="/account/password").status_code == 302
    assert replay(world.app, stolen).get("/exercises").status_code == 302
    assert client.get("/exercises").status_code == 200  # the session that changed it goes on


def guess(app: Flask, username: str, address: str, password: str = "a wrong guess") -> int:
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"Accept": "application/json"},
    )
    return response.status_code


def test_guessing_one_account_locks_that_address_out_not_the_owner(world: World) -> None:
    statuses = [guess(world.app, "trainee", "10.0.0.1") for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # The guessing address is locked out of the account even with the right password ...
    assert guess(world.app, "trainee", "10.0.0.1", PASSWORD) == 429
    # ... while the owner, from their own address, still gets in: nobody can lock an account out.
    assert guess(world.app, "trainee", "10.0.1.1", PASSWORD) == 302
    # Guesses spread over addresses count per address: each is stopped after five.
    assert [guess(world.app, "trainee", "10.0.2.1") for _ in range(6)] == [200] * 5 + [429]


def test_guessing_many_accounts_from_one_address_is_throttled(world: World) -> None:
    world.app.config["LOGIN_RATE_PER_ADDRESS"] = "4 per minute"
    statuses = [guess(world.app, f"user{n}", "10.9.9.9") for n in range(5)]
    assert statuses == [200] * 4 + [429]
    assert guess(world.app, "trainee", "10.9.9.9", PASSWORD) == 429
    assert guess(world.app, "trainee", "10.9.9.10", PASSWORD) == 302
