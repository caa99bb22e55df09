"""Every state-changing route, found in the URL map, refuses a missing or wrong CSRF token with 400.

Driven by the URL map, so a route added later is covered without a new row. Checked by hand
that with ``WTF_CSRF_ENABLED = False`` every case fails (the views answer 200/302/400 without the
"security token" message).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.lti import CSRF_EXEMPT
from tests.security.conftest import World, routes, url_for_rule, user_for

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def send(client: FlaskClient, method: str, url: str, token: str | None) -> TestResponse:
    """A form post with ``token`` as the form field, and (for the JSON API) the header."""
    headers = {"Accept": "application/json"}
    if url.startswith("/api/"):
        if token is not None:
            headers["X-CSRFToken"] = token
        return client.open(url, method=method, json={"note": "csrf"}, headers=headers)
    data = {"name": "csrf", "note": "csrf"}
    if token is not None:
        data["csrf_token"] = token
    return client.open(url, method=method, data=data, headers=headers)


@pytest.mark.parametrize("variant", ["missing", "forged", "another session's"])
def test_every_state_changing_route_refuses_a_bad_csrf_token(app: Flask, world: World, variant: str) -> None:
    token = {
        "missing": None,
        "forged": "IjVmYzQ1ZDM1In0.ZmFrZQ.forged-signature",
        # Validly signed, but for someone else's session: must not pass here.
        "another session's": world.token(world.client("other_trainee")),
    }[variant]
    clients: dict[str | None, FlaskClient] = {}
    checked, failures = [], []
    before = world.flag_notes(), world.revision()
    for rule in routes(app, MUTATING):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        user = user_for(rule, app)
        client = clients.setdefault(user, world.client(user))
        for method in sorted(rule.methods & MUTATING):
            response = send(client, method, url_for_rule(rule, world), token)
            checked.append(rule.endpoint)
            body = response.get_json(silent=True) or {}
            if response.status_code != 400 or "security token" not in body.get("error", ""):
                failures.append((rule.endpoint, method, response.status_code))
    assert failures == []
    assert len(checked) >= 20 and "api.create_flag" in checked
    assert (world.flag_notes(), world.revision()) == before


def test_logout_without_a_token_keeps_the_session(world: World) -> None:
    client = world.client("trainee")
    assert client.post("/logout").status_code == 400
    assert client.get("/exercises").status_code == 200


def test_only_the_lms_endpoints_are_exempt_and_they_refuse_a_post_without_a_launch(app: Flask, world: World) -> None:
    """The LMS posts these cross-site with no token; without state, nonce and signature nothing happens."""
    exempt = sorted(rule.endpoint for rule in routes(app, MUTATING) if rule.endpoint in CSRF_EXEMPT)
    assert exempt == ["lti.deep_link", "lti.launch", "lti.login"]
    client = world.client("trainee")
    before = world.flag_notes(), world.revision()
    for url in ("/lti/launch", "/lti/deep-link"):
        response = client.post(url, data={"id_token": "x.y.z", "state": "state-forged"})
        assert response.status_code == 400
        assert "the state check failed" in response.get_data(as_text=True)
    response = client.post("/lti/login", data={"iss": "https://attacker.example", "login_hint": "1"})
    assert response.status_code == 400 and "login initiation check failed" in response.get_data(as_text=True)
    assert (world.flag_notes(), world.revision()) == before
    assert client.get("/exercises").status_code == 200
