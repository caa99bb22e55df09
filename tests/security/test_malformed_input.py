"""Malformed requests to the trainee's flag API and forms: each is a 4xx JSON error that says what
is wrong, and the attempt's flags and revision stay as they were."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.app.trainee_desk import flag_body
from tests.security.conftest import OWN_NOTE, World

TEN_MB = 10 * 1024 * 1024


@dataclass(frozen=True)
class Call:
    """One malformed request, its status and a piece of the message (error or a field's)."""

    send: Callable[[FlaskClient, str, Flask, int], TestResponse]
    status: int
    message: str


def create(change: dict[str, Any] | None = None, drop: str | None = None) -> Callable[..., TestResponse]:
    def send(client: FlaskClient, token: str, app: Flask, attempt: int) -> TestResponse:
        body = {**flag_body(app, client_id="new-1"), **(change or {})}
        body.pop(drop, None)
        return client.post(f"/api/attempts/{attempt}/flags", json=body, headers={"X-CSRFToken": token})

    return send


def patch(body: Any, client_id: str = "flag-1") -> Callable[..., TestResponse]:
    def send(client: FlaskClient, token: str, app: Flask, attempt: int) -> TestResponse:
        return client.patch(f"/api/attempts/{attempt}/flags/{client_id}", json=body, headers={"X-CSRFToken": token})

    return send


def raw(
    data: bytes | str, content_type: str | None = "application/json", method: str = "POST", path: str = "/flags"
) -> Callable[..., TestResponse]:
    def send(client: FlaskClient, token: str, app: Flask, attempt: int) -> TestResponse:
        headers = {"X-CSRFToken": token}
        if content_type:
            headers["Content-Type"] = content_type
        return client.open(f"/api/attempts/{attempt}{path}", method=method, data=data, headers=headers)

    return send


def form(data: dict[str, str], path: str = "/flags") -> Callable[..., TestResponse]:
    """The no-JavaScript quote form, asking for JSON errors."""

    def send(client: FlaskClient, token: str, app: Flask, attempt: int) -> TestResponse:
        return client.post(
            f"/attempts/{attempt}{path}", data={"csrf_token": token, **data}, headers={"Accept": "application/json"}
        )

    return send


NESTED = "[" * 20_000 + "]" * 20_000
"""40 KB, under the API's 64 KB limit, but deeper than the JSON decoder can recurse."""

CASES: dict[str, Call] = {
    # Offsets out of range and reversed spans.
    "end past the text": Call(create({"start": 0, "end": 10**6}), 400, "end is past the end of the article"),
    "offset beyond any integer column": Call(create({"start": 2**70, "end": 2**70 + 1}), 400, "end is past the end"),
    "negative start": Call(create({"start": -5}), 400, "start must not be negative"),
    "reversed span": Call(create({"start": 78, "end": 68}), 400, "end must be greater than start"),
    "reversed span on update": Call(
        patch({"start": 78, "end": 68, "quote": "reportedly"}), 400, "end must be greater than start"
    ),
    "span on update past the text": Call(patch({"start": 0, "end": 10**9, "quote": "reportedly"}), 400, "past the end"),
    # Huge notes.
    "huge note": Call(create({"note": "n" * 60_000}), 400, "note is too long"),
    "huge note on update": Call(patch({"note": "n" * 5_000}), 400, "note is too long"),
    "huge quote": Call(create({"quote": "q" * 50_000}), 400, "quote is too long"),
    # Wrong types.
    "start as text": Call(create({"start": "68"}), 400, "start must be a whole number"),
    "end as a list": Call(create({"end": [78]}), 400, "end must be a whole number"),
    "NaN offsets": Call(
        raw(
            '{"client_id": "n1", "article": "mini-a", "quote": "reportedly", "category": "unverified", "start": NaN, "end": Infinity}'
        ),
        400,
        "start must be a whole number",
    ),
    "quote as an object": Call(create({"quote": {"text": "reportedly"}}), 400, "quote must be text"),
    "category as a number": Call(create({"category": 5}), 400, "Unknown category 5"),
    "note as a number": Call(patch({"note": 7}), 400, "note must be text"),
    "links as an object": Call(create({"links": {"a": 1}}), 400, "links must be a list"),
    "client id as a number": Call(create({"client_id": 12}), 400, "client_id must be 1-64"),
    "missing quote": Call(create(drop="quote"), 400, "quote is required"),
    "body is a list": Call(raw("[1, 2]"), 400, "The body must be a JSON object."),
    "body is a string": Call(raw('"flag"'), 400, "The body must be a JSON object."),
    "update body is null": Call(
        raw("null", method="PATCH", path="/flags/flag-1"), 400, "The body must be a JSON object."
    ),
    "a number with 5000 digits": Call(raw('{"start": ' + "9" * 5000 + "}"), 400, "The body is not valid JSON."),
    # Unknown article and fields.
    "unknown article": Call(create({"article": "../key"}), 400, "Unknown article '../key'"),
    "article moved on update": Call(patch({"article": "mini-b"}), 400, "Unknown field."),
    "unknown field": Call(create({"is_key": True}), 400, "Unknown field."),
    # Duplicate ids: a replayed client id with different content.
    "client id replayed with another quote": Call(
        create({"client_id": "flag-1", "quote": "four hours", "category": "conflicting_number"}),
        400,
        "already used by a different flag",
    ),
    "client id replayed with another note": Call(
        create({"client_id": "flag-1", "note": "changed by a replay"}), 400, "already used by a different flag"
    ),
    # Invalid UTF-8, other content types, null bytes, lone surrogates.
    "invalid UTF-8": Call(raw(b'{"client_id": "x\xff\xfe", "note": "\xc3\x28"}'), 400, "The body is not valid JSON."),
    "invalid UTF-8 on update": Call(
        raw(b'{"note": "\xff"}', method="PATCH", path="/flags/flag-1"), 400, "The body is not valid JSON."
    ),
    "text/plain": Call(
        raw(json.dumps({"client_id": "p1"}), "text/plain"),
        400,
        "Send a JSON object with Content-Type: application/json.",
    ),
    "form encoded": Call(raw("client_id=p1&start=1", "application/x-www-form-urlencoded"), 400, "Send a JSON object"),
    "multipart": Call(
        raw(
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n', "multipart/form-data; boundary=b"
        ),
        400,
        "Send a JSON object",
    ),
    "xml": Call(raw("<flag/>", "application/xml"), 400, "Send a JSON object"),
    "no content type": Call(raw(b"{}", None), 400, "Send a JSON object"),
    "null byte in the note": Call(create({"note": "a\x00b"}), 400, "note must not contain a null character"),
    "null byte in the quote": Call(create({"quote": "reported\x00ly"}), 400, "quote must not contain a null character"),
    "null byte in a client id": Call(create({"client_id": "c\x00"}), 400, "client_id must be 1-64"),
    "null byte in an update": Call(patch({"note": "\x00"}), 400, "note must not contain a null character"),
    "null byte in the quote form": Call(
        form({"article": "mini-a", "quote": "reportedly", "category": "unverified", "note": "a\x00b"}),
        400,
        "contains a null character",
    ),
    "lone surrogate in the note": Call(
        raw(b'{"note": "\\ud800"}', method="PATCH", path="/flags/flag-1"), 400, "lone surrogate"
    ),
    # Deeply nested JSON and 10 MB bodies.
    "deeply nested JSON": Call(raw(NESTED), 400, "The body is not valid JSON."),
    "deeply nested JSON in an update": Call(
        raw(NESTED, method="PATCH", path="/flags/flag-1"), 400, "The body is not valid JSON."
    ),
    "10 MB of JSON": Call(raw(b"[" + b"0," * (TEN_MB // 2) + b"0]"), 413, "The request is too large."),
    "10 MB update": Call(raw(b"x" * TEN_MB, method="PATCH", path="/flags/flag-1"), 413, "The request is too large."),
    "10 MB as a form": Call(
        raw(b"a=" + b"x" * TEN_MB, "application/x-www-form-urlencoded"), 413, "The request is too large."
    ),
    "10 MB to the quote form": Call(
        form({"article": "mini-a", "quote": "x" * TEN_MB, "category": "unverified"}), 413, "The request is too large."
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_request_is_a_4xx_json_error_and_changes_nothing(world: World, name: str) -> None:
    call = CASES[name]
    client = world.client("trainee")
    token = world.token(client)
    before = (world.flag_notes(), world.revision())
    response = call.send(client, token, world.app, world.ids["attempt"])
    assert response.status_code == call.status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert payload["status"] == call.status
    messages = [payload["error"], *(text for texts in payload.get("fields", {}).values() for text in texts)]
    assert any(call.message in message for message in messages), messages
    assert (world.flag_notes(), world.revision()) == before


def test_an_identical_replay_is_still_accepted(world: World) -> None:
    """The control for the duplicate-id cases: the same content again is a 200, not an error."""
    client = world.client("trainee")
    token = world.token(client)
    body = {**flag_body(world.app, client_id="flag-1"), "note": OWN_NOTE}
    response = client.post(f"/api/attempts/{world.ids['attempt']}/flags", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["changed"] is False
    assert world.revision() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/{huge}",
        "/attempts/{huge}/debrief",
        "/api/attempts/{huge}/flags",
        "/api/attempts/{huge}/report",
        "/instructor/cohorts/{huge}",
        "/instructor/exercises/{huge}",
    ],
)
def test_ids_past_the_integer_range_are_404(world: World, path: str) -> None:
    # Without IdConverter these reach the database: OverflowError on SQLite, a DataError on PostgreSQL.
    world.app.config["PROPAGATE_EXCEPTIONS"] = False
    user = "trainee" if "attempts" in path else "instructor"
    response = world.client(user).get(path.format(huge=2**63))
    assert response.status_code == 404


@pytest.mark.parametrize("at", [str(2**63), "-1", "x", "1e3"])
def test_a_heatmap_offset_out_of_range_is_400(world: World, at: str) -> None:
    # 2**63 was a 500 (OverflowError binding the offset) before the range check.
    world.app.config["PROPAGATE_EXCEPTIONS"] = False
    base = "/instructor/cohorts/{cohort}/exercises/{exercise}".format(**world.ids)
    response = world.client("instructor").get(
        f"{base}/dashboard/flags?article=mini-a&at={at}", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "offset of the hot spot" in response.get_json()["error"]
