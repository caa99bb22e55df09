"""Set-up, login, logout, registration and password changes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app import accounts, db
from app.access import PUBLIC, SIGNED_IN, access
from app.auth.forms import ChangePasswordForm, LoginForm, RegisterForm, SetupForm
from app.forms import add_error, required
from app.models import Role, User, new_session_token
from app.rate_limits import limiter

blueprint = Blueprint("auth", __name__)


def _login_username_key() -> str:
    # Per account *and* address: failures from elsewhere never lock the owner out of their account.
    username = (request.form.get("username") or "").strip().lower()
    return f"login-account:{username}@{get_remote_address()}"


def _failed_login(response: Response) -> bool:
    # A successful login redirects; only the re-rendered form (a failure) counts against the limit.
    return response.status_code != 302


def _login_rate(name: str) -> str:
    from flask import current_app

    return str(current_app.config[name])


def home_for(user: User) -> str:
    """The page a user lands on after logging in."""
    if user.is_instructor:
        return url_for("cohorts.cohorts")
    return url_for("trainee.home")


def _start_session(user: User) -> None:
    # A fresh session on every login: nothing planted before login survives it.
    session.clear()
    login_user(user)


@blueprint.route("/")
@access(PUBLIC)
def index() -> Response:
    if not accounts.has_users(db.session()):
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@blueprint.route("/favicon.ico")
@access(PUBLIC)
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon in static."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@blueprint.route("/setup", methods=["GET", "POST"])
@access(PUBLIC)
def setup() -> str | Response:
    """Create the first account, an administrator; gone (404) once any account exists."""
    database = db.session()
    if accounts.has_users(database):
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        user = accounts.create_user(
            database,
            username=required(form.username),
            display_name=required(form.display_name),
            password=required(form.password),
            email=form.email.data,
            role=Role.ADMIN,
        )
        database.commit()
        _start_session(user)
        flash("Welcome. Create a cohort to hand out its join code.", "success")
        return redirect(url_for("cohorts.cohorts"))
    return render_template("auth/setup.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit(lambda: _login_rate("LOGIN_RATE_PER_ADDRESS"), methods=["POST"], deduct_when=_failed_login)
@limiter.limit(
    lambda: _login_rate("LOGIN_RATE_PER_ACCOUNT"),
    key_func=_login_username_key,
    methods=["POST"],
    deduct_when=_failed_login,
)
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session(), required(form.username), required(form.password))
        if user is not None:
            _start_session(user)
            if user.must_change_password:
                flash("Choose your own password to go on.", "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
        add_error(form.password, "Wrong username or password.")
    return render_template("auth/login.html", form=form)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@blueprint.route("/logout", methods=["POST"])
@access(SIGNED_IN)
def logout() -> Response:
    # Sessions live in signed cookies: only a new token makes a copied cookie worthless. This ends
    # the account's sessions in other browsers too.
    user: User = current_user._get_current_object()
    user.session_token = new_session_token()
    db.session().commit()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/register", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("20 per minute", methods=["POST"])
def register() -> str | Response:
    """A trainee creates an account with their cohort's join code."""
    form = RegisterForm()
    if request.method == "GET" and request.args.get("code"):
        form.join_code.data = request.args["code"]
    if form.validate_on_submit():
        database = db.session()
        cohort = accounts.cohort_for_join_code(database, required(form.join_code))
        if cohort is None:
            add_error(form.join_code, "This join code is unknown or no longer accepted.")
        else:
            try:
                user = accounts.create_user(
                    database,
                    username=required(form.username),
                    display_name=required(form.display_name),
                    password=required(form.password),
                    role=Role.TRAINEE,
                )
            except accounts.UsernameTaken:
                add_error(form.username, "This username is taken; choose another.")
            else:
                cohort.trainees.append(user)
                database.commit()
                _start_session(user)
                flash(f"Welcome to {cohort.name}.", "success")
                return redirect(url_for("trainee.home"))
    return render_template("auth/register.html", form=form)


@blueprint.route("/account/password", methods=["GET", "POST"])
@access(SIGNED_IN)
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        if not user.check_password(required(form.current_password)):
            add_error(form.current_password, "The current password is wrong.")
        else:
            user.set_password(required(form.password))
            user.must_change_password = False
            db.session().commit()
            _start_session(user)
            flash("Your password is changed.", "success")
            return redirect(home_for(user))
    return render_template("auth/change_password.html", form=form)
