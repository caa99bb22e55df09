"""The OpenAPI document: served, complete, and true to what the API answers."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask

from tests.app.trainee_desk import NBSP_TEXT, Desk, open_desk


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def conforms(document: dict[str, Any], name: str, instance: Any) -> bool:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema_rs.Draft7Validator(schema).is_valid(instance)


def test_every_api_route_is_documented_and_nothing_else(app: Flask, document: dict[str, Any]) -> None:
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method) for path, item in document["paths"].items() for method in item if method != "parameters"
    }
    assert served == documented


def test_schemathesis_loads_it(document: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8


def test_answers_match_the_schemas(app: Flask, factory: Any, document: dict[str, Any]) -> None:
    desk: Desk = open_desk(app, factory)
    created = desk.create(client_id="a500", quote=NBSP_TEXT, category="conflicting_number")
    assert conforms(document, "Change", created.get_json())
    assert conforms(document, "AttemptFlags", desk.api("GET", desk.flags_url).get_json())
    invalid = desk.create(client_id="bad id")
    assert invalid.status_code == 400 and conforms(document, "Error", invalid.get_json())
    assert conforms(document, "Change", desk.api("DELETE", f"{desk.flags_url}/a500").get_json())
    submitted = desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit")
    assert conforms(document, "Submission", submitted.get_json())
    assert conforms(document, "ScoreReport", desk.api("GET", f"/api/attempts/{desk.attempt_id}/report").get_json())
    assert not conforms(document, "Flag", {"client_id": "x"})


def test_the_documented_limits_are_the_enforced_ones(document: dict[str, Any]) -> None:
    from app.trainee import api_models, flag_requests

    new_flag = document["components"]["schemas"]["NewFlag"]["properties"]
    assert new_flag["note"]["maxLength"] == api_models.MAX_NOTE
    assert new_flag["prefix"]["maxLength"] == api_models.MAX_CONTEXT
    assert new_flag["quote"]["maxLength"] == api_models.MAX_QUOTE
    assert new_flag["links"]["maxItems"] == api_models.MAX_LINKS
    assert set(new_flag) == flag_requests.CREATE_FIELDS
    assert set(document["components"]["schemas"]["FlagChange"]["properties"]) == flag_requests.UPDATE_FIELDS
