"""The key stays hidden from a trainee until they submit: no page, API answer, export or static
file shows an explanation, and the debrief opens only after submission."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from exercises.loader import load_package
from tests.conftest import Factory, csrf_token, login
from tests.security.conftest import KEY_ONLY, World, routes, url_for_rule

SEED = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"
SEED_KEY_TEXT = "Compare every headline with the evidence beneath it"
"""From an explanation in the seed package's key.toml."""


def test_no_get_route_shows_the_key_to_a_trainee_before_submission(world: World) -> None:
    """Every GET route of the URL map, as the trainee with an attempt in progress."""
    client = world.client("trainee")
    seen = []
    for rule in routes(world.app, {"GET"}):
        url = url_for_rule(rule, world)
        response = client.get(url)
        body = response.get_data(as_text=True)
        seen.append((rule.endpoint, response.status_code, [text for text in KEY_ONLY if text in body]))
    assert [row for row in seen if row[2]] == []
    statuses = {endpoint: status for endpoint, status, _ in seen}
    # The ways to the key answer "not yet" or "not for you"; the workspace itself is open.
    assert statuses["trainee.workspace"] == 200
    assert statuses["trainee.debrief"] == 403
    assert statuses["api.report"] == 403
    for endpoint in (
        "authoring.export",
        "authoring.key_editor",
        "authoring.preview",
        "dashboard.export_flags_json",
        "dashboard.export_results",
    ):
        assert statuses[endpoint] == 403, endpoint


def test_the_key_shows_after_submission(world: World) -> None:
    """The control: the same checks find the key text once the trainee has submitted."""
    client = world.client("trainee")
    token = csrf_token(client, "/exercises")
    attempt = world.ids["attempt"]
    assert client.post(f"/api/attempts/{attempt}/submit", headers={"X-CSRFToken": token}).status_code == 200
    assert "Reported by whom?" in client.get(f"/attempts/{attempt}/debrief").get_data(as_text=True)
    assert "Reported by whom?" in client.get(f"/api/attempts/{attempt}/report").get_data(as_text=True)


STATIC_VARIANTS = [
    "/static/../exercises/deir-ez-zor-2018/key.toml",
    "/static/../../exercises/deir-ez-zor-2018/key.toml",
    "/static/%2e%2e/%2e%2e/exercises/deir-ez-zor-2018/key.toml",
    "/static/..%2f..%2fexercises%2fdeir-ez-zor-2018%2fkey.toml",
    "/static/%252e%252e/%252e%252e/exercises/deir-ez-zor-2018/key.toml",
    "/static/..%5c..%5cexercises%5cdeir-ez-zor-2018%5ckey.toml",
    "/static/....//....//exercises/deir-ez-zor-2018/key.toml",
    "/static/" + str(SEED / "key.toml"),
    "/static//" + str(SEED / "key.toml"),
    "/exercises/deir-ez-zor-2018/key.toml",
    "/deir-ez-zor-2018/key.toml",
    "/static/../tests/data/mini-exercise/key.toml",
]


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "trainee"])
def test_key_files_are_not_served_as_static_files(app: Flask, factory: Factory, anonymous: bool) -> None:
    assert SEED_KEY_TEXT in (SEED / "key.toml").read_text().replace("\\\n", "")
    client = app.test_client()
    if not anonymous:
        factory.user("trainee")
        login(client, "trainee")
    for path in STATIC_VARIANTS:
        response = client.get(path, follow_redirects=True)
        body = response.get_data(as_text=True).replace("\\\n", "")
        assert response.status_code in (400, 403, 404), path
        assert SEED_KEY_TEXT not in body and "explanation =" not in body, path


def test_the_seed_exercise_workspace_carries_no_key(app: Flask, factory: Factory) -> None:
    """The real exercise, loaded as in production: its workspace and attempt API hold no explanation."""
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort, package=SEED)
    explanations = [item.explanation.split(".")[0] for item in load_package(SEED).key if item.explanation]
    assert len(explanations) > 5
    factory.user("trainee", cohort=cohort)
    client = app.test_client()
    login(client, "trainee")
    token = csrf_token(client, "/exercises")
    workspace = client.post(f"/exercises/{exercise.id}/attempts", data={"csrf_token": token}, follow_redirects=True)
    assert workspace.status_code == 200
    attempt = workspace.request.path.rsplit("/", 1)[1]
    for body in (
        workspace.get_data(as_text=True),
        client.get(f"/api/attempts/{attempt}/flags").get_data(as_text=True),
        client.get(f"/attempts/{attempt}/submit").get_data(as_text=True),
        client.get("/exercises").get_data(as_text=True),
    ):
        assert [text for text in explanations if text in body] == []
