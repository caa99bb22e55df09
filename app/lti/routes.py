"""LTI 1.3 pages: login initiation and launches from the LMS, the tool key set, deep linking,
platform registration for the admin and roster sync for instructors."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user
from pylti1p3.exception import LtiException
from sqlalchemy import select

from app import audit, db
from app.access import ADMIN, INSTRUCTOR, PUBLIC, access, cohort_for_instructor
from app.forms import ConfirmForm, SelectChoice, add_error, required
from app.lti import adapter, deep_linking, keys, provisioning
from app.lti.adapter import LaunchRefused
from app.lti.forms import DeepLinkForm, PlatformForm
from app.lti.provisioning import Landing, NoCrosscheckRole
from app.models import Attempt, Exercise, ExerciseState, LtiContext, LtiDeployment, LtiPlatform, LtiToolKey, Role
from app.security import CONTENT_SECURITY_POLICY
from app.trainee import attempts, open_exercises

blueprint = Blueprint("lti", __name__, url_prefix="/lti", template_folder="templates")
DEEP_LINK_SESSION_KEY = "lti_deep_link"


def tool_urls() -> dict[str, str]:
    """What the admin pastes into the LMS, by the names the LMS forms use."""
    launch = url_for("lti.launch", _external=True)
    return {
        "Login initiation URL (OpenID Connect)": url_for("lti.login", _external=True),
        "Redirect URL (launch)": launch,
        "Target link URL (tool URL)": launch,
        "Tool key set URL (public JWKS)": url_for("lti.jwks", _external=True),
        "Deep linking URL (content selection)": url_for("lti.deep_link", _external=True),
    }


# --- from the LMS -----------------------------------------------------------------------------


@blueprint.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login() -> ResponseReturnValue:
    """OIDC third-party login initiation: remember a nonce, set the state cookie, go to the platform."""
    database = db.session()
    ours = {url_for("lti.launch", _external=True), url_for("lti.deep_link", _external=True)}
    target = request.values.get("target_link_uri", "")
    try:
        response = adapter.login_redirect(database, target if target in ours else url_for("lti.launch", _external=True))
    except LaunchRefused as refused:
        abort(400, refused.message)
    database.commit()
    return response


@blueprint.route("/launch", methods=["POST"])
@access(PUBLIC)
def launch() -> ResponseReturnValue:
    return _launch()


@blueprint.route("/deep-link", methods=["POST"])
@access(PUBLIC)
def deep_link() -> ResponseReturnValue:
    return _launch()


def _launch() -> ResponseReturnValue:
    """Validate the id_token in full, provision the account and cohort, sign in, land."""
    database = db.session()
    tool_launch = adapter.new_launch(database)
    try:
        tool_launch.validate()
        is_deep_link = tool_launch.is_deep_link_launch()
        if not (is_deep_link or tool_launch.is_resource_launch()):
            raise LaunchRefused(
                "message type and version", "Crosscheck takes resource link and deep linking launches only."
            )
    except LaunchRefused as refused:
        # Keep what the checks did: the spent nonce, a refreshed platform key set.
        database.commit()
        abort(400, refused.message)
    try:
        landing = provisioning.provision(database, tool_launch.platform, tool_launch.body, with_link=not is_deep_link)
    except NoCrosscheckRole as error:
        database.rollback()
        abort(403, str(error))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        # Claims of the wrong shape (a context that is not an object, say) are the LMS's error.
        database.rollback()
        abort(400, f"The LMS launch was refused: its claims are malformed ({error}).")
    if is_deep_link and landing.role != Role.INSTRUCTOR:
        database.rollback()
        abort(403, "Only instructors can add Crosscheck activities to a course.")
    database.commit()
    # A fresh session, as at every login; the launch itself never relied on the old one.
    session.clear()
    login_user(landing.user)
    if is_deep_link:
        session[DEEP_LINK_SESSION_KEY] = {"launch": tool_launch.get_launch_id(), "context": landing.context.id}
        return redirect(url_for("lti.pick_exercise"), 303)
    return redirect(_landing_url(landing), 303)


def _landing_url(landing: Landing) -> str:
    """Instructors land on the exercise's dashboard, trainees in their attempt's workspace."""
    database = db.session()
    cohort_id, link = landing.context.cohort_id, landing.link
    if landing.role == Role.INSTRUCTOR:
        if link is not None:
            return url_for("dashboard.dashboard", cohort_id=cohort_id, exercise_id=link.exercise_id)
        flash(
            "This link is not connected to an exercise: add Crosscheck to the course with the LMS's content selection.",
            "info",
        )
        return url_for("cohorts.cohort", cohort_id=cohort_id)
    if link is None:
        flash("Your instructor has not connected an exercise to this link yet.", "info")
        return url_for("trainee.home")
    exercise = open_exercises.open_exercise(database, landing.user, link.exercise_id)
    if exercise is None:
        flash("This exercise is not open now.", "info")
        return url_for("trainee.home")
    try:
        attempt = attempts.start_or_resume(database, landing.user, exercise)
    except attempts.NoAttemptsLeft:
        latest = database.scalar(
            select(Attempt)
            .where(Attempt.user_id == landing.user.id, Attempt.exercise_id == exercise.id)
            .order_by(Attempt.number.desc())
            .limit(1)
        )
        assert latest is not None
        return url_for("trainee.debrief", attempt_id=latest.id)
    return url_for("trainee.workspace", attempt_id=attempt.id)


@blueprint.route("/jwks")
@access(PUBLIC)
def jwks() -> ResponseReturnValue:
    """The tool's public keys, for platforms to check what the tool signs."""
    database = db.session()
    key_set = keys.jwks(database)
    database.commit()
    return jsonify(key_set)


# --- deep linking ------------------------------------------------------------------------------


def _deep_link_form() -> DeepLinkForm:
    form = DeepLinkForm()
    published = db.session().scalars(
        select(Exercise).where(Exercise.state == ExerciseState.PUBLISHED).order_by(Exercise.title)
    )
    form.exercise_id.choices = [SelectChoice(exercise.id, exercise.title) for exercise in published]
    return form


@blueprint.route("/deep-link/pick", methods=["GET", "POST"])
@access(INSTRUCTOR)
def pick_exercise() -> ResponseReturnValue:
    """The instructor picks the exercise the new course activity opens."""
    pending = session.get(DEEP_LINK_SESSION_KEY)
    if not pending:
        abort(404, "No course is waiting for an exercise: start from the LMS's “add activity”.")
    form = _deep_link_form()
    if not form.validate_on_submit():
        return Response(render_template("lti/pick.html", form=form), status=400 if form.errors else 200)
    database = db.session()
    try:
        saved = adapter.saved_launch(database, pending["launch"])
    except LaunchRefused as refused:
        abort(400, refused.message)
    context = database.get(LtiContext, pending["context"])
    exercise = database.get(Exercise, form.exercise_id.data)
    if context is None or exercise is None:
        abort(404, "The course or the exercise is gone.")
    answer = deep_linking.link_exercise(
        database,
        saved,
        context,
        exercise,
        launch_url=url_for("lti.launch", _external=True),
        deadline=form.deadline.data,
        attempts=form.attempts.data,
    )
    database.commit()
    session.pop(DEEP_LINK_SESSION_KEY)
    response = Response(render_template("lti/return.html", answer=answer, exercise=exercise))
    return_to = urlsplit(answer.url)
    # The signed answer is a form posted to the LMS: allow that one origin as a form target.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {return_to.scheme}://{return_to.netloc}"
    )
    return response


# --- the admin's registrations -------------------------------------------------------------------


def _platforms_page(form: PlatformForm, status: int = 200) -> ResponseReturnValue:
    database = db.session()
    signing = keys.signing_key(database)
    database.commit()
    return Response(
        render_template(
            "lti/platforms.html",
            form=form,
            platforms=list(database.scalars(select(LtiPlatform).order_by(LtiPlatform.name))),
            tool_keys=keys.all_keys(database),
            signing=signing,
            urls=tool_urls(),
            confirm_form=ConfirmForm(),
        ),
        status=status,
    )


@blueprint.route("/platforms")
@access(ADMIN)
def platforms() -> ResponseReturnValue:
    return _platforms_page(PlatformForm())


def _duplicate(form: PlatformForm, platform_id: int | None = None) -> bool:
    found = adapter.find_platform(db.session(), required(form.issuer), required(form.client_id))
    if found is not None and found.id != platform_id:
        add_error(form.client_id, "This issuer and client ID are registered already.")
        return True
    return False


def _save_platform(platform: LtiPlatform, form: PlatformForm) -> None:
    for name in ("name", "issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url", "roster_sync"):
        setattr(platform, name, getattr(form, name).data)
    wanted = form.deployment_list()
    platform.deployments = [row for row in platform.deployments if row.deployment_id in wanted] + [
        LtiDeployment(deployment_id=value)
        for value in wanted
        if value not in {row.deployment_id for row in platform.deployments}
    ]
    # A changed key set URL must be fetched again.
    platform.key_set = None


@blueprint.route("/platforms", methods=["POST"])
@access(ADMIN)
def register_platform() -> ResponseReturnValue:
    form = PlatformForm()
    if not form.validate_on_submit() or _duplicate(form):
        return _platforms_page(form, 400)
    platform = LtiPlatform(deployments=[])
    _save_platform(platform, form)
    database = db.session()
    database.add(platform)
    database.flush()
    audit.record(database, current_user, "lti.platform_registered", detail=_platform_detail(platform))
    database.commit()
    flash(f"Platform {platform.name} registered. Paste the tool's URLs below into the LMS.", "success")
    return redirect(url_for("lti.platform", platform_id=platform.id))


def _platform_detail(platform: LtiPlatform) -> dict[str, object]:
    return {"platform_id": platform.id, "name": platform.name, "issuer": platform.issuer}


def _platform_or_404(platform_id: int) -> LtiPlatform:
    platform = db.session().get(LtiPlatform, platform_id)
    if platform is None:
        abort(404, "No such platform.")
    return platform


@blueprint.route("/platforms/<int:platform_id>", methods=["GET", "POST"])
@access(ADMIN)
def platform(platform_id: int) -> ResponseReturnValue:
    """A platform's values, the tool's URLs to paste into it, and a form to change it."""
    found = _platform_or_404(platform_id)
    form = PlatformForm(obj=found)
    if request.method == "GET":
        form.deployment_ids.data = "\n".join(row.deployment_id for row in found.deployments)
    elif form.validate_on_submit() and not _duplicate(form, found.id):
        _save_platform(found, form)
        audit.record(db.session(), current_user, "lti.platform_changed", detail=_platform_detail(found))
        db.session().commit()
        flash("Platform saved.", "success")
        return redirect(url_for("lti.platform", platform_id=found.id))
    html = render_template("lti/platform.html", platform=found, form=form, urls=tool_urls(), confirm_form=ConfirmForm())
    return Response(html, status=400 if form.errors else 200)


@blueprint.route("/platforms/<int:platform_id>/delete", methods=["POST"])
@access(ADMIN)
def delete_platform(platform_id: int) -> ResponseReturnValue:
    found = _platform_or_404(platform_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; try again.")
    database = db.session()
    database.delete(found)
    audit.record(database, current_user, "lti.platform_removed", detail=_platform_detail(found))
    database.commit()
    flash(f"Platform {found.name} removed; its courses' cohorts stay.", "success")
    return redirect(url_for("lti.platforms"))


@blueprint.route("/keys/rotate", methods=["POST"])
@access(ADMIN)
def rotate_key() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; try again.")
    database = db.session()
    key = keys.create_key(database)
    audit.record(database, current_user, "lti.key_rotated", detail={"kid": key.kid})
    database.commit()
    flash(f"New signing key {key.kid}. The old key stays published until you remove it.", "success")
    return redirect(url_for("lti.platforms"))


@blueprint.route("/keys/<int:key_id>/delete", methods=["POST"])
@access(ADMIN)
def remove_key(key_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; try again.")
    database = db.session()
    key = database.get(LtiToolKey, key_id)
    if key is None:
        abort(404, "No such key.")
    try:
        keys.remove_key(database, key)
    except keys.SigningKeyRemoval as error:
        abort(409, str(error))
    audit.record(database, current_user, "lti.key_removed", detail={"kid": key.kid})
    database.commit()
    flash(f"Key {key.kid} is no longer published.", "success")
    return redirect(url_for("lti.platforms"))


# --- instructors ---------------------------------------------------------------------------------


@blueprint.route("/cohorts/<int:cohort_id>/roster", methods=["POST"])
@access(INSTRUCTOR)
def sync_roster(cohort_id: int) -> ResponseReturnValue:
    """Bring the course's members from the LMS (Names and Role Provisioning Services)."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired; try again.")
    context = database.scalar(select(LtiContext).where(LtiContext.cohort_id == cohort.id).limit(1))
    if context is None or not context.platform.roster_sync or not context.memberships_url:
        abort(409, "This cohort's course does not offer a roster to sync.")
    try:
        members = provisioning.course_members(database, context)
    except (LtiException, requests.RequestException) as error:
        database.rollback()
        flash(f"The LMS did not hand over the roster: {str(error)[:300]}", "error")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
    result = provisioning.sync_roster(database, current_user, context, members)
    database.commit()
    flash(f"Roster synced from the LMS: {result.added} added ({result.members} in the course).", "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
