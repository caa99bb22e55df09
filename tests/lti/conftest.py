"""The tool served on 127.0.0.1, a test LMS (lti1p3platform) registered in it, and a browser
(requests with a cookie jar) that follows the LMS's redirects and auto-submitted forms."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from typing import Any

import pytest
import requests
from flask import Flask

from app import db
from app.models import LtiDeployment, LtiPlatform
from tests.conftest import served
from tests.lti.platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER, LMS, Activity, Person

FORM_ACTION = re.compile(r'<form[^>]*action="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')

TEACHER = Person("teacher-1", "Tess Teacher", "tess@example.edu", [INSTRUCTOR])
LEARNERS = [
    Person("learner-1", "Lee Learner", "lee@example.edu", [LEARNER]),
    Person("learner-2", "Kim Student", "kim@example.edu", [LEARNER]),
]


@pytest.fixture
def tool(app: Flask) -> Iterator[str]:
    """The app under test, served in a thread on 127.0.0.1 so the LMS can call it."""
    with served(app) as url:
        yield url


def register(app: Flask, lms: LMS, **changes: Any) -> int:
    """Register the LMS in the tool as the admin would (the form is tested on its own)."""
    with app.app_context():
        session = db.session()
        platform = LtiPlatform(
            name="Test LMS",
            issuer=lms.issuer,
            client_id=CLIENT_ID,
            auth_login_url=lms.url("/authorize"),
            auth_token_url=lms.url("/token"),
            key_set_url=lms.url("/jwks"),
            roster_sync=True,
            deployments=[LtiDeployment(deployment_id=DEPLOYMENT_ID)],
        )
        for name, value in changes.items():
            setattr(platform, name, value)
        session.add(platform)
        session.commit()
        return platform.id


@pytest.fixture
def lms(app: Flask, tool: str) -> Iterator[LMS]:
    platform = LMS(tool=tool)
    platform.people = [TEACHER, *LEARNERS]
    platform.start()
    register(app, platform)
    try:
        yield platform
    finally:
        platform.stop()


def parse_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form on a page (what an auto-submit script posts)."""
    action = FORM_ACTION.search(page)
    assert action, page[:500]
    return unescape(action.group(1)), {name: unescape(value) for name, value in HIDDEN.findall(page)}


class Browser:
    """One person's browser: a cookie jar that goes where the LMS and the tool send it."""

    def __init__(self, lms: LMS) -> None:
        self.lms = lms
        self.http = requests.Session()

    def launch_form(
        self, person: Person, kind: str = "resource", activity: Activity | None = None, **claims: Any
    ) -> tuple[str, dict[str, str]]:
        """Start a launch in the LMS and stop at the form the LMS posts to the tool."""
        login = self.http.get(self.lms.login_url(person, kind, activity, **claims), allow_redirects=False)
        assert login.status_code == 302, login.text
        assert login.headers["Location"].startswith(self.lms.url("/authorize"))
        return parse_form(self.http.get(login.headers["Location"]).text)

    def launch(
        self,
        person: Person,
        kind: str = "resource",
        activity: Activity | None = None,
        *,
        tamper: Callable[[dict[str, str]], dict[str, str]] | None = None,
        **claims: Any,
    ) -> requests.Response:
        """A whole launch: the LMS's login initiation, the OIDC round trip, the POST to the tool."""
        action, fields = self.launch_form(person, kind, activity, **claims)
        return self.http.post(action, data=tamper(fields) if tamper else fields)

    def post_form(self, url: str, data: dict[str, Any], page: requests.Response | None = None) -> requests.Response:
        """POST a tool form with the CSRF token of ``page`` (default: the page at ``url``)."""
        source = page if page is not None else self.http.get(url)
        token = CSRF_META.search(source.text)
        assert token, source.text[:500]
        return self.http.post(url, data={"csrf_token": token.group(1), **data})

    def add_activity(self, tool: str, exercise_id: int, **fields: Any) -> requests.Response:
        """The instructor's "add activity": deep linking launch, pick the exercise, post the answer to the LMS."""
        picker = self.launch(TEACHER, "deep_link")
        assert picker.url == tool + "/lti/deep-link/pick", picker.text[:500]
        answer = self.post_form(picker.url, {"exercise_id": exercise_id, **fields}, page=picker)
        assert answer.status_code == 200, answer.text[:800]
        action, hidden = parse_form(answer.text.split("<main", 1)[1])
        return self.http.post(action, data=hidden)


@pytest.fixture
def browser(lms: LMS) -> Browser:
    return Browser(lms)


@pytest.fixture
def browsers(lms: LMS) -> Callable[[], Browser]:
    return lambda: Browser(lms)


def activity_for(lms: LMS, exercise_id: int, **custom: str) -> Activity:
    """A link in the course to the exercise, with a gradebook column, as deep linking would leave it."""
    line = lms.add_lineitem({"label": "Mini exercise", "scoreMaximum": 100})
    made = Activity(
        resource_link_id=f"link-{len(lms.activities) + 1}",
        title="Mini exercise",
        url=lms.tool + "/lti/launch",
        custom={"crosscheck_exercise": str(exercise_id), **custom},
        lineitem_id=line["id"].rsplit("/", 1)[1],
    )
    lms.activities.append(made)
    return made
