"""Error pages for people and JSON errors for the API; never a bare 500."""

from __future__ import annotations

from flask import Flask, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import db

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in.",
    403: "You do not have access to this page.",
    404: "There is nothing here.",
    405: "This method is not allowed here.",
    413: "The request is too large.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you sent was half-saved; please try again.",
}


def wants_json() -> bool:
    """API routes and clients that ask for JSON get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str, fields: dict[str, list[str]] | None = None) -> Response:
    """A JSON or HTML error with ``status`` and ``message``."""
    if wants_json():
        body: dict[str, object] = {"error": message, "status": status}
        if fields:
            body["fields"] = fields
        response = jsonify(body)
        response.status_code = status
        return response
    return Response(
        render_template("errors/error.html", status=status, message=message),
        status=status,
        mimetype="text/html",
    )


def _http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if status == 401 and not wants_json():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if status == 429 and request.endpoint == "auth.login" and not wants_json():
        from app.auth.forms import LoginForm

        throttled = f"Too many failed logins. Wait a minute and try again (limit: {error.description})."
        return Response(render_template("auth/login.html", form=LoginForm(), throttled=throttled), status=429)
    message = MESSAGES.get(status, error.name)
    if status in (400, 403, 404, 409, 422) and error.description and not _is_default(error):
        message = error.description
    response = error_response(status, message)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _is_default(error: HTTPException) -> bool:
    return error.description == type(error).description


def _csrf_error(error: CSRFError) -> Response:
    return error_response(
        400, f"The form expired or its security token is missing ({error.description}). Reload the page and try again."
    )


def _internal_error(_error: InternalServerError) -> Response:
    db.rollback()
    return error_response(500, MESSAGES[500])


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _internal_error)
