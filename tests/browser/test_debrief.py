"""The debrief in Chromium: each explanation opens beside its span (mouse and keyboard), the
filter row, the flagged words in the accessibility tree, and no sideways scrolling on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app.models import Attempt, Cohort, Exercise
from tests.browser.steps import log_in
from tests.conftest import Factory

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
FLAGS = [
    ("mini-a", "about\u00a0500 fighters", "conflicting_number"),
    ("mini-a", "held the ridge", "unverified"),
    ("mini-a", "40 Americans", "conflicting_number"),
    ("mini-b", "550 men", "conflicting_number"),
]


@pytest.fixture
def debrief_url(app: Flask, factory: Factory, live_server: str) -> str:
    cohort: Cohort = factory.cohort("Debrief cohort")
    exercise: Exercise = factory.exercise(assign_to=cohort)
    user = factory.user("dana", cohort=cohort)
    attempt: Attempt
    attempt, _ = factory.attempt(user, exercise, flags=FLAGS, submit=True)
    return f"{live_server}/attempts/{attempt.id}/debrief"


def _open(page: Page, base_url: str, debrief_url: str) -> None:
    log_in(page, base_url, "dana")
    page.goto(debrief_url)
    expect(page.get_by_role("heading", name="What to learn")).to_be_visible()


def _base(url: str) -> str:
    return url.split("/attempts/")[0]


def test_a_marker_opens_its_explanation_beside_the_span_and_escape_closes_it(
    browser: Browser, debrief_url: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _open(page, _base(debrief_url), debrief_url)
    article = page.locator(".debrief-article").first
    marker = article.get_by_role("button", name="Note 1", exact=True)
    expect(marker).to_have_attribute("aria-expanded", "false")
    marker.click()
    card = article.locator(".note-card")
    expect(card).to_be_visible()
    expect(marker).to_have_attribute("aria-expanded", "true")
    expect(card).to_contain_text("Note 1")
    # Beside the span: in the margin right of the text, level with the marker.
    text_box = article.locator(".debrief-text").bounding_box()
    card_box = card.bounding_box()
    marker_box = marker.bounding_box()
    assert card_box["x"] >= text_box["x"] + text_box["width"] - 1
    assert abs(card_box["y"] - marker_box["y"]) < 40
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "debrief-1280.png"), full_page=False)
    page.screenshot(path=str(SHOTS / "debrief-1280-full.png"), full_page=True)

    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(marker).to_be_focused()
    expect(marker).to_have_attribute("aria-expanded", "false")

    # The keyboard: Tab reaches the next marker and opens its note; Escape closes; Enter and
    # Space open it again.
    page.keyboard.press("Tab")
    second = article.get_by_role("button", name="Note 2", exact=True)
    expect(second).to_be_focused()
    expect(card).to_contain_text("Note 2")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Note 2")
    page.keyboard.press("Escape")
    page.keyboard.press("Space")
    expect(card).to_contain_text("Note 2")
    # Clicking the span itself opens its note too.
    article.locator("mark", has_text="reportedly").click()
    expect(card).to_contain_text("Missed")
    expect(card).to_contain_text("reportedly")
    page.close()


def test_on_a_phone_the_explanation_opens_below_its_paragraph_and_nothing_scrolls_sideways(
    browser: Browser, debrief_url: str
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _open(page, _base(debrief_url), debrief_url)
    article = page.locator(".debrief-article").first
    marker = article.get_by_role("button", name="Note 1", exact=True)
    marker.click()
    card = article.locator(".note-card")
    expect(card).to_be_visible()
    assert marker.evaluate("(m) => m.closest('p').nextElementSibling.classList.contains('note-card')")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    SHOTS.mkdir(exist_ok=True)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "debrief-390.png"), full_page=False)
    page.screenshot(path=str(SHOTS / "debrief-390-full.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 700})
    page.reload()
    expect(page.get_by_role("heading", name="By category")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    # The category table scrolls inside its own box if it must, never the page.
    table_box = page.locator(".table-scroll", has=page.get_by_role("columnheader", name="Precision"))
    assert table_box.evaluate("(box) => getComputedStyle(box).overflowX") == "auto"
    page.close()


def test_the_filter_row_shows_my_flags_and_what_i_missed_first(browser: Browser, debrief_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _open(page, _base(debrief_url), debrief_url)
    show = page.get_by_role("group", name="Show")
    expect(show.get_by_role("radio", name="My flags and what I missed")).to_be_checked()
    notes = page.locator(".debrief .note")
    visible = page.locator(".debrief .note:visible")
    total = notes.count()
    expect(visible).to_have_count(total)  # every note is mine or missed here, decoys flagged included
    show.get_by_role("radio", name=re.compile("^Missed")).check()
    missed = visible.count()
    assert 0 < missed < total
    for index in range(missed):
        expect(visible.nth(index).locator(".status-label")).to_have_text("Missed")
    expect(page.locator(".debrief-text mark.mine-not_in_key")).to_have_class("mine mine-not_in_key filtered")
    show.get_by_role("radio", name="False positives").check()
    expect(visible.locator(".status-label").first).to_contain_text("False positive")
    expect(page.get_by_role("button", name="Note 1", exact=True)).to_be_hidden()
    show.get_by_role("radio", name=re.compile("^All")).check()
    expect(visible).to_have_count(total)
    page.close()


def test_flagged_and_key_spans_reach_the_accessibility_tree(browser: Browser, debrief_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _open(page, _base(debrief_url), debrief_url)
    tree = page.locator(".debrief-article").first.locator(".debrief-text").aria_snapshot()
    assert (
        "Found, Conflicting number: about\u00a0500 fighters" in tree
        or "Found, Conflicting number: about 500 fighters" in tree
    )
    assert "Missed, Unverified claim: reportedly" in tree
    assert "False positive, Unverified claim: held the ridge" in tree
    assert "mark" in tree
    assert 'button "Note 1"' in tree
    page.close()


def test_without_javascript_every_note_is_listed_and_markers_link_to_them(browser: Browser, debrief_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _open(page, _base(debrief_url), debrief_url)
    expect(page.get_by_role("group", name="Show")).to_be_hidden()
    notes = page.locator(".debrief .note")
    expect(page.locator(".debrief .note:visible")).to_have_count(notes.count())
    page.get_by_role("link", name="Note 1", exact=True).first.click()
    assert page.url.endswith("-1")
    context.close()
