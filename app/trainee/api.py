"""The JSON API the workspace saves through: flags of one attempt, submission and the report.

Its OpenAPI document, served at ``/api/openapi.json``, is generated from these routes and the
models in ``api_models`` (see ``openapi``). Every
mutation needs the ``X-CSRFToken`` header, bumps the attempt's revision and answers with it, so a
second tab learns it is behind. Other trainees' attempts and flags are 404, never 403.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from flask_login import current_user
from pydantic import BaseModel
from werkzeug.wrappers import Response

from app import db, feedback, judgement
from app.access import PUBLIC, TRAINEE, access
from app.deadlines import as_utc, now
from app.errors import error_response
from app.formatting import whole_score
from app.models import Attempt, FeedbackTarget, Flag
from app.trainee import api_models, attempts, cohort_view, flags, openapi, progress, standing, submission
from app.trainee.api_models import (
    AttemptFlags,
    Calibration,
    Change,
    CohortArticle,
    CohortFlag,
    CohortSegment,
    CohortView,
    Discernment,
    Error,
    InstructorComment,
    Progress,
    ProgressCategory,
    ProgressExercise,
    ProgressSubmission,
    ScoreReport,
    Submission,
)
from app.trainee.attempts import AttemptClosed
from app.trainee.flag_requests import CheckedFlag, InvalidFlag, parse_flag_change, parse_new_flag
from app.trainee.flags import Outcome
from app.trainee.open_exercises import submitted_score
from scoring.report import report_from_dict
from scoring.types import KeyItem

blueprint = Blueprint("api", __name__, url_prefix="/api")

MAX_BODY = 64 * 1024
"""Largest API request body in bytes; a flag with a long note is well under 4 KB."""

INFO = {
    "title": "Crosscheck trainee API",
    "version": "1.0.0",
    "description": (
        "What the trainee workspace saves through. Offsets are code points (Python string indices) into the "
        "article text as stored, end exclusive; browsers count UTF-16 units and convert. The server re-anchors "
        "each span with the quote, prefix and suffix and stores the quote as it appears in the text.\n\n"
        "Authentication is the session cookie of a logged-in trainee. Every POST, PATCH and DELETE needs the "
        "`X-CSRFToken` header (the token is in the `csrf-token` meta tag of every page). Each change bumps the "
        "attempt's `revision`; a client that sees a revision it did not expect knows another tab changed the attempt."
    ),
}
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
}
PATH_PARAMETERS = {"attempt_id": api_models.AttemptId, "client_id": api_models.FlagClientId}
READ_ERRORS = {
    401: ("Not logged in.", Error),
    403: ("Logged in, but not as a trainee.", Error),
    404: ("No such attempt or flag among yours (other people's look the same).", Error),
}
CHANGE_ERRORS = {
    **READ_ERRORS,
    400: (
        (
            "Invalid input, malformed JSON or a missing/invalid X-CSRFToken header; `fields` has a message per bad "
            "field. Nothing was changed."
        ),
        Error,
    ),
    409: ("The attempt was submitted (a submission is final) or its exercise is closed.", Error),
    413: ("The body is larger than 64 KB.", Error),
}


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


def _flag_model(flag: Flag | CheckedFlag) -> api_models.Flag:
    if isinstance(flag, CheckedFlag):
        # Just added as checked: what was stored, without reading it back.
        article, links = flag.article, flag.links
    else:
        article, links = flag.article_ref, [target.client_id for target in flag.links]
    return api_models.Flag(
        client_id=flag.client_id,
        article=article,
        start=flag.start,
        end=flag.end,
        quote=flag.quote,
        category=flag.category,
        note=flag.note,
        links=sorted(links),
        confidence=flag.confidence,
    )


def flag_json(flag: Flag) -> dict[str, Any]:
    """A flag as the API and the workspace page hand it to the browser (offsets in code points)."""
    return _flag_model(flag).model_dump()


def _body(model: BaseModel, status: int = 200) -> Response:
    """``model`` as the JSON answer, leaving out fields that are absent (None)."""
    response = jsonify(model.model_dump(exclude_none=True))
    response.status_code = status
    return response


def _attempt(
    attempt_id: int, *, with_flags: bool = True, with_links: bool = True, only_flags: set[str] | None = None
) -> Attempt:
    attempt = attempts.own_attempt(
        db.session(), current_user, attempt_id, with_flags=with_flags, with_links=with_links, only_flags=only_flags
    )
    if attempt is None:
        abort(404, "There is no such attempt.")
    return attempt


def _claimed(attempt_id: int, change: Callable[[standing.Claim], Outcome | None]) -> Outcome | None:
    """``change`` made on the attempt claimed for it in one statement (``standing.claim``); None,
    with nothing changed, when the attempt cannot change or ``change`` does not apply. The caller
    then reads the attempt as before, which gives the exact answer (404, 409, a replay's 200)."""
    claim = standing.claim(db.session(), current_user, attempt_id)
    if claim is None:
        return None
    outcome = change(claim)
    if outcome is None:
        db.rollback()
    return outcome


def _change_claimed(claim: standing.Claim, client_id: str) -> Outcome | None:
    """Change the flag on an attempt claimed for it; None when the attempt has no such flag."""
    database = db.session()
    named = flags.named_flags(database, claim, _named_flags(client_id))
    flag = flags.find_flag(named, client_id)
    if flag is None:
        return None
    change = parse_flag_change(_json_body(), standing.texts_of(database, claim), flag)
    return flags.change_flag(database, claim, named, flag, change)


def _flag(attempt: Attempt, client_id: str) -> Flag:
    flag = flags.find_flag(attempt.flags, client_id)
    if flag is None:
        abort(404, "There is no such flag in this attempt.")
    return flag


def _named_flags(*client_ids: str) -> set[str]:
    """The client ids a change names: ``client_ids`` and the body's, read leniently (the body is
    checked when parsed). Only these flags need loading."""
    body = request.get_json(silent=True)
    named = set(client_ids)
    if isinstance(body, dict):
        if isinstance(body.get("client_id"), str):
            named.add(body["client_id"])
        if isinstance(body.get("links"), list):
            named.update(link for link in body["links"][: api_models.MAX_LINKS + 1] if isinstance(link, str))
    return named


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
    flag = _flag_model(outcome.flag) if outcome.flag is not None else None
    return _body(Change(revision=outcome.revision, changed=outcome.changed, flag=flag), status)


@blueprint.get("/openapi.json", endpoint="openapi")
@access(PUBLIC)
@openapi.documented({200: ("The OpenAPI document.", api_models.OpenApiDocument)}, security=())
def openapi_document() -> Response:
    """This document, generated from the routes and models of the API."""
    document = openapi.generate(
        current_app,
        blueprint.name,
        info=INFO,
        parameters=PATH_PARAMETERS,
        security_schemes=SECURITY_SCHEMES,
    )
    return jsonify(document)


@blueprint.get("/attempts/<int:attempt_id>/flags")
@access(TRAINEE)
@openapi.documented({200: ("The flags.", AttemptFlags), **READ_ERRORS}, security=("session",))
def list_flags(attempt_id: int) -> Response:
    """The attempt's flags and revision."""
    attempt = _attempt(attempt_id)
    return _body(
        AttemptFlags(
            attempt_id=attempt.id,
            revision=attempts.current_revision(db.session(), attempt),
            submitted=attempt.submitted_at is not None,
            flags=[_flag_model(flag) for flag in attempt.flags],
        )
    )


@blueprint.post("/attempts/<int:attempt_id>/flags")
@access(TRAINEE)
@openapi.documented(
    {
        201: ("Created.", Change),
        200: (
            (
                "The same flag was already saved with this client_id (a replay); it is returned unchanged. "
                "The client_id with different content is a 400."
            ),
            Change,
        ),
        **CHANGE_ERRORS,
    },
    body=api_models.NewFlag,
)
def create_flag(attempt_id: int) -> Response:
    """Add a flag (idempotent by client_id): 201 when created, 200 when already saved (a replay)."""
    database = db.session()
    named = _named_flags()
    outcome = (
        _claimed(
            attempt_id,
            lambda claim: flags.add_new_flag(
                database, claim, parse_new_flag(_json_body(), standing.texts_of(database, claim))
            ),
        )
        # The body names no flag but its own: no link to check.
        if len(named) <= 1
        else None
    )
    if outcome is None:
        # Someone else's attempt, a closed one, a full one, a replay or links: each answered here.
        attempt = _attempt(attempt_id, with_links=False, only_flags=named)
        new = parse_new_flag(_json_body(), standing.texts_of(database, attempt))
        outcome = flags.create_flag(database, current_user, attempt, new)
    database.commit()
    return _outcome(outcome, 201 if outcome.changed else 200)


@blueprint.patch("/attempts/<int:attempt_id>/flags/<client_id>")
@access(TRAINEE)
@openapi.documented({200: ("Changed.", Change), **CHANGE_ERRORS}, body=api_models.FlagChange)
def update_flag(attempt_id: int, client_id: str) -> Response:
    """Change a flag's category, note, links or span."""
    database = db.session()
    outcome = _claimed(attempt_id, lambda claim: _change_claimed(claim, client_id))
    if outcome is None:
        # Someone else's attempt, a closed one or no such flag: each answered here.
        attempt = _attempt(attempt_id, only_flags=_named_flags(client_id))
        flag = _flag(attempt, client_id)
        attempts.ensure_editable(database, current_user, attempt)
        change = parse_flag_change(_json_body(), standing.texts_of(database, attempt), flag)
        outcome = flags.update_flag(database, current_user, attempt, flag, change)
    database.commit()
    return _outcome(outcome)


@blueprint.delete("/attempts/<int:attempt_id>/flags/<client_id>")
@access(TRAINEE)
@openapi.documented({200: ("Deleted.", Change), **CHANGE_ERRORS})
def delete_flag(attempt_id: int, client_id: str) -> Response:
    """Delete a flag and every link to it."""
    database = db.session()
    outcome = _claimed(attempt_id, lambda claim: flags.remove_flag(database, claim, client_id))
    if outcome is None:
        # Someone else's attempt, a closed one or no such flag: each answered here.
        attempt = _attempt(attempt_id, with_links=False, only_flags={client_id})
        flag = _flag(attempt, client_id)
        outcome = flags.delete_flag(database, current_user, attempt, flag)
    database.commit()
    return _outcome(outcome)


@blueprint.post("/attempts/<int:attempt_id>/submit")
@access(TRAINEE)
@openapi.documented({200: ("Submitted and scored.", Submission), **CHANGE_ERRORS})
def submit(attempt_id: int) -> Response:
    """Make the attempt final and score it. The body is ignored."""
    database = db.session()
    # Scoring reads the flags as rows: loading them as objects here would cost more than it.
    attempt = _attempt(attempt_id, with_flags=False)
    score = submission.submit(database, current_user, attempt)
    database.commit()
    assert attempt.submitted_at is not None
    return _body(
        Submission(
            attempt_id=attempt.id,
            # Final: nothing moves it after the submission's own bump.
            revision=attempt.revision,
            submitted_at=as_utc(attempt.submitted_at).isoformat(),
            score=score.score,
            debrief_url=url_for("trainee.debrief", attempt_id=attempt.id),
        )
    )


@blueprint.get("/attempts/<int:attempt_id>/report")
@access(TRAINEE)
@openapi.documented(
    {
        200: ("The current score and report.", ScoreReport),
        **READ_ERRORS,
        403: ("Not a trainee, or the attempt is not submitted yet (the report reveals the key).", Error),
    },
    security=("session",),
)
def report(attempt_id: int) -> Response:
    """The scoring report, only after submission (before it, a 403: it reveals the key)."""
    database = db.session()
    attempt = _attempt(attempt_id)
    score = submitted_score(database, attempt)
    if score is None:
        abort(403, "The report opens once this attempt is submitted.")
    report = report_from_dict(score.report)
    calibrated = attempt.exercise.asks_confidence or any(flag.confidence for flag in attempt.flags)
    given = feedback.attempt_feedback(database, attempt)
    client_ids = {flag.id: flag.client_id for flag in attempt.flags}
    return _body(
        ScoreReport(
            attempt_id=attempt.id,
            key_version=score.key_version.number,
            score=score.score,
            score_shown=whole_score(score.score),
            report=score.report,
            discernment=Discernment(**judgement.discernment_json(judgement.discernment_of(report))),
            calibration=Calibration(**judgement.calibration_json(judgement.calibration_of(report, attempt.flags)))
            if calibrated
            else None,
            instructor_points=given.total_points,
            final_score=given.final(score.score),
            instructor_points_on_flags={client_ids[flag_id]: points for flag_id, points in given.points.items()},
            instructor_comments=_comments(given, client_ids),
            cohort_view=_cohort_view(attempt, score.key_version.items)
            if cohort_view.is_open(database, attempt, now())
            else None,
        )
    )


def _cohort_view(attempt: Attempt, key_items: Sequence[KeyItem]) -> CohortView:
    """The debrief's cohort view as counts per run of text, with the trainee's flags by client id."""
    shown = cohort_view.cohort_view(db.session(), attempt, key_items)
    return CohortView(
        submissions=shown.submissions,
        articles=[
            CohortArticle(
                article=entry.heat.ref,
                segments=[
                    CohortSegment(start=segment.start, end=segment.end, submissions=segment.count)
                    for segment in entry.heat.segments
                    if segment.count
                ],
                own_flags=[CohortFlag(flag_id=own.flag.client_id, submissions=own.peers) for own in entry.own],
            )
            for entry in shown.articles
        ],
    )


def _comments(given: feedback.AttemptFeedback, client_ids: dict[int, str]) -> list[InstructorComment]:
    comments = sorted(given.comments(), key=lambda comment: comment.id)
    return [
        InstructorComment(
            on=FeedbackTarget(comment.target),
            flag_id=client_ids.get(comment.flag_id) if comment.flag_id else None,
            article=comment.article_ref,
            author=comment.author.display_name if comment.author else None,
            body=comment.body,
            updated_at=as_utc(comment.updated_at).isoformat(),
        )
        for comment in comments
    ]


def _progress_submission(mine: progress.Submission, names: dict[str, str]) -> ProgressSubmission:
    attempt, measures = mine.attempt, mine.measures
    assert attempt.submitted_at is not None
    return ProgressSubmission(
        attempt_id=attempt.id,
        attempt=attempt.number,
        exercise=ProgressExercise(id=mine.exercise.id, slug=mine.exercise.slug, title=mine.exercise.title),
        submitted_at=as_utc(attempt.submitted_at).isoformat(),
        late=attempt.late,
        score=measures.score,
        categories=[
            ProgressCategory(
                category=category,
                name=names[category],
                earned=outcome.earned,
                possible=outcome.possible,
                percent=outcome.percent,
            )
            for category, outcome in measures.categories.items()
        ],
        debrief_url=url_for("trainee.debrief", attempt_id=attempt.id),
        discernment=measures.discernment,
        brier=measures.brier,
    )


@blueprint.get("/progress")
@access(TRAINEE)
@openapi.documented(
    {200: ("My submissions, oldest first.", Progress), 401: READ_ERRORS[401], 403: READ_ERRORS[403]},
    security=("session",),
)
def my_progress() -> Response:
    """My submitted attempts with their current scores per category, oldest first."""
    mine = progress.my_submissions(db.session(), current_user)
    names = progress.category_names(mine)
    return _body(Progress(submissions=[_progress_submission(submission, names) for submission in mine]))
