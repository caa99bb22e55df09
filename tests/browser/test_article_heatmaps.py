"""A large exercise's dashboard in Chromium: an article's heatmap opens in place from the keyboard,
its hot spots list their flags; without JavaScript the article's link opens its heatmap page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD, Factory
from tests.instructor.dashboard_cohort import LARGE_ARTICLES, FixedCohort, build_large_cohort

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture
def large(factory: Factory, tmp_path: Path) -> FixedCohort:
    return build_large_cohort(factory, tmp_path)


def log_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Cohorts")).to_be_visible()


def test_an_article_opened_from_the_keyboard_shows_its_hot_spots(
    browser: Browser, live_server: str, large: FixedCohort
) -> None:
    # CSP bypassed only so that axe-core can be injected; the page's own scripts are all external.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        log_in(page, live_server)
        page.goto(live_server + large.url())
        articles = page.locator("details.heatmap-article")
        expect(articles).to_have_count(LARGE_ARTICLES)
        expect(page.locator(".heatmap")).to_have_count(0)
        first = articles.first
        expect(first.locator("summary")).to_contain_text("2 flags; at most 2 on one spot")

        first.locator("summary").focus()
        page.keyboard.press("Enter")
        heatmap = first.locator(".heatmap")
        expect(heatmap).to_be_visible()
        expect(first.get_by_role("link")).to_have_count(0)
        expect(page.locator(".heatmap")).to_have_count(1)  # the others stay closed and unloaded

        # Alice's words 0–3 and Bob's 2–5: one flag, then two on the overlap.
        heatmap.locator("[tabindex='0']").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#hotspot-status")).to_have_text("1 flag cover this spot:")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        expect(page.locator("#hotspot-status")).to_have_text("2 flags cover this spot:")
        expect(page.locator("#hotspot-flags li")).to_have_count(2)
        expect(page.locator("#hotspot-flags")).to_contain_text("Alice")
        expect(page.locator("#hotspot-flags")).to_contain_text("Bob")

        # Closed and opened again: the heatmap is kept, not fetched twice.
        page.keyboard.press("Shift+Tab")
        first.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(heatmap).to_be_hidden()
        page.keyboard.press("Enter")
        expect(page.locator(".heatmap")).to_have_count(1)

        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
        )
        assert violations == []
        assert [error for error in errors if "404" not in error] == []  # /favicon.ico
    finally:
        context.close()


def test_without_javascript_the_articles_link_opens_its_heatmap_page(
    browser: Browser, live_server: str, large: FixedCohort
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server)
        page.goto(live_server + large.url())
        first = page.locator("details.heatmap-article").first
        first.locator("summary").click()
        first.get_by_role("link", name="The heatmap of Synthetic article 0").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Synthetic article 0")
        heatmap = page.locator(".heatmap")
        expect(heatmap).to_have_count(1)
        expect(heatmap.locator("[data-at]").first).to_have_attribute("aria-label", re.compile("^1 flag: “"))
        expect(heatmap.locator("[data-at]").nth(1)).to_have_attribute("aria-label", re.compile("^2 flags: “"))
        page.get_by_role("link", name="← Dashboard of A SemEval-sized exercise").click()
        expect(page.locator("details.heatmap-article")).to_have_count(LARGE_ARTICLES)
    finally:
        context.close()
