"""A thin adapter over pylti1p3 (the pylti1p3next fork): our database in place of its session and
file configuration, and every launch check run in order under a name a refusal can show.

The library does the OIDC redirect, JWT decoding and signature check, message validation, deep
linking responses and the service calls; this module only hands it our rows and settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import jwt
import requests
from flask import current_app
from pylti1p3.contrib.flask.cookie import FlaskCookieService
from pylti1p3.contrib.flask.message_launch import FlaskMessageLaunch
from pylti1p3.contrib.flask.oidc_login import FlaskOIDCLogin
from pylti1p3.contrib.flask.request import FlaskRequest
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app import db as database
from app.deadlines import as_utc
from app.lti import keys
from app.models import LtiAccessToken, LtiLaunchValue, LtiPlatform, utcnow

if TYPE_CHECKING:
    from pylti1p3.registration import TKeySet

LAUNCH_VALUE_LIFETIME = 3600
"""Seconds a nonce or a saved launch is kept: a deep-linking instructor has this long to pick."""
log = logging.getLogger(__name__)
LIBRARY_ERRORS = (
    LtiException,
    OIDCException,
    requests.RequestException,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
)
"""What the library raises on bad input; each becomes a refusal naming the check, never a 500."""


class LaunchRefused(Exception):
    """A launch failed one of its checks; ``check`` names it for the refusal page."""

    def __init__(self, check: str, detail: str) -> None:
        super().__init__(f"{check}: {detail}")
        self.check = check
        self.detail = detail[:400]

    @property
    def message(self) -> str:
        return f"The LMS launch was refused: the {self.check} check failed. {self.detail}"


class HttpSession(requests.Session):
    """requests with a timeout on every call: the library passes none, and a hung LMS must not hang us."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = "Crosscheck-LTI-tool"

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


def http_session() -> HttpSession:
    return HttpSession(float(current_app.config["LTI_HTTP_TIMEOUT"]))


class PlatformRegistration(Registration):
    """The library's registration, built from a platform row and the tool's signing key."""

    def __init__(self, db: Session, platform: LtiPlatform) -> None:
        super().__init__()
        self.platform = platform
        key = keys.signing_key(db)
        (
            self.set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.key_set_url)
            .set_key_set(cast("TKeySet | None", platform.key_set))
            .set_tool_private_key(key.private_key_pem)
            .set_tool_public_key(key.public_key_pem)
        )


class DatabaseToolConf(ToolConfAbstract[FlaskRequest]):
    """Registrations and deployments from the database; an issuer may have several client ids."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("every issuer is looked up with its client id")

    def find_registration_by_params(  # type: ignore[override]  # the library treats None as "not found"
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        platform = find_platform(self.db, iss, client_id)
        return PlatformRegistration(self.db, platform) if platform is not None else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = find_platform(self.db, iss, client_id)
        if platform is None or deployment_id not in {row.deployment_id for row in platform.deployments}:
            return None
        return Deployment().set_deployment_id(deployment_id)


def find_platform(db: Session, issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The platform registered for ``issuer`` and ``client_id``; without a client id, the issuer's only one."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return db.scalar(query.where(LtiPlatform.client_id == client_id))
    found = list(db.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


class DatabaseLaunchStorage(LaunchDataStorage[Any]):
    """The library's nonces and saved launches in a table every worker shares; a nonce is used once."""

    _session_cookie_name = ""  # keys are random nonces and launch ids: no per-browser prefix needed

    def __init__(self, db: Session) -> None:
        super().__init__()
        self.db = db

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = self.db.get(LtiLaunchValue, self._prepare_key(key))
        return row.value if row is not None and as_utc(row.expires_at) > utcnow() else None

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self.db.execute(delete(LtiLaunchValue).where(LtiLaunchValue.expires_at < utcnow()))
        lifetime = min(exp or LAUNCH_VALUE_LIFETIME, LAUNCH_VALUE_LIFETIME)
        self.db.merge(
            LtiLaunchValue(key=self._prepare_key(key), value=value, expires_at=utcnow() + timedelta(seconds=lifetime))
        )
        self.db.flush()

    def check_value(self, key: str) -> bool:
        """Consume the value: only one request, in any worker, can succeed with a nonce."""
        deleted = database.rows_changed(
            self.db,
            delete(LtiLaunchValue).where(
                LtiLaunchValue.key == self._prepare_key(key), LtiLaunchValue.expires_at > utcnow()
            ),
        )
        return bool(deleted)


class DatabaseServiceConnector(ServiceConnector):
    """Service calls with the platform's access tokens kept in the database until they expire."""

    _registration: PlatformRegistration

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        token = database.session().get(LtiAccessToken, (self._registration.platform.id, scope_key))
        # A minute's margin: a token must not expire between our check and the platform's.
        if token is None or as_utc(token.expires_at) <= utcnow() + timedelta(seconds=60):
            return None
        return token.token

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        database.session().merge(
            LtiAccessToken(
                platform_id=self._registration.platform.id,
                scope_key=scope_key,
                token=access_token,
                expires_at=utcnow() + timedelta(seconds=float(expires_in or 0)),
            )
        )


def service_connector(db: Session, platform: LtiPlatform) -> DatabaseServiceConnector:
    """A connector that signs client-credentials assertions with the tool's key."""
    return DatabaseServiceConnector(PlatformRegistration(db, platform), http_session())


class ToolLaunch(FlaskMessageLaunch):
    """A launch checked in full, each check under its name; a failed one raises LaunchRefused."""

    _refetched = False

    def checks(self) -> list[tuple[str, Callable[[], object]]]:
        """The checks in order: the nonce is spent only once the signature holds."""
        return [
            ("state", self.validate_state),
            ("token format", self.validate_jwt_format),
            ("issuer and audience", self.validate_registration),
            ("signature and lifetime", self.validate_jwt_signature),
            ("nonce", self.validate_nonce),
            ("deployment", self.validate_deployment),
            ("message type and version", self.validate_message),
        ]

    def validate(self) -> ToolLaunch:
        self._validated = True
        for check, step in self.checks():
            try:
                step()
            except LaunchRefused:
                self._validated = False
                raise
            except LIBRARY_ERRORS as error:
                self._validated = False
                raise LaunchRefused(check, str(error)) from error
        self.save_launch_data()
        return self

    @property
    def platform(self) -> LtiPlatform:
        assert isinstance(self._registration, PlatformRegistration)
        return self._registration.platform

    @property
    def body(self) -> dict[str, Any]:
        return dict(self.get_launch_data())

    def validate_state(self) -> ToolLaunch:
        """The state must come back in this browser's cookie, set when the login started."""
        state = self._get_request_param("state")  # type: ignore[no-untyped-call]  # unannotated in pylti1p3's Flask launch
        if not state:
            raise LaunchRefused("state", "The launch carries no state.")
        if self._cookie_service.get_cookie(state) != state:
            raise LaunchRefused(
                "state",
                "This browser did not start this launch (its state cookie is missing or different). "
                "Open the activity again from the course.",
            )
        return self

    def get_client_id(self) -> str:
        authorized_party = self._get_jwt_body().get("azp")
        return authorized_party if isinstance(authorized_party, str) and authorized_party else super().get_client_id()

    def validate_registration(self) -> ToolLaunch:
        """Name the failure the library folds into 'registration not found': issuer, or audience."""
        body = self._get_jwt_body()
        issuer = self.get_iss()
        audience_claim: str | list[str] | None = body.get("aud")
        audiences = audience_claim if isinstance(audience_claim, list) else [audience_claim]
        clients = set(self._tool_config.db.scalars(select(LtiPlatform.client_id).where(LtiPlatform.issuer == issuer)))
        if not clients:
            raise LaunchRefused("issuer", f"No platform is registered with the issuer {issuer!r}.")
        if not clients & set(audiences):
            raise LaunchRefused("audience", f"The token is addressed to {audiences}, not to this tool's client id.")
        if (len(audiences) > 1 or "azp" in body) and body.get("azp") not in clients:
            raise LaunchRefused("audience", "The token has several audiences and no authorized party (azp) of ours.")
        super().validate_registration()
        return self

    def validate_jwt_signature(self) -> ToolLaunch:
        try:
            super().validate_jwt_signature()
        except LtiException as error:
            cause = error.__cause__
            if isinstance(cause, jwt.ExpiredSignatureError):
                raise LaunchRefused("expiry (exp)", "The token has expired.") from error
            if isinstance(cause, (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError)):
                raise LaunchRefused("issued-at (iat)", "The token claims to be issued in the future.") from error
            if isinstance(cause, jwt.MissingRequiredClaimError):
                raise LaunchRefused("expiry (exp)", f"The token lacks a claim: {cause}.") from error
            raise LaunchRefused("signature", str(error)) from error
        return self

    def get_public_key(self) -> tuple[str, str]:
        """The platform key that signed; an unknown kid fetches the key set again once (rotation)."""
        try:
            return super().get_public_key()
        except LtiException:
            if self._refetched:
                raise
            assert self._registration is not None
            self._registration.set_key_set(None)
            return super().get_public_key()

    def fetch_public_key(self, key_set_url: str) -> Any:
        key_set = super().fetch_public_key(key_set_url)
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LaunchRefused("signature", f"The platform's key set at {key_set_url} is not a JWKS.")
        self._refetched = True
        self.platform.key_set = dict(key_set)
        self.platform.key_set_fetched_at = utcnow()
        log.info("fetched the key set of LTI platform %s", self.platform.issuer)
        return key_set


def _launch_arguments(db: Session) -> dict[str, Any]:
    return {
        "launch_data_storage": DatabaseLaunchStorage(db),
        "requests_session": http_session(),
        "service_connector_cls": DatabaseServiceConnector,
    }


def new_launch(db: Session) -> ToolLaunch:
    """The launch in this request (form fields ``id_token`` and ``state``), not yet validated."""
    request = FlaskRequest()
    launch = ToolLaunch(
        request, DatabaseToolConf(db), cookie_service=FlaskCookieService(request), **_launch_arguments(db)
    )
    launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
    return launch


def saved_launch(db: Session, launch_id: str) -> ToolLaunch:
    """A launch validated earlier and kept in the database (a deep-linking request while the instructor picks)."""
    try:
        return ToolLaunch.from_cache(launch_id, FlaskRequest(), DatabaseToolConf(db), **_launch_arguments(db))  # type: ignore[return-value]  # from_cache builds cls, typed as its base
    except LtiException as error:
        raise LaunchRefused("saved launch", "The course's request has expired; start again from the LMS.") from error


def login_redirect(db: Session, launch_url: str) -> Response:
    """Answer an OIDC third-party login: set the state cookie and redirect to the platform."""
    login = FlaskOIDCLogin(FlaskRequest(), DatabaseToolConf(db), launch_data_storage=DatabaseLaunchStorage(db))
    try:
        redirect: Response = login.redirect(launch_url)
        return redirect
    except LIBRARY_ERRORS as error:
        raise LaunchRefused("login initiation", str(error)) from error
