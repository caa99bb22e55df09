"""In the browser: an instructor comments on a trainee's flag and gives a point, the trainee is told
on "My exercises" and reads it in the debrief; an instructor releases the cohort view and the
trainee sees where the cohort flagged."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD, Factory
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


def log_in(page: Page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_comment_on_a_flag_reaches_the_trainee(browser: Browser, live_server: str, fixed: FixedCohort) -> None:
    teacher = browser.new_context().new_page()
    errors: list[str] = []
    teacher.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(teacher, live_server, "teacher")
    teacher.goto(live_server + fixed.url(f"trainees/{fixed.users['alice']}"))
    flag = teacher.locator(".feedback-flag").filter(has=teacher.locator("q", has_text=re.compile("^reportedly$")))
    flag.get_by_label("Comment on this flag").fill("Right: <who> reported it?")
    flag.get_by_role("button", name="Comment").click()
    expect(teacher.get_by_text("Comment saved; the trainee sees it in their debrief.")).to_be_visible()
    flag = teacher.locator(".feedback-flag").filter(has=teacher.locator("q", has_text=re.compile("^reportedly$")))
    flag.get_by_label("Instructor points (0 removes)").fill("1")
    flag.get_by_role("button", name="Set points").click()
    expect(teacher.locator("#feedback-" + str(fixed.attempts["alice"])).locator(".final-score")).to_have_text(
        "Score: automatic 55 + instructor +1 = 56 / 100"
    )

    trainee = browser.new_context().new_page()
    log_in(trainee, live_server, "alice")
    notice = trainee.get_by_role("status").filter(has_text="New comments from your instructor")
    expect(notice).to_contain_text("1 unread comment")
    notice.get_by_role("link").click()
    feedback = trainee.locator("#feedback")
    expect(feedback.get_by_text("Right: <who> reported it?")).to_be_visible()
    expect(feedback.get_by_text("new", exact=True)).to_be_visible()
    expect(feedback.locator(".final-score")).to_have_text("Score: automatic 55 + instructor +1 = 56 / 100")
    trainee.goto(f"{live_server}/exercises")
    expect(trainee.get_by_text("New comments from your instructor")).to_have_count(0)
    assert errors == []


def test_released_cohort_view_shows_in_the_debrief(browser: Browser, live_server: str, fixed: FixedCohort) -> None:
    trainee = browser.new_context().new_page()
    log_in(trainee, live_server, "bob")
    trainee.goto(f"{live_server}/attempts/{fixed.attempts['bob']}/debrief")
    expect(trainee.get_by_role("heading", name="Where your cohort flagged")).to_have_count(0)

    teacher = browser.new_context().new_page()
    log_in(teacher, live_server, "teacher")
    teacher.goto(f"{live_server}/instructor/cohorts/{fixed.cohort_id}")
    teacher.get_by_role("button", name="Show trainees the cohort view after the deadline").click()
    teacher.get_by_role("button", name="Release the cohort view").click()
    expect(teacher.get_by_text("The cohort view is released")).to_be_visible()

    trainee.reload()
    view = trainee.locator("#cohort-view")
    expect(view.get_by_role("heading", name="Where your cohort flagged")).to_be_visible()
    expect(view).to_contain_text("3 submissions")
    expect(view.locator(".cohort-own li").filter(has_text="reportedly")).to_have_text(
        "reportedly: 2 of 3 submissions flagged words here"
    )
    expect(view.locator(".heatmap [class*='heat-']").first).to_be_attached()
    expect(view).not_to_contain_text("Alice")
