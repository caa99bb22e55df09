"""One whole LTI launch in Chromium: from the LMS's link, through the OIDC round trip and the LMS's
auto-submitted form, into the workspace; and the deep-linking answer posted back to the LMS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.conftest import Factory
from tests.lti.conftest import LEARNERS, TEACHER, register
from tests.lti.platform import LMS

pytestmark = pytest.mark.browser


@pytest.fixture
def lms(app: Flask, live_server: str) -> Iterator[LMS]:
    platform = LMS(tool=live_server)
    platform.start()
    register(app, platform)
    try:
        yield platform
    finally:
        platform.stop()


def test_an_instructor_adds_the_exercise_and_a_learner_launches_into_it(
    page: Page, factory: Factory, lms: LMS, live_server: str
) -> None:
    factory.exercise()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text and live_server in page.url
            else None
        ),
    )

    page.goto(lms.login_url(TEACHER, "deep_link"))
    expect(page.get_by_role("heading", name="Add an exercise to the course")).to_be_visible()
    page.get_by_label("Exercise", exact=True).select_option(label="Mini exercise")
    page.get_by_label("Attempts allowed").fill("2")
    page.get_by_role("button", name="Add to the course").click()
    # The signed answer posts itself back to the LMS, which adds the activity.
    expect(page.get_by_text("Added: Mini exercise")).to_be_visible()
    [activity] = lms.activities

    page.context.clear_cookies()
    page.goto(lms.login_url(LEARNERS[0], activity=activity))
    expect(page.get_by_role("heading", name="Mini exercise", level=1)).to_be_visible()
    assert "/attempts/" in page.url and page.url.startswith(live_server)
    expect(page.get_by_text("Lee Learner (trainee)")).to_be_visible()
    assert violations == []
