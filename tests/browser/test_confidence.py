"""Picking a confidence for a flag in Chromium: with the mouse in the toolbar, with the keyboard
alone (Tab to the scale, arrow keys to choose, a number key for the category), and changing it
in the side panel."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app import db
from app.models import Exercise
from tests.browser.steps import article_text, drag_over, expect_saved, flag_item, log_in, start_exercise, stored_flags
from tests.conftest import Factory

pytestmark = pytest.mark.browser


@pytest.fixture
def trainee(app: Flask, factory: Factory) -> str:
    """A trainee in a cohort set the mini exercise, which asks for confidence."""
    cohort = factory.cohort("Confident cohort")
    exercise = factory.exercise(assign_to=cohort)
    with app.app_context():
        session = db.session()
        session.execute(update(Exercise).where(Exercise.id == exercise.id).values(asks_confidence=True))
        session.commit()
    factory.user("cora", cohort=cohort)
    return "cora"


def test_picking_a_confidence_with_the_mouse_and_changing_it(
    page: Page, live_server: str, app: Flask, trainee: str
) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    drag_over(page, "mini-a", "reportedly")
    toolbar = page.get_by_role("dialog", name="Flag the selected words")
    expect(toolbar).to_be_visible()
    scale = toolbar.get_by_role("group", name="How sure are you that this is a problem?")
    expect(scale.get_by_role("radio")).to_have_count(4)
    scale.get_by_role("radio", name="Likely", exact=True).click()
    toolbar.get_by_role("button", name="Unverified claim", exact=True).click()
    expect_saved(page, 1)
    expect(page.locator("#sync-notice")).to_contain_text("as Unverified claim, likely")
    item = flag_item(page, "reportedly")
    expect(item.locator(".flag-confidence")).to_have_text("Confidence: Likely")
    assert [flag.confidence for flag in stored_flags(app)] == ["likely"]

    item.locator("summary", has_text="Edit").click()
    item.get_by_label("Confidence").select_option(label="Unlikely")
    expect(item.locator(".flag-confidence")).to_have_text("Confidence: Unlikely")
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert [flag.confidence for flag in stored_flags(app)] == ["unlikely"]

    # The next selection starts with no confidence chosen: none is carried over.
    drag_over(page, "mini-b", "brutal regime")
    expect(toolbar).to_be_visible()
    expect(scale.locator("input:checked")).to_have_count(0)
    toolbar.get_by_role("button", name="Loaded framing", exact=True).click()
    expect_saved(page, 2)
    assert [flag.confidence for flag in stored_flags(app)] == ["unlikely", None]


def test_picking_a_confidence_with_the_keyboard_alone(page: Page, live_server: str, app: Flask, trainee: str) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    text = article_text(page, "mini-b")
    start = text.index("brutal regime")
    page.locator("#text-mini-b").focus()
    for _ in range(start):
        page.keyboard.press("ArrowRight")
    for _ in range(len("brutal regime")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    toolbar = page.get_by_role("dialog", name="Flag the selected words")
    expect(toolbar.get_by_role("button", name="Unverified claim", exact=True)).to_be_focused()
    for _ in range(3):  # past the three category buttons, into the scale
        page.keyboard.press("Tab")
    expect(toolbar.get_by_role("radio", name="Almost certain")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(toolbar.get_by_role("radio", name="Roughly even")).to_be_checked()
    page.keyboard.press("3")  # the third category, Loaded framing
    expect_saved(page, 1)
    expect(page.locator("#text-mini-b")).to_be_focused()
    (flag,) = stored_flags(app)
    assert (flag.quote, flag.category, flag.confidence) == ("brutal regime", "loaded_framing", "roughly_even")
