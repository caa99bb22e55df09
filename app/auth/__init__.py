"""Accounts: first-run set-up, login and logout, registration with a cohort's join code."""

from __future__ import annotations

import functools

from flask import Flask, redirect, request, url_for
from flask_login import LoginManager, current_user
from sqlalchemy import Select, bindparam, select
from werkzeug.wrappers import Response

from app import db, rate_limits
from app.auth.routes import blueprint
from app.models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session().scalar(_user_by_token(), {"session_token": session_token})


@functools.cache
def _user_by_token() -> Select[User]:
    """Every request's first query, built once: composing it cost a third of running it."""
    return select(User).where(User.session_token == bindparam("session_token"))


PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "static"}


def _require_own_password() -> Response | None:
    """Send a user with an instructor-generated password to choose their own first."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_EXEMPT
        and not request.path.startswith("/api/")
    ):
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    rate_limits.init_app(app)
    app.register_blueprint(blueprint)
    app.before_request(_require_own_password)
