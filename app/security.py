"""Security baseline for every response: CSRF, security headers, secure cookies behind HTTPS."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from exercises.storable import is_storable

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Flask-WTF checks the Referer over HTTPS, so never "no-referrer".
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply is invalid JSON (a 400), not a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # A few thousand brackets fit in any body size limit and exhaust the decoder.
            raise ValueError("The JSON is nested too deeply.") from None


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Install CSRF protection, the headers and the session interface."""
    csrf.init_app(app)
    app.json = JSONProvider(app)
    app.session_interface = SessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        count = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    app.before_request(_refuse_null_characters)
    app.after_request(_add_security_headers)


def _refuse_null_characters() -> None:
    """A NUL in a form field or query value is a 400: PostgreSQL cannot store it (a 500 otherwise)."""
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if not (is_storable(name) and is_storable(value)):
                abort(400, f"The field {name.replace(chr(0), '')!r} contains a null character.")


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Trainees' work, one-time passwords and exports: never kept by a browser or a proxy.
    if request.path.startswith("/api/") or (request.endpoint != "static" and current_user.is_authenticated):
        response.headers["Cache-Control"] = "no-store"
    return response
