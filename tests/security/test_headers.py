"""Every response carries the CSP and the other security headers: every GET route of the URL map
as someone it lets in, errors, static files and the API."""

from __future__ import annotations

from werkzeug.test import TestResponse

from app.security import CONTENT_SECURITY_POLICY
from tests.security.conftest import World, routes, url_for_rule, user_for

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def missing(response: TestResponse) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name, value in EXPECTED.items() if response.headers.get(name) != value}


def test_the_policy_is_strict() -> None:
    """What the headers must say: no inline script or style, no framing, no plugins."""
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_every_get_route_as_its_user_carries_the_headers(world: World) -> None:
    clients = {}
    checked = []
    for rule in routes(world.app, {"GET"}):
        user = user_for(rule, world.app)
        client = clients.setdefault(user, world.client(user))
        url = url_for_rule(rule, world)
        if rule.endpoint == "dashboard.dashboard_flags_at":
            url += "?article=mini-a&at=70"
        with client.get(url) as response:
            checked.append((rule.endpoint, response.status_code, missing(response)))
    assert [row for row in checked if row[2]] == []
    # Most routes answered with their page (the rest: redirects, the report before submission,
    # /setup once accounts exist): the headers were checked on real pages.
    assert all(status < 500 for _, status, _ in checked), checked
    assert sum(status == 200 for _, status, _ in checked) >= 20, checked


def test_errors_static_files_and_redirects_carry_the_headers(world: World) -> None:
    client = world.client("trainee")
    token = world.token(client)
    responses = [
        client.get("/static/app.css"),
        client.get("/static/js/workspace.js"),
        client.get("/no-such-page"),
        client.get("/api/no-such-thing"),
        client.get("/instructor/"),  # 403
        world.app.test_client().get("/exercises"),  # 302 to log in
        world.app.test_client().get("/api/attempts/1/flags"),  # 401
        client.delete("/login"),  # 405
        client.post("/logout"),  # 400, no token
        client.post(
            f"/api/attempts/{world.ids['attempt']}/flags", data=b"x" * (3 * 1024 * 1024), headers={"X-CSRFToken": token}
        ),  # 413
    ]
    assert [(r.request.path, r.status_code, missing(r)) for r in responses if missing(r)] == []
    for response in responses:
        response.close()


def test_trainee_work_and_the_api_are_never_cached(world: World) -> None:
    """Pages with trainees' work, their exports and every API answer: Cache-Control: no-store."""
    trainee, instructor = world.client("trainee"), world.client("instructor")
    dashboard = f"/instructor/cohorts/{world.ids['cohort']}/exercises/{world.ids['exercise']}"
    responses = [
        trainee.get("/exercises"),
        trainee.get(f"/attempts/{world.ids['attempt']}"),
        trainee.get(f"/api/attempts/{world.ids['attempt']}/flags"),
        trainee.get("/api/no-such-thing"),
        world.app.test_client().get("/api/attempts/1/flags"),
        instructor.get(f"/instructor/cohorts/{world.ids['cohort']}"),
        instructor.get(dashboard + "/dashboard"),
        instructor.get(dashboard + f"/trainees/{world.ids['trainee']}"),
        instructor.get(dashboard + "/export/flags.csv"),
    ]
    assert [
        (r.request.path, r.headers.get("Cache-Control"))
        for r in responses
        if r.headers.get("Cache-Control") != "no-store"
    ] == []
    with trainee.get("/static/app.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"
