"""The workspace beyond the mouse: the status bar while scrolling, linking from the toolbar by
keyboard, number keys, the toolbar's focus, flags a screen reader can hear, focus styling and its
contrast, flagging on a phone without dragging, and reflow at 320 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app import db
from app.models import Flag
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
from tests.conftest import Factory

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")

# The contrast of the focused element's outline against the background it is drawn on (the
# nearest ancestor with a background), as WCAG 2 defines contrast.
FOCUS_RING = """() => {
  const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const linear = (value) => { value /= 255; return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let behind = [255, 255, 255];
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = channels(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { behind = colour; break; }
  }
  const [light, dark] = [luminance(channels(style.outlineColor)), luminance(behind)].sort((a, b) => b - a);
  return { element: `${element.tagName} ${(element.textContent || "").trim().slice(0, 30)}`, style: style.outlineStyle,
           width: parseFloat(style.outlineWidth), ratio: (light + 0.05) / (dark + 0.05) };
}"""


@pytest.fixture
def trainee(factory: Factory) -> str:
    cohort = factory.cohort("Access cohort")
    factory.exercise(assign_to=cohort)
    factory.user("lena", cohort=cohort)
    return "lena"


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    yield context
    context.close()


def select_in(page: Page, ref: str, quote: str) -> None:
    """Select ``quote`` as Shift+arrows would, then focus the text (keyboard mode)."""
    page.locator(f"#text-{ref}").focus()
    page.evaluate(
        """([ref, quote]) => {
            const node = document.getElementById(`text-${ref}`).firstChild;
            const start = node.data.indexOf(quote);
            window.getSelection().setBaseAndExtent(node, start, node, start + quote.length);
        }""",
        [ref, quote],
    )


def word_centre(page: Page, ref: str, word: str) -> dict[str, float]:
    return page.evaluate(
        """([ref, word]) => {
            const node = document.getElementById(`text-${ref}`).firstChild;
            const start = node.data.indexOf(word);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + word.length);
            node.parentElement.scrollIntoView({ block: "center" });
            const rect = range.getClientRects()[0];
            return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
        }""",
        [ref, word],
    )


def in_viewport(page: Page, selector: str) -> bool:
    return bool(
        page.locator(selector).evaluate(
            "element => { const r = element.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }"
        )
    )


def test_workspace_status_bar_stays_on_screen_while_scrolling_offline(
    page: Page, live_server: str, app: Flask, trainee: str
) -> None:
    page.set_viewport_size({"width": 1280, "height": 560})
    log_in(page, live_server, trainee)
    start_exercise(page)
    page.context.set_offline(True)
    flag_with_mouse(page, "mini-b", "brutal regime", "Loaded framing")
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    assert page.evaluate("window.scrollY") > 150
    expect(page.locator("#save-status")).to_have_text("Offline: 1 change waiting")
    assert in_viewport(page, "#save-status")
    assert in_viewport(page, "#review-link")
    expect(page.locator("#sync-notice")).to_have_text("Flagged “brutal regime” as Loaded framing.")
    assert in_viewport(page, "#sync-notice")
    page.context.set_offline(False)
    expect_saved(page, 1)
    assert in_viewport(page, "#save-status")
    assert [flag.quote for flag in stored_flags(app)] == ["brutal regime"]


def test_workspace_links_a_figure_from_the_toolbar_by_keyboard_with_number_keys(
    page: Page, live_server: str, app: Flask, trainee: str
) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    flag_with_mouse(page, "mini-a", NBSP_QUOTE, "Conflicting number")
    expect_saved(page, 1)

    select_in(page, "mini-b", "550 men")
    page.keyboard.press("Enter")
    toolbar = page.get_by_role("dialog", name="Flag the selected words")
    expect(toolbar.get_by_role("button", name="Unverified claim", exact=True)).to_be_focused()
    expect(toolbar.get_by_role("group", name="Link to:")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("Tab")
    option = toolbar.get_by_role("checkbox", name=f"“{NBSP_QUOTE}” Article 1, paragraph 1")
    expect(option).to_be_focused()
    # Focusing the option shows the figure it would link to.
    assert page.evaluate("CSS.highlights.get('flag-link').size") == 1
    page.keyboard.press("Space")
    expect(option).to_be_checked()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "workspace-link-to.png"))
    page.keyboard.press("2")  # the second category: Conflicting number
    expect(toolbar).to_be_hidden()
    expect_saved(page, 2)
    expect(page.locator("#text-mini-b")).to_be_focused()
    flags = {flag.quote: flag for flag in stored_flags(app)}
    assert flags["550 men"].category == "conflicting_number"
    with app.app_context():
        assert [target.quote for target in db.session().get(Flag, flags["550 men"].id).links] == [NBSP_QUOTE]

    # Compact cards: article and paragraph, not the article's title.
    card = flag_item(page, "550 men")
    expect(card.locator(".flag-where [aria-hidden=true]")).to_have_text("A2 ¶1")
    expect(card).not_to_contain_text(page.locator("#title-mini-b").inner_text())
    # Focusing a link shows both ends, in the text and in the panel.
    chip = card.get_by_role("button", name=f"Show the linked figure {NBSP_QUOTE} (Article 1, paragraph 1)")
    chip.focus()
    assert page.evaluate("CSS.highlights.get('flag-link').size") == 2
    expect(page.locator("#flags li.link-end")).to_have_count(2)
    chip.blur()
    expect(page.locator("#flags li.link-end")).to_have_count(0)
    chip.hover()
    expect(page.locator("#flags li.link-end")).to_have_count(2)


def test_workspace_number_keys_choose_categories_and_not_in_the_note(
    page: Page, live_server: str, app: Flask, trainee: str
) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    select_in(page, "mini-a", "reportedly")
    page.keyboard.press("Enter")
    page.locator("#toolbar-note").press_sequentially("says 3 people")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("3")
    expect_saved(page, 1)
    (flag,) = stored_flags(app)
    assert (flag.quote, flag.category, flag.note) == ("reportedly", "loaded_framing", "says 3 people")


def test_workspace_toolbar_closes_on_tab_past_its_end_and_on_escape(page: Page, live_server: str, trainee: str) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    toolbar = page.get_by_role("dialog", name="Flag the selected words")
    select_in(page, "mini-a", "reportedly")
    page.keyboard.press("Enter")
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(toolbar).to_be_hidden()
    expect(page.locator("#text-mini-a")).to_be_focused()

    select_in(page, "mini-a", "reportedly")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    expect(toolbar).to_be_hidden()

    select_in(page, "mini-a", "reportedly")
    page.keyboard.press("Enter")
    toolbar.get_by_label("Note (optional)").focus()
    page.keyboard.press("Escape")
    expect(toolbar).to_be_hidden()
    expect(page.locator("#text-mini-a")).to_be_focused()


def test_workspace_flagged_words_and_their_category_reach_the_accessibility_tree(
    page: Page, live_server: str, factory: Factory, trainee: str
) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    article = page.locator("article", has=page.locator("#text-mini-a"))
    assert "Unverified claim" not in article.aria_snapshot()
    flag_with_mouse(page, "mini-a", "reportedly", "Unverified claim", note="by whom?")
    expect_saved(page, 1)
    snapshot = article.aria_snapshot()
    assert 'list "Flagged in A short wire report"' in snapshot, snapshot
    assert "mark: reportedly" in snapshot, snapshot
    assert "flagged as Unverified claim, article 1, paragraph 1. Note: by whom?" in snapshot, snapshot
    # The article itself is still one text node, so offsets are unchanged.
    assert page.locator("#text-mini-a").evaluate("element => element.childNodes.length") == 1
    assert "reportedly" in article_text(page, "mini-a")


def test_workspace_pointer_focus_has_no_keyboard_styling_and_the_focus_ring_has_contrast(
    page: Page, live_server: str, trainee: str
) -> None:
    log_in(page, live_server, trainee)
    start_exercise(page)
    text = page.locator("#text-mini-a")
    text.click(position={"x": 5, "y": 5})
    expect(text).to_be_focused()
    assert text.evaluate("element => element.matches(':focus-visible')") is False
    assert text.evaluate("element => getComputedStyle(element).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert text.evaluate("element => getComputedStyle(element).outlineStyle") == "none"

    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    rings: list[dict[str, Any]] = []
    for _ in range(16):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if not ring["element"].startswith("BODY"):
            rings.append(ring)
    weak = [ring for ring in rings if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3]
    assert not weak, weak
    assert any(ring["element"].startswith("DIV") for ring in rings)  # the article text was reached


def test_workspace_a_span_is_flagged_on_a_phone_by_tapping_its_first_and_last_word(
    phone: BrowserContext, live_server: str, app: Flask, trainee: str
) -> None:
    page = phone.new_page()
    log_in(page, live_server, trainee)
    start_exercise(page)
    first = word_centre(page, "mini-b", "described")
    page.touchscreen.tap(first["x"], first["y"])
    expect(page.locator("#sync-notice")).to_contain_text("Starts at “described”")
    toolbar = page.get_by_role("dialog", name="Flag the selected words")
    expect(toolbar).to_be_hidden()
    last = word_centre(page, "mini-b", "shelling")
    page.touchscreen.tap(last["x"], last["y"])
    expect(toolbar).to_be_visible()
    expect(toolbar.locator("#toolbar-quote")).to_have_text("described heavy shelling")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "workspace-390-toolbar.png"))
    toolbar.get_by_role("button", name="Unverified claim", exact=True).tap()
    expect_saved(page, 1)
    (flag,) = stored_flags(app)
    assert (flag.quote, flag.category) == ("described heavy shelling", "unverified")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "workspace-390.png"), full_page=True)

    # One word: the same word twice. A tap away from the toolbar starts again from that word.
    for word in ("brutal", "brutal"):
        point = word_centre(page, "mini-b", word)
        page.touchscreen.tap(point["x"], point["y"])
    expect(toolbar.locator("#toolbar-quote")).to_have_text("brutal")
    point = word_centre(page, "mini-b", "regime")
    page.touchscreen.tap(point["x"], point["y"])
    expect(toolbar).to_be_hidden()
    expect(page.locator("#sync-notice")).to_contain_text("Starts at “regime”")
    point = word_centre(page, "mini-b", "brutal")
    page.touchscreen.tap(point["x"], point["y"])
    expect(toolbar.locator("#toolbar-quote")).to_have_text("brutal regime")
    toolbar.get_by_role("button", name="Loaded framing", exact=True).tap()
    expect_saved(page, 2)
    assert [flag.quote for flag in stored_flags(app)] == ["described heavy shelling", "brutal regime"]


def test_workspace_reflows_at_320_px_and_loads_without_errors(page: Page, live_server: str, trainee: str) -> None:
    failed: list[str] = []
    page.on(
        "response",
        lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, live_server, trainee)
    start_exercise(page)
    flag_with_mouse(page, "mini-a", "reportedly", "Unverified claim")
    expect_saved(page, 1)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "workspace-1280.png"))
    page.evaluate("window.scrollTo(0, 700)")
    page.screenshot(path=str(SHOTS / "workspace-1280-scrolled.png"))
    assert failed == []
