"""The trainee workspace in Chromium: mouse and keyboard flagging, autosave offline, exact offsets,
links, submission, the debrief and an accessibility check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import db
from app.models import Attempt, Cohort, Flag
from tests.browser.steps import (
    NBSP_QUOTE,
    article_text,
    expect_saved,
    flag_item,
    flag_with_mouse,
    log_in,
    start_exercise,
    stored_flags,
)
from tests.conftest import PASSWORD, Factory

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def cohort(factory: Factory) -> Cohort:
    cohort = factory.cohort("Browser cohort")
    factory.exercise(assign_to=cohort)
    return cohort


def test_a_trainee_flags_links_goes_offline_submits_and_reads_the_debrief(
    page: Page, live_server: str, app: Flask, cohort: Cohort
) -> None:
    page.goto(f"{live_server}/register")
    page.get_by_label("Join code").fill(cohort.join_code.lower().replace("-", " "))
    page.get_by_label("Username").fill("rana")
    page.get_by_label("Display name").fill("Rana")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Not started")).to_be_visible()
    start_exercise(page)

    flag_with_mouse(page, "mini-a", NBSP_QUOTE, "Conflicting number")
    expect_saved(page, 1)
    flag_with_mouse(page, "mini-b", "550 men", "Conflicting number")
    expect_saved(page, 2)
    flag_with_mouse(page, "mini-a", "reportedly", "Loaded framing", note="by whom?")
    expect_saved(page, 3)

    # Edit one: the category was wrong.
    item = flag_item(page, "reportedly")
    item.get_by_text("Edit").click()
    item.get_by_label("Category").select_option(label="Unverified claim")
    expect_saved(page, 3)
    # Link the two figures from the panel.
    figure = flag_item(page, "550 men")
    figure.get_by_text("Edit").click()
    figure.get_by_role("checkbox", name="“about\u00a0500 fighters” Article 1, paragraph 1").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(figure.locator(".flag-links")).to_contain_text("Linked to:")

    page.reload()
    expect(page.locator("#flag-count")).to_have_text("3")
    expect(flag_item(page, "reportedly").locator(".badge")).to_have_text("Unverified claim")
    expect(flag_item(page, "reportedly").locator(".flag-note")).to_have_text("Note: by whom?")
    expect(flag_item(page, NBSP_QUOTE).locator(".flag-links")).to_contain_text("“550 men”")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "workspace.png"), full_page=True)

    page.context.set_offline(True)
    flag_with_mouse(page, "mini-b", "brutal regime", "Loaded framing")
    expect(page.locator("#save-status")).to_have_text("Offline: 1 change waiting")
    assert len(stored_flags(app)) == 3
    page.context.set_offline(False)
    expect_saved(page, 4)
    flags = {flag.quote: flag for flag in stored_flags(app)}
    assert set(flags) == {NBSP_QUOTE, "550 men", "reportedly", "brutal regime"}
    assert [target.quote for target in _links(app, flags["550 men"].id)] == [NBSP_QUOTE]
    assert flags["reportedly"].category == "unverified" and flags["reportedly"].note == "by whom?"

    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_role("row", name="Loaded framing 1")).to_be_visible()
    page.get_by_role("button", name="Submit my flags").click()
    expect(page.get_by_role("heading", name="Debrief: Mini exercise")).to_be_visible()
    expect(page.get_by_text("Scored against key version 1")).to_be_visible()
    expect(page.get_by_text("Reported by whom?")).to_be_visible()
    expect(page.get_by_role("heading", name="Size of the attacking force")).to_be_visible()
    page.screenshot(path=str(SHOTS / "debrief.png"), full_page=True)
    with app.app_context():
        assert db.session().scalar(select(Attempt.submitted_at)) is not None


def _links(app: Flask, flag_id: int) -> list[Flag]:
    with app.app_context():
        return list(db.session().get(Flag, flag_id).links)


def test_keyboard_only_flagging(page: Page, live_server: str, app: Flask, factory: Factory, cohort: Cohort) -> None:
    factory.user("kai", cohort=cohort)
    log_in(page, live_server, "kai")
    start_exercise(page)
    text = article_text(page, "mini-a")
    start = text.index("reportedly")
    page.locator("#text-mini-a").focus()
    for _ in range(start):
        page.keyboard.press("ArrowRight")
    for _ in range(len("reportedly")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    first_category = page.get_by_role("button", name="Unverified claim", exact=True)
    expect(first_category).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("who says?")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect_saved(page, 1)
    expect(page.locator("#text-mini-a")).to_be_focused()
    (flag,) = stored_flags(app)
    assert (flag.start, flag.end, flag.quote, flag.category, flag.note) == (
        start,
        start + 10,
        "reportedly",
        "unverified",
        "who says?",
    )


def test_offsets_are_exact_after_a_no_break_space_and_an_emoji(
    page: Page, live_server: str, app: Flask, factory: Factory, cohort: Cohort
) -> None:
    factory.user("noor", cohort=cohort)
    log_in(page, live_server, "noor")
    start_exercise(page)
    flag_with_mouse(page, "mini-a", "500 fighters", "Conflicting number")
    expect_saved(page, 1)
    flag_with_mouse(page, "mini-b", "described heavy shelling", "Unverified claim")
    expect_saved(page, 2)
    with app.app_context():
        texts = {article.ref: article.text for article in db.session().scalars(select(Attempt)).one().exercise.articles}
    nbsp_flag, emoji_flag = stored_flags(app)
    a_start = texts["mini-a"].index("500 fighters")
    assert texts["mini-a"][a_start - 1] == "\u00a0"
    assert (nbsp_flag.start, nbsp_flag.end, nbsp_flag.quote) == (a_start, a_start + 12, "500 fighters")
    b_start = texts["mini-b"].index("described heavy shelling")
    assert "\U0001f642" in texts["mini-b"][:b_start]
    # The browser counted one more (UTF-16) unit before the emoji's end; the server stores code points.
    assert (emoji_flag.start, emoji_flag.end, emoji_flag.quote) == (b_start, b_start + 24, "described heavy shelling")


def test_no_serious_accessibility_violations(
    browser: Browser, live_server: str, factory: Factory, cohort: Cohort
) -> None:
    user = factory.user("alma", cohort=cohort)
    exercise = factory.exercise()
    factory.attempt(
        user, exercise, flags=[("mini-a", "reportedly", "unverified"), ("mini-b", "550 men", "conflicting_number")]
    )
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        log_in(page, live_server, "alma")
        page.get_by_role("button", name="Continue Mini exercise").click()
        expect(page.locator("#flag-count")).to_have_text("2")
        flag_item(page, "550 men").get_by_text("Edit").click()
        assert _serious_violations(page) == []
        page.get_by_role("link", name="Review and submit").click()
        page.get_by_role("button", name="Submit my flags").click()
        expect(page.get_by_role("heading", name="Debrief: Mini exercise")).to_be_visible()
        assert _serious_violations(page) == []
    finally:
        context.close()


def _serious_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in result
        if violation["impact"] in ("serious", "critical")
    ]
