"""The admin registers a platform on a form, sees what to paste into the LMS, and rotates the tool's keys."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import db
from app.models import LtiPlatform, LtiToolKey, Role
from tests.conftest import Factory, csrf_token, login

VALID = {
    "name": "Moodle, main campus",
    "issuer": "https://moodle.example.edu",
    "client_id": "aBcD1234",
    "deployment_ids": "1\n 7 \n\n1",
    "auth_login_url": "https://moodle.example.edu/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.edu/mod/lti/token.php",
    "key_set_url": "https://moodle.example.edu/mod/lti/certs.php",
    "roster_sync": "y",
}
TOOL_URLS = (
    "http://localhost/lti/login",
    "http://localhost/lti/launch",
    "http://localhost/lti/jwks",
    "http://localhost/lti/deep-link",
)


@pytest.fixture
def admin(app: Flask, factory: Factory) -> FlaskClient:
    factory.user("admin", Role.ADMIN)
    client = app.test_client()
    login(client, "admin")
    return client


def test_registering_a_platform_shows_what_to_paste_into_the_lms(app: Flask, admin: FlaskClient) -> None:
    page = admin.get("/lti/platforms").get_data(as_text=True)
    assert all(url in page for url in TOOL_URLS)
    response = admin.post(
        "/lti/platforms", data={**VALID, "csrf_token": csrf_token(admin, "/lti/platforms")}, follow_redirects=True
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Platform Moodle, main campus registered" in text
    assert all(url in text for url in TOOL_URLS)
    assert "https://moodle.example.edu/mod/lti/certs.php" in text
    with app.app_context():
        platform = db.session().scalar(select(LtiPlatform))
        assert (platform.issuer, platform.client_id, platform.roster_sync) == (
            "https://moodle.example.edu",
            "aBcD1234",
            True,
        )
        assert [row.deployment_id for row in platform.deployments] == ["1", "7"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"auth_login_url": "moodle.example.edu/auth"}, "Enter a full URL"),
        ({"client_id": ""}, "This field is required."),
        ({"deployment_ids": " \n "}, "This field is required."),
    ],
)
def test_a_bad_registration_says_what_is_wrong(app: Flask, admin: FlaskClient, change: dict, message: str) -> None:
    response = admin.post("/lti/platforms", data={**VALID, **change, "csrf_token": csrf_token(admin, "/lti/platforms")})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(LtiPlatform)) is None


def test_the_same_issuer_and_client_cannot_be_registered_twice(admin: FlaskClient) -> None:
    token = csrf_token(admin, "/lti/platforms")
    assert admin.post("/lti/platforms", data={**VALID, "csrf_token": token}).status_code == 302
    again = admin.post("/lti/platforms", data={**VALID, "name": "Again", "csrf_token": token})
    assert again.status_code == 400 and "registered already" in again.get_data(as_text=True)


def test_rotating_keeps_the_old_key_published_until_it_is_removed(app: Flask, admin: FlaskClient) -> None:
    first = admin.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first[0]["alg"] == "RS256" and first[0]["use"] == "sig"
    token = csrf_token(admin, "/lti/platforms")
    assert admin.post("/lti/keys/rotate", data={"csrf_token": token}).status_code == 302
    second = admin.get("/lti/jwks").get_json()["keys"]
    assert [key["kid"] for key in second][1:] == [first[0]["kid"]] and second[0]["kid"] != first[0]["kid"]
    with app.app_context():
        old, new = db.session().scalars(select(LtiToolKey).order_by(LtiToolKey.id))
        old_id, new_id = old.id, new.id
    refused = admin.post(f"/lti/keys/{new_id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409 and "rotate to a new key" in refused.get_data(as_text=True)
    assert admin.post(f"/lti/keys/{old_id}/delete", data={"csrf_token": token}).status_code == 302
    assert [key["kid"] for key in admin.get("/lti/jwks").get_json()["keys"]] == [second[0]["kid"]]
