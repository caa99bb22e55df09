"""The JSON API the workspace saves through: flags of one attempt, submission and the report.

Described by ``openapi.json`` next to this module, served at ``/api/openapi.json``. Every
mutation needs the ``X-CSRFToken`` header, bumps the attempt's revision and answers with it, so a
second tab learns it is behind. Other trainees' attempts and flags are 404, never 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app import db
from app.access import PUBLIC, TRAINEE, access
from app.errors import error_response
from app.formatting import whole_score
from app.models import Attempt, Flag
from app.trainee import flags as attempts
from app.trainee.flags import AttemptClosed, InvalidFlag, Outcome

blueprint = Blueprint("api", __name__, url_prefix="/api")

MAX_BODY = 64 * 1024
"""Largest API request body in bytes; a flag with a long note is well under 4 KB."""


@blueprint.before_request
def _limit_body() -> None:
    if (request.content_length or 0) > MAX_BODY:
        abort(413)


@blueprint.errorhandler(InvalidFlag)
def _invalid(error: InvalidFlag) -> Response:
    db.rollback()
    return error_response(400, error.message, error.fields)


@blueprint.errorhandler(AttemptClosed)
def _closed(error: AttemptClosed) -> Response:
    db.rollback()
    return error_response(409, error.message)


def flag_json(flag: Flag) -> dict[str, Any]:
    """A flag as the API and the workspace page hand it to the browser (offsets in code points)."""
    return {
        "client_id": flag.client_id,
        "article": flag.article_ref,
        "start": flag.start,
        "end": flag.end,
        "quote": flag.quote,
        "category": flag.category,
        "note": flag.note,
        "links": sorted(target.client_id for target in flag.links),
    }


def attempt_json(attempt: Attempt, revision: int | None = None) -> dict[str, Any]:
    return {
        "attempt_id": attempt.id,
        "revision": attempt.revision if revision is None else revision,
        "submitted": attempt.submitted_at is not None,
        "flags": [flag_json(flag) for flag in attempt.flags],
    }


def _attempt(attempt_id: int, *, with_links: bool = True) -> Attempt:
    attempt = attempts.own_attempt(db.session(), current_user, attempt_id, with_links=with_links)
    if attempt is None:
        abort(404, "There is no such attempt.")
    return attempt


def _flag(attempt: Attempt, client_id: str) -> Flag:
    flag = attempts.find_flag(attempt, client_id)
    if flag is None:
        abort(404, "There is no such flag in this attempt.")
    return flag


def _json_body() -> object:
    if not request.is_json:
        raise InvalidFlag({}, "Send a JSON object with Content-Type: application/json.")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        abort(413)
    try:
        return current_app.json.loads(raw)
    except ValueError:
        raise InvalidFlag({}, "The body is not valid JSON.") from None


def _outcome(outcome: Outcome, status: int = 200) -> Response:
    body: dict[str, Any] = {"revision": outcome.revision, "changed": outcome.changed}
    if outcome.flag is not None:
        body["flag"] = flag_json(outcome.flag)
    response = jsonify(body)
    response.status_code = status
    return response


@blueprint.get("/openapi.json")
@access(PUBLIC)
def openapi() -> Response:
    """The OpenAPI document describing this API."""
    with blueprint.open_resource("openapi.json") as handle:
        return Response(handle.read(), mimetype="application/json")


@blueprint.get("/attempts/<int:attempt_id>/flags")
@access(TRAINEE)
def list_flags(attempt_id: int) -> Response:
    """The attempt's flags and revision."""
    attempt = _attempt(attempt_id)
    return jsonify(attempt_json(attempt, attempts.current_revision(db.session(), attempt)))


@blueprint.post("/attempts/<int:attempt_id>/flags")
@access(TRAINEE)
def create_flag(attempt_id: int) -> Response:
    """Add a flag: 201 when created, 200 when the client id was already saved (a replay)."""
    database = db.session()
    attempt = _attempt(attempt_id, with_links=False)
    new = attempts.parse_new_flag(_json_body(), attempt.exercise)
    outcome = attempts.create_flag(database, current_user, attempt, new)
    database.commit()
    return _outcome(outcome, 201 if outcome.changed else 200)


@blueprint.patch("/attempts/<int:attempt_id>/flags/<client_id>")
@access(TRAINEE)
def update_flag(attempt_id: int, client_id: str) -> Response:
    """Change a flag's category, note, links or span."""
    database = db.session()
    attempt = _attempt(attempt_id, with_links=False)
    flag = _flag(attempt, client_id)
    attempts.ensure_editable(database, current_user, attempt)
    change = attempts.parse_flag_change(_json_body(), attempt.exercise, flag)
    outcome = attempts.update_flag(database, current_user, attempt, flag, change)
    database.commit()
    return _outcome(outcome)


@blueprint.delete("/attempts/<int:attempt_id>/flags/<client_id>")
@access(TRAINEE)
def delete_flag(attempt_id: int, client_id: str) -> Response:
    """Remove a flag and the links to it."""
    database = db.session()
    attempt = _attempt(attempt_id, with_links=False)
    flag = _flag(attempt, client_id)
    outcome = attempts.delete_flag(database, current_user, attempt, flag)
    database.commit()
    return _outcome(outcome)


@blueprint.post("/attempts/<int:attempt_id>/submit")
@access(TRAINEE)
def submit(attempt_id: int) -> Response:
    """Make the attempt final and score it."""
    database = db.session()
    attempt = _attempt(attempt_id)
    score = attempts.submit(database, current_user, attempt)
    database.commit()
    return jsonify(
        {
            "attempt_id": attempt.id,
            "revision": attempts.current_revision(database, attempt),
            "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
            "score": score.score,
            "debrief_url": url_for("trainee.debrief", attempt_id=attempt.id),
        }
    )


@blueprint.get("/attempts/<int:attempt_id>/report")
@access(TRAINEE)
def report(attempt_id: int) -> Response:
    """The scoring report of a submitted attempt; 403 before submission, as it reveals the key."""
    database = db.session()
    attempt = _attempt(attempt_id)
    score = attempts.submitted_score(database, attempt)
    if score is None:
        abort(403, "The report opens once this attempt is submitted.")
    return jsonify(
        {
            "attempt_id": attempt.id,
            "key_version": score.key_version.number,
            "score": score.score,
            "score_shown": whole_score(score.score),
            "report": score.report,
        }
    )
