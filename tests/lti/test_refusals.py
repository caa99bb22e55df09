"""Every launch check refuses with a 4xx page that names it, signs nobody in and creates nothing."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import db
from app.models import LtiAccount, User
from tests.conftest import Factory
from tests.lti.conftest import LEARNERS, Browser, activity_for
from tests.lti.platform import LMS, Person

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def rewrite(part: int, change: Callable[[dict], None]) -> Callable[[dict[str, str]], dict[str, str]]:
    """Change the id_token's header (0) or body (1), keeping the platform's signature."""

    def tamper(fields: dict[str, str]) -> dict[str, str]:
        pieces = fields["id_token"].split(".")
        decoded = json.loads(_unb64(pieces[part]))
        change(decoded)
        pieces[part] = _b64(json.dumps(decoded).encode())
        return {**fields, "id_token": ".".join(pieces)}

    return tamper


def accounts(app: Flask) -> int:
    with app.app_context():
        return int(db.session().scalar(select(func.count()).select_from(LtiAccount)) or 0)


def assert_refused(app: Flask, browser: Browser, response, status: int, check: str) -> None:
    assert response.status_code == status, response.text[:800]
    assert check in response.text, response.text[:800]
    assert "Log out" not in response.text  # nobody was signed in
    assert accounts(app) == 0


CASES = {
    "bad signature": (dict(tamper=rewrite(1, lambda body: body.update(name="Mallory"))), "the signature check failed"),
    "wrong audience": (dict(aud="another-tool", azp="another-tool"), "the audience check failed"),
    "expired token": (dict(expires_in=-120), "the expiry (exp) check failed"),
    # With no lifetime of its own the platform signs the iat and exp given here: dated an hour ahead.
    "issued in the future": (
        dict(expires_in=0, iat=int(time.time()) + 3600, exp=int(time.time()) + 7200),
        "the issued-at (iat) check failed",
    ),
    "unknown deployment": ({CLAIM + "deployment_id": "deployment-nobody-registered"}, "the deployment check failed"),
    "unknown issuer": (dict(iss="https://lms.elsewhere.example"), "the issuer check failed"),
    "wrong version": ({CLAIM + "version": "1.1"}, "the message type and version check failed"),
    "unknown kid": (
        dict(tamper=rewrite(0, lambda header: header.update(kid="no-such-key"))),
        "the signature check failed",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_launch_is_refused_naming_the_check(
    app: Flask, factory: Factory, lms: LMS, browser: Browser, case: str
) -> None:
    options, check = CASES[case]
    response = browser.launch(LEARNERS[0], activity=activity_for(lms, factory.exercise().id), **options)
    assert_refused(app, browser, response, 400, check)


def test_a_replayed_launch_is_refused_at_the_nonce(app: Flask, factory: Factory, lms: LMS, browser: Browser) -> None:
    action, fields = browser.launch_form(LEARNERS[0], activity=activity_for(lms, factory.exercise().id))
    assert browser.http.post(action, data=fields).status_code == 200
    replay = browser.http.post(action, data=fields)
    assert replay.status_code == 400 and "the nonce check failed" in replay.text


def test_a_launch_posted_from_another_browser_is_refused_at_the_state(
    app: Flask, factory: Factory, lms: LMS, browsers
) -> None:
    action, fields = browsers().launch_form(LEARNERS[0], activity=activity_for(lms, factory.exercise().id))
    stranger = browsers()
    assert_refused(app, stranger, stranger.http.post(action, data=fields), 400, "the state check failed")


def test_an_unknown_kid_fetches_the_key_set_again_after_a_rotation(
    app: Flask, factory: Factory, lms: LMS, browsers
) -> None:
    link = activity_for(lms, factory.exercise().id)
    assert browsers().launch(LEARNERS[0], activity=link).status_code == 200
    assert browsers().launch(LEARNERS[1], activity=link).status_code == 200
    assert lms.jwks_requests == 1  # the key set is cached between launches
    lms.rotate_key()
    assert browsers().launch(LEARNERS[0], activity=link).status_code == 200
    assert lms.jwks_requests == 2  # the new kid made the tool fetch it again, once
    assert browsers().launch(LEARNERS[1], activity=link).status_code == 200
    assert lms.jwks_requests == 2


@pytest.mark.parametrize(
    ("person", "kind", "message"),
    [
        (
            Person(
                "mentor-1",
                "Pat Parent",
                "pat@example.edu",
                ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"],
            ),
            "resource",
            "have no place in Crosscheck",
        ),
        (LEARNERS[0], "deep_link", "Only instructors can add Crosscheck activities"),
    ],
)
def test_roles_that_cannot_do_this_are_forbidden(
    app: Flask, factory: Factory, lms: LMS, browser: Browser, person: Person, kind: str, message: str
) -> None:
    activity = activity_for(lms, factory.exercise().id) if kind == "resource" else None
    response = browser.launch(person, kind, activity)
    assert response.status_code == 403 and message in response.text
    assert accounts(app) == 0


def test_an_lms_administrator_teaches_but_is_never_an_admin(
    app: Flask, factory: Factory, lms: LMS, browser: Browser
) -> None:
    administrator = Person(
        "admin-9",
        "Ada Admin",
        "ada@example.edu",
        ["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"],
    )
    response = browser.launch(administrator, activity=activity_for(lms, factory.exercise().id))
    assert response.status_code == 200 and "/dashboard" in response.url
    with app.app_context():
        user = db.session().scalar(select(User).join(LtiAccount).where(LtiAccount.sub == "admin-9"))
        assert user.role == "instructor"
    assert browser.http.get(lms.tool + "/lti/platforms").status_code == 403
