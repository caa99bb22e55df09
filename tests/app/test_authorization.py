"""Who may reach which route: every registered route, every role.

Adding a route without a row here fails ``test_every_route_has_a_rule``; a row says, per role,
what that person gets: ALLOW (the page or action), LOGIN (sent to log in), FORBID (403) or
HIDDEN (404, so the object's existence is not revealed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from app import db
from app.access import RULES
from app.models import FeedbackComment, Role
from tests.conftest import Factory, csrf_token, login

ROLES = ("anonymous", "trainee", "other_trainee", "instructor", "other_instructor", "admin")
ALLOW, LOGIN, FORBID, HIDDEN = "allow", "login", "forbid", "hidden"


@dataclass
class World:
    """Two cohorts, each with its trainee and instructor, and an admin over both."""

    ids: dict[str, int]


@dataclass(frozen=True)
class Route:
    method: str
    path: Callable[[World], str]
    expect: dict[str, str]


def signed_in(**overrides: str) -> dict[str, str]:
    return {"anonymous": LOGIN, **{role: ALLOW for role in ROLES[1:]}, **overrides}


def everyone(outcome: str = ALLOW) -> dict[str, str]:
    return {role: outcome for role in ROLES}


TRAINEES_ONLY = signed_in(instructor=FORBID, other_instructor=FORBID, admin=FORBID)
INSTRUCTORS_ONLY = signed_in(trainee=FORBID, other_trainee=FORBID)
THIS_COHORT = signed_in(trainee=FORBID, other_trainee=FORBID, other_instructor=HIDDEN)
# A package-shipped exercise: instructors see it, only admins change it in the app.
ADMIN_EDITS = signed_in(trainee=FORBID, other_trainee=FORBID, instructor=FORBID, other_instructor=FORBID)
# The trainee's attempt in progress, and the other trainee's submitted one: another trainee's
# attempt is hidden (404), never forbidden.
OWN_ATTEMPT = {**TRAINEES_ONLY, "other_trainee": HIDDEN}
OTHERS_ATTEMPT = {**TRAINEES_ONLY, "trainee": HIDDEN}


OTHER_COHORT = signed_in(trainee=FORBID, other_trainee=FORBID, instructor=HIDDEN)
AUTHOR_ONLY = {**OTHER_COHORT, "admin": FORBID}


def submitted(w: World) -> str:
    """The instructor's base path of cohort B's submitted attempt."""
    return f"/instructor/cohorts/{w.ids['other_cohort']}/attempts/{w.ids['other_attempt']}"


def dashboard(w: World) -> str:
    """The dashboard's base path for cohort A's exercise."""
    return f"/instructor/cohorts/{w.ids['cohort']}/exercises/{w.ids['exercise']}"


ROUTES: dict[str, Route] = {
    "auth.index": Route("GET", lambda w: "/", everyone()),
    "auth.setup": Route("GET", lambda w: "/setup", everyone(HIDDEN)),
    "auth.login": Route("GET", lambda w: "/login", everyone()),
    "auth.favicon": Route("GET", lambda w: "/favicon.ico", everyone()),
    "auth.logout": Route("POST", lambda w: "/logout", signed_in()),
    "auth.register": Route("GET", lambda w: "/register", everyone()),
    "auth.change_password": Route("GET", lambda w: "/account/password", signed_in()),
    "trainee.home": Route("GET", lambda w: "/exercises", TRAINEES_ONLY),
    "trainee.start_attempt": Route("POST", lambda w: f"/exercises/{w.ids['exercise']}/attempts", TRAINEES_ONLY),
    "trainee.workspace": Route("GET", lambda w: f"/attempts/{w.ids['attempt']}", OWN_ATTEMPT),
    "trainee.add_flag": Route("POST", lambda w: f"/attempts/{w.ids['attempt']}/flags", OWN_ATTEMPT),
    "trainee.delete_flag": Route(
        "POST", lambda w: f"/attempts/{w.ids['attempt']}/flags/{w.ids['flag']}/delete", OWN_ATTEMPT
    ),
    "trainee.submit": Route("POST", lambda w: f"/attempts/{w.ids['attempt']}/submit", OWN_ATTEMPT),
    "trainee.debrief": Route("GET", lambda w: f"/attempts/{w.ids['other_attempt']}/debrief", OTHERS_ATTEMPT),
    "api.openapi": Route("GET", lambda w: "/api/openapi.json", everyone()),
    "api.list_flags": Route("GET", lambda w: f"/api/attempts/{w.ids['attempt']}/flags", OWN_ATTEMPT),
    "api.create_flag": Route("POST", lambda w: f"/api/attempts/{w.ids['attempt']}/flags", OWN_ATTEMPT),
    "api.update_flag": Route("PATCH", lambda w: f"/api/attempts/{w.ids['attempt']}/flags/flag-1", OWN_ATTEMPT),
    "api.delete_flag": Route("DELETE", lambda w: f"/api/attempts/{w.ids['attempt']}/flags/flag-1", OWN_ATTEMPT),
    "api.submit": Route("POST", lambda w: f"/api/attempts/{w.ids['attempt']}/submit", OWN_ATTEMPT),
    "api.report": Route("GET", lambda w: f"/api/attempts/{w.ids['other_attempt']}/report", OTHERS_ATTEMPT),
    "my_progress.page": Route("GET", lambda w: "/progress", TRAINEES_ONLY),
    "api.my_progress": Route("GET", lambda w: "/api/progress", TRAINEES_ONLY),
    "progress.cohort_view": Route("GET", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/progress", THIS_COHORT),
    "progress.export_csv": Route(
        "GET", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/progress.csv?pre={w.ids['exercise']}", THIS_COHORT
    ),
    "progress.export_json": Route(
        "GET", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/progress.json?pre={w.ids['exercise']}", THIS_COHORT
    ),
    "cohorts.cohorts": Route("GET", lambda w: "/instructor/", INSTRUCTORS_ONLY),
    "cohorts.create_cohort": Route("POST", lambda w: "/instructor/cohorts", INSTRUCTORS_ONLY),
    "cohorts.cohort": Route("GET", lambda w: f"/instructor/cohorts/{w.ids['cohort']}", THIS_COHORT),
    "cohorts.join_code": Route("POST", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/join-code", THIS_COHORT),
    "cohorts.import_trainees": Route(
        "POST", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/trainees/import", THIS_COHORT
    ),
    "cohorts.reset_password": Route(
        "POST",
        lambda w: f"/instructor/cohorts/{w.ids['cohort']}/trainees/{w.ids['trainee']}/reset-password",
        THIS_COHORT,
    ),
    "cohorts.add_co_instructor": Route(
        "POST", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/instructors", THIS_COHORT
    ),
    "cohorts.assign_exercise": Route(
        "POST", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/assignments", THIS_COHORT
    ),
    "cohorts.unassign_exercise": Route(
        "POST",
        lambda w: f"/instructor/cohorts/{w.ids['cohort']}/assignments/{w.ids['exercise']}/remove",
        THIS_COHORT,
    ),
    "dashboard.dashboard": Route("GET", lambda w: f"{dashboard(w)}/dashboard", THIS_COHORT),
    "dashboard.dashboard_flags_at": Route(
        "GET", lambda w: f"{dashboard(w)}/dashboard/flags?article=mini-a&at=70", THIS_COHORT
    ),
    "dashboard.article_heatmap": Route("GET", lambda w: f"{dashboard(w)}/heatmaps/mini-a", THIS_COHORT),
    "dashboard.add_key_item": Route("POST", lambda w: f"{dashboard(w)}/key/add", THIS_COHORT),
    "dashboard.accept_alternative": Route("POST", lambda w: f"{dashboard(w)}/key/accept", THIS_COHORT),
    "dashboard.accept_extent": Route("POST", lambda w: f"{dashboard(w)}/key/extent", THIS_COHORT),
    "dashboard.trainee_result": Route("GET", lambda w: f"{dashboard(w)}/trainees/{w.ids['trainee']}", THIS_COHORT),
    "dashboard.allow_retry": Route("POST", lambda w: f"{dashboard(w)}/trainees/{w.ids['trainee']}/retry", THIS_COHORT),
    "dashboard.extend_deadline": Route(
        "POST", lambda w: f"{dashboard(w)}/trainees/{w.ids['trainee']}/extension", THIS_COHORT
    ),
    "dashboard.export_results": Route(
        "GET", lambda w: f"/instructor/cohorts/{w.ids['cohort']}/export/results.csv", THIS_COHORT
    ),
    "dashboard.export_flags_csv": Route("GET", lambda w: f"{dashboard(w)}/export/flags.csv", THIS_COHORT),
    "dashboard.export_flags_json": Route("GET", lambda w: f"{dashboard(w)}/export/flags.json", THIS_COHORT),
    # Feedback on cohort B's submitted attempt (issue 19): its instructor and admins, who teach every
    # cohort, reach it; a comment is changed only by its author (cohort B's instructor).
    "debriefs.add_comment": Route("POST", lambda w: f"{submitted(w)}/comments", OTHER_COHORT),
    "debriefs.edit_comment": Route("POST", lambda w: f"{submitted(w)}/comments/{w.ids['comment']}", AUTHOR_ONLY),
    "debriefs.delete_comment": Route(
        "POST", lambda w: f"{submitted(w)}/comments/{w.ids['comment']}/delete", AUTHOR_ONLY
    ),
    "debriefs.set_points": Route("POST", lambda w: f"{submitted(w)}/flags/{w.ids['other_flag']}/points", OTHER_COHORT),
    "debriefs.cohort_view": Route(
        "POST",
        lambda w: f"/instructor/cohorts/{w.ids['cohort']}/assignments/{w.ids['exercise']}/cohort-view",
        THIS_COHORT,
    ),
    # Authoring (issue 7). The world's exercise is shipped as a package (no creator): every
    # instructor sees, previews, exports and assigns it; only admins edit it in the app.
    "authoring.exercises": Route("GET", lambda w: "/instructor/exercises/", INSTRUCTORS_ONLY),
    "authoring.new_exercise": Route("GET", lambda w: "/instructor/exercises/new", INSTRUCTORS_ONLY),
    "authoring.exercise": Route("GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}", INSTRUCTORS_ONLY),
    "authoring.preview": Route("GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}/preview", INSTRUCTORS_ONLY),
    "authoring.export": Route(
        "GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}/export.zip", INSTRUCTORS_ONLY
    ),
    "authoring.assign": Route("POST", lambda w: f"/instructor/exercises/{w.ids['exercise']}/assign", INSTRUCTORS_ONLY),
    "authoring.import_zip": Route("POST", lambda w: "/instructor/exercises/import", INSTRUCTORS_ONLY),
    "authoring.import_semeval": Route("GET", lambda w: "/instructor/exercises/import-semeval", INSTRUCTORS_ONLY),
    "authoring.key_editor": Route("GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}/key", ADMIN_EDITS),
    "authoring.save_key": Route("POST", lambda w: f"/instructor/exercises/{w.ids['exercise']}/key", ADMIN_EDITS),
    "authoring.suggestions": Route(
        "GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}/suggestions", ADMIN_EDITS
    ),
    "authoring.publishing": Route(
        "POST", lambda w: f"/instructor/exercises/{w.ids['exercise']}/publishing", ADMIN_EDITS
    ),
    "authoring.semeval_mapping": Route(
        "POST", lambda w: f"/instructor/exercises/{w.ids['exercise']}/semeval-mapping", ADMIN_EDITS
    ),
    "authoring.edit_details": Route("GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}/details", ADMIN_EDITS),
    "authoring.source_ratings": Route(
        "GET", lambda w: f"/instructor/exercises/{w.ids['exercise']}/ratings", ADMIN_EDITS
    ),
    "authoring.dismiss_suggestions": Route(
        "POST", lambda w: f"/instructor/exercises/{w.ids['exercise']}/suggestions/dismissed", ADMIN_EDITS
    ),
    # LTI: the LMS's endpoints answer everyone (a launch without a valid token is a 400); there is
    # no pending deep link, platform or retired key here, so those pages are 404 for who may see them.
    "lti.login": Route("GET", lambda w: "/lti/login", everyone()),
    "lti.launch": Route("POST", lambda w: "/lti/launch", everyone()),
    "lti.deep_link": Route("POST", lambda w: "/lti/deep-link", everyone()),
    "lti.jwks": Route("GET", lambda w: "/lti/jwks", everyone()),
    "lti.pick_exercise": Route(
        "GET",
        lambda w: "/lti/deep-link/pick",
        signed_in(trainee=FORBID, other_trainee=FORBID, instructor=HIDDEN, other_instructor=HIDDEN, admin=HIDDEN),
    ),
    "lti.platforms": Route("GET", lambda w: "/lti/platforms", ADMIN_EDITS),
    "lti.register_platform": Route("POST", lambda w: "/lti/platforms", ADMIN_EDITS),
    "lti.platform": Route("GET", lambda w: "/lti/platforms/1", {**ADMIN_EDITS, "admin": HIDDEN}),
    "lti.delete_platform": Route("POST", lambda w: "/lti/platforms/1/delete", {**ADMIN_EDITS, "admin": HIDDEN}),
    "lti.rotate_key": Route("POST", lambda w: "/lti/keys/rotate", ADMIN_EDITS),
    "lti.remove_key": Route("POST", lambda w: "/lti/keys/999/delete", {**ADMIN_EDITS, "admin": HIDDEN}),
    "lti.sync_roster": Route("POST", lambda w: f"/lti/cohorts/{w.ids['cohort']}/roster", THIS_COHORT),
    "admin.audit_trail": Route("GET", lambda w: "/admin/audit", ADMIN_EDITS),
    "admin.audit_csv": Route("GET", lambda w: "/admin/audit.csv", ADMIN_EDITS),
}


def build_world(factory: Factory) -> World:
    """Cohort A (trainee, instructor) and cohort B (other_trainee, other_instructor), both set
    the mini exercise; the trainee has an attempt in progress with one flag, the other trainee a
    submitted, scored attempt with one flag."""
    cohort = factory.cohort("Cohort A")
    other_cohort = factory.cohort("Cohort B")
    trainee = factory.user("trainee", cohort=cohort)
    other_trainee = factory.user("other_trainee", cohort=other_cohort)
    factory.user("instructor", Role.INSTRUCTOR, teaches=cohort)
    other_instructor = factory.user("other_instructor", Role.INSTRUCTOR, teaches=other_cohort)
    factory.user("admin", Role.ADMIN)
    exercise = factory.exercise(assign_to=cohort)
    factory.assign(exercise, other_cohort)
    attempt, flag = factory.attempt(trainee, exercise, flags=[("mini-a", "reportedly", "unverified")])
    other_attempt, other_flag = factory.attempt(
        other_trainee, exercise, flags=[("mini-b", "550 men", "conflicting_number")], submit=True
    )
    with factory.app.app_context():
        session = db.session()
        comment = FeedbackComment(
            attempt_id=other_attempt.id,
            target="flag",
            flag_id=other_flag.id,
            author_id=other_instructor.id,
            body="Well found.",
        )
        session.add(comment)
        session.commit()
        comment_id = comment.id
    return World(
        {
            "cohort": cohort.id,
            "other_cohort": other_cohort.id,
            "trainee": trainee.id,
            "other_trainee": other_trainee.id,
            "exercise": exercise.id,
            "attempt": attempt.id,
            "flag": flag.id,
            "other_attempt": other_attempt.id,
            "other_flag": other_flag.id,
            "comment": comment_id,
        }
    )


def request_as(app: Flask, role: str, route: Route, world: World) -> TestResponse:
    client = app.test_client()
    if role != "anonymous":
        login(client, role)
    path = route.path(world)
    if route.method == "GET":
        return client.get(path)
    return client.open(path, method=route.method, data={"csrf_token": csrf_token(client)})


def outcome_of(response: TestResponse) -> str:
    if response.status_code == 401:
        return LOGIN  # the JSON API answers 401 where a page sends you to log in
    location = urlsplit(response.headers.get("Location", ""))
    if response.status_code == 302 and location.path == "/login" and "next=" in location.query:
        return LOGIN
    if response.status_code == 403:
        return FORBID
    if response.status_code == 404:
        return HIDDEN
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return ALLOW


def test_every_route_has_a_rule(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - ROUTES.keys() == set(), "add these routes to ROUTES with a rule per role"
    assert ROUTES.keys() - endpoints == set(), "these ROUTES rows name routes that no longer exist"
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        assert getattr(view, "access_rule", None) in RULES, f"{endpoint} lacks @access(...)"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_obeys_its_rule(app: Flask, factory: Factory, endpoint: str, role: str) -> None:
    route = ROUTES[endpoint]
    response = request_as(app, role, route, build_world(factory))
    assert outcome_of(response) == route.expect[role], f"{endpoint} as {role}: {response.status_code}"
