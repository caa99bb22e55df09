"""Schemathesis over every operation of /api/openapi.json, as a trainee with an attempt in progress.

Each operation gets a fresh app; cases are generated from the document (valid and invalid), then
steered towards the real attempt, real flag ids, real spans and real confidences so they reach past the 404s and the
re-anchoring. Checks: no 5xx, status codes, content types and bodies as documented, and a refused
request (4xx) changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete, select, update

from app import db
from app.models import Attempt, Exercise, Flag, Score
from app.trainee import api
from scoring.calibration import CONFIDENCE_LEVELS
from tests.app.trainee_desk import Desk, open_desk
from tests.conftest import Factory


def api_operation_ids() -> list[str]:
    """The operation ids of the document: the API's endpoint names (read from a bare app, no database)."""
    bare = Flask(__name__)
    bare.register_blueprint(api.blueprint)
    return sorted(rule.endpoint.removeprefix("api.") for rule in bare.url_map.iter_rules() if rule.endpoint != "static")


OPERATION_IDS = api_operation_ids()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 50
"""Per operation and mode; all seven operations run in about 30 s. It found the 500 on ids past the INTEGER range."""


def state(app: Flask, attempt_id: int) -> tuple[int, Any, list[tuple[Any, ...]]]:
    """What a refused request must leave alone: the revision, submission and every flag field."""
    with app.app_context():
        session = db.session()
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        flags = [
            (
                flag.client_id,
                flag.article_ref,
                flag.start,
                flag.end,
                flag.quote,
                flag.category,
                flag.note,
                sorted(t.client_id for t in flag.links),
                flag.confidence,
            )
            for flag in session.scalars(select(Flag).where(Flag.attempt_id == attempt_id).order_by(Flag.id))
        ]
        return attempt.revision, attempt.submitted_at, flags


def reopen(app: Flask, attempt_id: int) -> None:
    """Undo a fuzzed submit, so later examples still reach the flag code instead of a 409."""
    with app.app_context():
        session = db.session()
        session.execute(delete(Score).where(Score.attempt_id == attempt_id))
        session.execute(update(Attempt).where(Attempt.id == attempt_id).values(submitted_at=None))
        session.commit()


def texts(app: Flask, exercise_id: int) -> tuple[dict[str, str], list[str]]:
    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        assert exercise is not None
        return {a.ref: a.text for a in exercise.articles}, exercise.category_ids


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_fuzz_operation(app: Flask, factory: Factory, operation_id: str) -> None:
    desk: Desk = open_desk(app, factory)
    # Two flags to aim at (one a conflicting number, so links can be valid).
    assert desk.create(client_id="seed-a", quote="reportedly").status_code == 201
    assert (
        desk.create(client_id="seed-b", article="mini-b", quote="550 men", category="conflicting_number").status_code
        == 201
    )
    articles, categories = texts(app, desk.exercise_id)
    with app.app_context():
        # The exercise asks for confidence, so the documented confidence values are accepted.
        session = db.session()
        session.execute(update(Exercise).where(Exercise.id == desk.exercise_id).values(asks_confidence=True))
        session.commit()
    submitted = operation_id == "report"
    if submitted:
        # The report exists only after submission (before it is a 403, covered in test_key_secrecy).
        assert desk.api("POST", f"/api/attempts/{desk.attempt_id}/submit").status_code == 200

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operation = schema.find_operation_by_id(operation_id)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    seen: dict[int, int] = {}
    # The document names the session cookie as the API key, so schemathesis may generate one and
    # then delete it from the client after the call: pass the real one explicitly every time.
    cookie = desk.client.get_cookie("session")
    assert cookie is not None
    auth = {"session": cookie.value}
    # Flask-Login's strong session protection ties the session to the user agent that logged in.
    # The WSGI test client does not decode compressed bodies (app.compression): ask for plain ones.
    headers = {
        "X-CSRFToken": desk.token,
        "User-Agent": desk.client.environ_base["HTTP_USER_AGENT"],
        "Accept-Encoding": "identity",
    }

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        if "attempt_id" in (case.path_parameters or {}) and data.draw(st.integers(0, 9), label="own attempt") > 0:
            case.path_parameters["attempt_id"] = desk.attempt_id
        if "client_id" in (case.path_parameters or {}) and data.draw(st.booleans(), label="real flag"):
            case.path_parameters["client_id"] = data.draw(st.sampled_from(["seed-a", "seed-b"]))
        if isinstance(case.body, dict) and data.draw(st.integers(0, 3), label="real span") > 0:
            # Keep the fuzzed note, links, prefix... but make the span one the text really has.
            ref = data.draw(st.sampled_from(sorted(articles)))
            text = articles[ref]
            start = data.draw(st.integers(0, len(text) - 1))
            end = data.draw(st.integers(start + 1, len(text)))
            case.body.update(
                start=start, end=end, quote=text[start:end], category=data.draw(st.sampled_from(categories))
            )
            if operation_id == "create_flag":
                case.body["article"] = ref
            if "confidence" in case.body:
                case.body["confidence"] = data.draw(st.sampled_from([None, *CONFIDENCE_LEVELS]))
            if "links" in case.body and data.draw(st.booleans(), label="no links"):
                case.body["links"] = []
        before = state(app, desk.attempt_id)
        response = case.call(session=desk.client, headers=headers, cookies=auth)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert state(app, desk.attempt_id) == before, f"{response.status_code} but the attempt changed"
        if not submitted and state(app, desk.attempt_id)[1] is not None:
            reopen(app, desk.attempt_id)

    run()
    # The steering works: every operation answered at least once with a success.
    assert any(status < 300 for status in seen), seen
