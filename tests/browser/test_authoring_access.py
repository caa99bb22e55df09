"""Authoring without a mouse drag: the key editor's keyboard selection and first-word/last-word
clicks, its conflict-group inputs, axe on the key editor, and the new-exercise form's layout,
required marks and the way it leads to the first error."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import db
from app.models import Exercise, Role
from scoring.types import KeyItem
from tests.browser.steps import article_text
from tests.browser.test_authoring import log_in_instructor
from tests.conftest import Factory

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SPAN = "attacked the outpost"


@pytest.fixture
def key_editor_url(live_server: str, factory: Factory) -> str:
    factory.user("ada", Role.ADMIN)
    exercise = factory.exercise()
    return f"{live_server}/instructor/exercises/{exercise.id}/key"


def open_key_editor(page: Page, live_server: str, url: str) -> None:
    log_in_instructor(page, live_server, "ada")
    page.goto(url)
    expect(page.locator("#key-editor[data-ready=yes]")).to_be_attached()


def saved_items(app: Flask) -> dict[str, KeyItem]:
    with app.app_context():
        exercise = db.session().scalar(select(Exercise))
        return {item.quote: item for item in exercise.key_versions[-1].items}


def word_centre(page: Page, ref: str, word: str) -> dict[str, float]:
    return page.evaluate(
        """([ref, word]) => {
            const node = document.getElementById(`text-${ref}`).firstChild;
            const start = node.data.indexOf(word);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + word.length);
            const rect = range.getClientRects()[0];
            return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
        }""",
        [ref, word],
    )


def test_authoring_key_editor_selects_and_adds_an_item_from_the_keyboard(
    page: Page, live_server: str, app: Flask, key_editor_url: str
) -> None:
    open_key_editor(page, live_server, key_editor_url)
    start = article_text(page, "mini-a").index(SPAN)
    page.locator("#text-mini-a").focus()
    for _ in range(start):
        page.keyboard.press("ArrowRight")
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    expect(page.locator("#selection-quote")).to_have_text(SPAN)
    page.keyboard.press("Enter")
    first = page.get_by_role("group", name="Add a key item of category").get_by_role(
        "button", name="+ Unverified claim"
    )
    expect(first).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # + Loaded framing
    item = page.locator("#items > li", has=page.locator(".flag-quote", has_text=f"“{SPAN}”"))
    expect(item).to_have_count(1)
    expect(item.locator(".badge")).to_have_text("Loaded framing")
    item.get_by_label("Explanation (shown in the debrief)").fill("Attacked by whom, says who?")
    page.get_by_role("button", name="Save the key").click()
    expect(page.locator("#save-message")).to_contain_text("Saved key version")
    added = saved_items(app)[SPAN]
    assert (added.article, added.start, added.end, added.category) == (
        "mini-a",
        start,
        start + len(SPAN),
        "loaded_framing",
    )


def test_authoring_key_editor_picks_a_span_by_clicking_its_first_and_last_word(
    page: Page, live_server: str, key_editor_url: str
) -> None:
    open_key_editor(page, live_server, key_editor_url)
    first = word_centre(page, "mini-a", "attacked")
    page.mouse.click(first["x"], first["y"])
    expect(page.locator("#selection-quote")).to_have_text("attacked")
    expect(page.locator("#selection-hint")).to_contain_text("Click or tap the last word")
    last = word_centre(page, "mini-a", "outpost")
    page.mouse.click(last["x"], last["y"])
    expect(page.locator("#selection-quote")).to_have_text(SPAN)
    page.get_by_role("button", name="+ Loaded framing").click()
    expect(page.locator("#items .flag-quote", has_text=f"“{SPAN}”")).to_have_count(1)
    expect(page.locator("#selection-bar")).to_be_hidden()


def test_authoring_key_editor_group_descriptions_are_readable_and_axe_is_clean(
    browser: Browser, live_server: str, key_editor_url: str
) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        open_key_editor(page, live_server, key_editor_url)
        widths = page.locator("#groups input").evaluate_all(
            "inputs => inputs.map((input) => input.getBoundingClientRect().width)"
        )
        assert len(widths) == 2 and min(widths) >= 150, widths
        page.screenshot(path="/tmp/shots/key_editor_groups.png", full_page=True)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run(document)).violations")
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]]) for v in violations if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
    finally:
        context.close()


def test_authoring_new_exercise_marks_required_fields_and_leads_to_the_first_error(
    page: Page, live_server: str, factory: Factory
) -> None:
    factory.user("ines", Role.INSTRUCTOR)
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in_instructor(page, live_server, "ines")
    page.goto(f"{live_server}/instructor/exercises/new")

    # B5: the "grouped" checkbox sits on the line of its label.
    box = page.get_by_role("group", name="Category 2", exact=True).get_by_role("checkbox")
    label = page.get_by_role("group", name="Category 2", exact=True).locator("label", has_text="conflict groups")
    box_rect, label_rect = box.bounding_box(), label.bounding_box()
    assert box_rect and label_rect
    assert label_rect["y"] <= box_rect["y"] + box_rect["height"] / 2 <= label_rect["y"] + label_rect["height"]
    assert box_rect["x"] < label_rect["x"]

    # B16: required fields are marked, and the marks are explained.
    star = "element => getComputedStyle(element, '::after').content"
    assert page.locator("label[for=title]").evaluate(star) == '" *"'
    slot = page.get_by_role("group", name="Article 1", exact=True)
    assert slot.get_by_text("Provenance (what the text tells of its origin)").evaluate(star) == '" *"'
    assert slot.get_by_text("Outlet", exact=True).evaluate(star) == "none"
    expect(page.get_by_text("are required")).to_be_visible()

    page.get_by_label("Title", exact=True).fill("Half done")
    page.get_by_label("Briefing (the situation; no hints at the answers)").fill("A briefing.")
    page.get_by_label("Instructions (how to flag, house rules)").fill("Flag things.")
    slot.get_by_label("Text (paste it here)").fill("Some pasted text about 12 people.")
    slot.get_by_label("Title (neutral, descriptive)").fill("A report")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below.")
    date = page.get_by_role("group", name="Article 1", exact=True).get_by_label("Date of the event")
    expect(date).to_be_focused()
    assert date.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
    expect(slot.get_by_label("Text (paste it here)")).to_have_value("Some pasted text about 12 people.")
