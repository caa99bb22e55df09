"""A small LMS for the tests, built on lti1p3platform (a platform implementation nobody here wrote).

lti1p3platform does the platform's side of LTI 1.3: the OIDC preflight URL, signing the launch,
checking the tool's client-credentials assertion and deep-linking answer against the tool's key
set, and the AGS and NRPS endpoints. This module only stores what it needs (line items, scores,
members) and serves it over HTTP on 127.0.0.1, as a real LMS would, so the tool's own HTTP calls
(key set, token, scores, roster) go over the network.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import typing as t
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, Response, jsonify, request
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService
from werkzeug.serving import make_server

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "crosscheck-client"
DEPLOYMENT_ID = "deployment-1"
COURSE = {"id": "course-101", "title": "Media literacy 101", "label": "ML101"}


def new_key() -> str:
    """A fresh RSA private key, PEM."""
    return JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None).decode()


@dataclass
class Person:
    sub: str
    name: str
    email: str
    roles: list[str]


@dataclass
class Activity:
    """A link in the course, made from a deep-linking answer's content item."""

    resource_link_id: str
    title: str
    url: str
    custom: dict[str, str]
    lineitem_id: str | None


@dataclass
class PendingLaunch:
    person: Person
    kind: str  # "resource" or "deep_link"
    activity: Activity | None
    claims: dict[str, t.Any]


class FlaskPlatformRequest(Request):
    def build_metadata(self, req: t.Any) -> TRequest:
        return {
            "method": req.method,
            "form_data": req.form.to_dict(),
            "get_data": req.args.to_dict(),
            "headers": dict(req.headers),
            "content_type": req.content_type,
            "path": req.path,
            "json": req.get_json(silent=True),
        }


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> str:
        # What lti1p3platform's own template renders (it imports the deprecated pkg_resources).
        return (
            f'<!doctype html><form method="POST" action="{html.escape(launch_data["launch_url"])}" id="form">'
            f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
            f'<input type="hidden" name="state" value="{html.escape(launch_data["state"])}">'
            '<button type="submit">Continue</button></form>'
            '<script>document.getElementById("form").submit();</script>'
        )


class Grades(AssignmentsGradesService):
    def __init__(self, req: Request, conf: PlatformConf, lms: LMS) -> None:
        super().__init__(req, conf, lineitems_url=lms.url("/lineitems"))
        self.lms = lms

    def find_lineitems(self, page: int = 1, limit: int | None = None, **kwargs: t.Any) -> t.Any:
        return {"content": list(self.lms.lineitems.values()), "has_next": False}

    def find_lineitem(self, line_item_id: str) -> t.Any:
        return self.lms.lineitems[line_item_id]

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        return self.lms.add_lineitem(dict(creation_data))

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        self.lms.lineitems[update_data["id"]].update(update_data)
        return self.lms.lineitems[update_data["id"]]

    def delete_lineitem(self, line_item_id: str) -> None:
        self.lms.lineitems.pop(line_item_id, None)

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        """Keep the newest score per user; refuse an older one, as the AGS spec says a platform may."""
        scores = self.lms.scores.setdefault(line_item_id, {})
        held = scores.get(score["userId"])
        if held and datetime.fromisoformat(held["timestamp"]) > datetime.fromisoformat(score["timestamp"]):
            return UpdateScoreStatus.OLD_TIMESTAMP
        scores[score["userId"]] = score
        self.lms.score_posts.append(score)
        return UpdateScoreStatus.SUCCESS

    def get_results(
        self, line_item_id: str, page: int = 1, limit: int | None = None, user_id: str | None = None
    ) -> t.Any:
        return {"content": list(self.lms.scores.get(line_item_id, {}).values()), "has_next": False}


class Roster(NamesRoleProvisioningService):
    def __init__(self, req: Request, conf: PlatformConf, lms: LMS) -> None:
        super().__init__(req, conf, lms.url("/memberships"))
        self.lms = lms

    def get_member_data_page(self, page: int = 1, limit: int | None = None, **kwargs: t.Any) -> t.Any:
        members = [
            {
                "user_id": person.sub,
                "name": person.name,
                "email": person.email,
                "roles": person.roles,
                "status": "Active",
            }
            for person in self.lms.people
        ]
        return {"content": members, "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id=COURSE["id"], label=COURSE["label"], title=COURSE["title"])


def _respond(answer: t.Any) -> Response:
    body = json.dumps(answer.result) if answer.result is not None else ""
    return Response(body, status=answer.code, mimetype=answer.media_type)


@dataclass
class LMS:
    """The LMS: one course, its people, line items and scores, served on 127.0.0.1."""

    tool: str
    """The tool's base URL."""
    port: int = 0
    keys: list[str] = field(default_factory=lambda: [new_key()])
    people: list[Person] = field(default_factory=list)
    lineitems: dict[str, dict[str, t.Any]] = field(default_factory=dict)
    scores: dict[str, dict[str, dict[str, t.Any]]] = field(default_factory=dict)
    score_posts: list[dict[str, t.Any]] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    pending: dict[str, PendingLaunch] = field(default_factory=dict)
    deep_link_errors: list[str] = field(default_factory=list)
    token_requests: int = 0
    jwks_requests: int = 0
    _ids: t.Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def issuer(self) -> str:
        return self.url("")

    # --- serving ---------------------------------------------------------------------------

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app(), threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """The LMS goes down: connections to it are refused until ``start``."""
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()

    def registration(self) -> Registration:
        private_key = self.keys[-1]
        public_key = JWK.from_pem(private_key.encode()).export_to_pem().decode()
        return (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(self.tool + "/lti/login")
            .set_launch_url(self.tool + "/lti/launch")
            .set_deeplink_launch_url(self.tool + "/lti/deep-link")
            .set_tool_key_set_url(self.tool + "/lti/jwks")
            .set_platform_private_key(private_key)
            .set_platform_public_key(public_key)
        )

    def conf(self) -> PlatformConf:
        return PlatformConf(registration=self.registration())

    def rotate_key(self) -> None:
        """A new platform key; the key set publishes it alone from now on."""
        self.keys.append(new_key())

    def add_lineitem(self, item: dict[str, t.Any]) -> dict[str, t.Any]:
        item_id = str(next(self._ids))
        item["id"] = self.url(f"/lineitems/{item_id}")
        self.lineitems[item_id] = item
        return item

    def app(self) -> Flask:
        app = Flask("test-lms")

        @app.get("/jwks")
        def jwks() -> t.Any:
            self.jwks_requests += 1
            return jsonify(self.conf().get_jwks())

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> t.Any:
            hint = (request.values.get("lti_message_hint")) or ""
            pending = self.pending.pop(hint)
            launch = Launch(FlaskPlatformRequest(request), self.conf())
            self._prepare(launch, pending)
            return launch.lti_launch()

        @app.post("/token")
        def token() -> t.Any:
            self.token_requests += 1
            return jsonify(self.conf().get_access_token(request.form.to_dict()))

        @app.post("/lineitems/<item_id>/scores")
        def scores(item_id: str) -> t.Any:
            service = Grades(FlaskPlatformRequest(request), self.conf(), self)
            return _respond(service.handle_resp(service.handle_update_score, line_item_id=item_id))

        @app.get("/memberships")
        def memberships() -> t.Any:
            service = Roster(FlaskPlatformRequest(request), self.conf(), self)
            return _respond(service.handle_resp(service.handle_get_members))

        @app.post("/deep-link-return")
        def deep_link_return() -> t.Any:
            try:
                items = self.conf().validate_deeplinking_resp(request.form.to_dict())
            except Exception as error:  # noqa: BLE001 - the platform's own refusal: recorded for the test to see
                self.deep_link_errors.append(repr(error))
                return Response("refused", status=400)
            for item in items:
                line = self.add_lineitem(dict(item["lineItem"])) if item.get("lineItem") else None
                self.activities.append(
                    Activity(
                        resource_link_id=f"link-{next(self._ids)}",
                        title=item["title"],
                        url=item["url"],
                        custom=item.get("custom") or {},
                        lineitem_id=line["id"].rsplit("/", 1)[1] if line else None,
                    )
                )
            return Response(f"<p>Added: {html.escape(', '.join(item['title'] for item in items))}</p>")

        return app

    # --- launching ---------------------------------------------------------------------------

    def login_url(
        self, person: Person, kind: str = "resource", activity: Activity | None = None, **claims: t.Any
    ) -> str:
        """The tool's login initiation URL, as the LMS redirects a browser to it."""
        hint = f"hint-{next(self._ids)}"
        self.pending[hint] = PendingLaunch(person, kind, activity, claims)
        login = Login(None, self.conf())
        login.set_lti_message_hint(hint=hint)
        if kind == "deep_link":
            login.set_deeplinking_launch_url()
        return login.initiate_login(person.sub)

    def _prepare(self, launch: Launch, pending: PendingLaunch) -> None:
        person, activity = pending.person, pending.activity
        launch.set_user_data(person.sub, person.roles, full_name=person.name, email_address=person.email)
        launch.set_launch_context_claim(COURSE["id"], context_title=COURSE["title"], context_label=COURSE["label"])
        launch.set_nrps(self.url("/memberships"))
        if pending.kind == "deep_link":
            launch.set_dl(self.url("/deep-link-return"), title="Add an activity", accept_types={"ltiResourceLink"})
        else:
            assert activity is not None
            launch.set_resource_link_claim(activity.resource_link_id, title=activity.title)
            launch.set_custom_parameters_claim(activity.custom)
            launch.set_launch_url(activity.url)
            launch.set_ags(
                self.url("/lineitems"),
                self.url(f"/lineitems/{activity.lineitem_id}") if activity.lineitem_id else None,
            )
        expires_in = pending.claims.pop("expires_in", None)
        if expires_in is not None:
            launch.set_id_token_expiration(expires_in)
        if pending.claims:
            launch.set_extra_claims(pending.claims)
