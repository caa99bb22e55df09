"""Headers, CSRF and error responses that every page shares."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Role
from tests.conftest import Factory, login

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@pytest.mark.parametrize(
    "path", ["/", "/login", "/register", "/setup", "/no-such-page", "/static/app.css", "/api/nothing"]
)
def test_every_response_carries_the_csp(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client: FlaskClient, factory: Factory) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    login(client, "grace")
    for path in ("/login", "/register", "/instructor/", "/account/password"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page, path


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_post_without_valid_csrf_token_is_400(
    app: Flask, client: FlaskClient, factory: Factory, token: str | None
) -> None:
    factory.user("grace", Role.INSTRUCTOR)
    login(client, "grace")
    data = {"name": "Sneaky"}
    if token:
        data["csrf_token"] = token
    response = client.post("/instructor/cohorts", data=data)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    json_response = client.post("/instructor/cohorts", json=data, headers={"Accept": "application/json"})
    assert json_response.status_code == 400
    assert "security token" in json_response.get_json()["error"]


def test_unknown_api_path_gets_json_404(client: FlaskClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.get_json() == {"error": "There is nothing here.", "status": 404}


def test_unknown_page_gets_html_404(client: FlaskClient) -> None:
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "There is nothing here." in response.get_data(as_text=True)


def test_wrong_method_is_405_not_500(client: FlaskClient) -> None:
    assert client.delete("/login").status_code == 405


def test_unexpected_error_is_a_friendly_500_and_rolls_back(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom-for-test", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert "Nothing you sent was half-saved" in response.get_json()["error"]


def test_oversized_request_is_413(client: FlaskClient, app: Flask) -> None:
    response = client.post("/login", data={"username": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413


def test_html_pages_are_served_as_html(client: FlaskClient, factory: Factory) -> None:
    cohort = factory.cohort()
    factory.user("grace", Role.INSTRUCTOR, teaches=cohort)
    login(client, "grace")
    for path in ("/instructor/", f"/instructor/cohorts/{cohort.id}", "/account/password"):
        assert client.get(path).mimetype == "text/html", path
    assert client.post("/instructor/cohorts", data={}).mimetype == "text/html"


def test_form_fields_carry_no_empty_attributes(client: FlaskClient) -> None:
    page = client.get("/register").get_data(as_text=True)
    assert '="None"' not in page
    assert 'autocomplete="username"' in page
    assert 'aria-describedby="username-help"' in page
