"""The instructor dashboard in Chromium: the first screen, sorting and filtering the trainees,
the heatmap from the keyboard, accepting a near miss's span, axe on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD, Factory
from tests.instructor.dashboard_cohort import FixedCohort, add_near_misses, build_fixed_cohort

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return add_near_misses(factory, build_fixed_cohort(factory))


def test_an_instructor_reads_the_first_screen_sorts_filters_and_accepts_a_near_miss(
    browser: Browser, live_server: str, fixed: FixedCohort
) -> None:
    SHOTS.mkdir(exist_ok=True)
    # CSP bypassed only so that axe-core can be injected; the page's own scripts are all external.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        _walk_through(context.new_page(), live_server, fixed)
    finally:
        context.close()


def _walk_through(page: Page, live_server: str, fixed: FixedCohort) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Cohorts")).to_be_visible()
    page.goto(live_server + fixed.url())
    glance = page.locator("section.glance")
    expect(glance.get_by_role("heading", name="At a glance")).to_be_in_viewport()
    expect(glance.locator("#glance-missed li")).to_have_count(3)
    expect(glance.locator("#glance-false-positives li").first).to_contain_text("40 Americans")
    expect(glance.locator("#attention")).to_contain_text("Not started (1): Erin")
    page.screenshot(path=str(SHOTS / "dashboard_first_screen.png"))

    # Trainees: the header buttons sort, the text box filters.
    table = page.locator("#trainees")
    names = table.locator("tbody th[scope=row] a")
    expect(names.first).to_have_text("Alice")
    table.get_by_role("button", name="Score").click()
    expect(table.locator("thead th").nth(2)).to_have_attribute("aria-sort", "ascending")
    expect(names.first).to_have_text("Bob")  # 0 first; the unscored last
    table.get_by_role("button", name="Score").click()
    expect(names.first).to_have_text("Alice")
    page.get_by_label("Filter trainees").fill("not started")
    expect(table.locator("tbody tr:visible")).to_have_count(1)
    expect(page.locator("#trainee-count")).to_have_text("1 of 7 trainees shown")
    page.get_by_label("Filter trainees").fill("")

    # Heatmap: one Tab stop per article, arrow keys inside, Enter lists the flags.
    first = page.locator(".heatmap").first.locator("[tabindex='0']")
    first.focus()
    page.keyboard.press("ArrowRight")
    focused = page.locator(".heatmap [data-at]:focus")
    expect(focused).to_have_attribute("tabindex", "0")
    expect(page.locator(".heatmap").first.locator("[tabindex='0']")).to_have_count(1)
    assert "flag" in (focused.get_attribute("aria-label") or "")
    page.keyboard.press("Enter")
    expect(page.locator("#hotspot-status")).to_contain_text("cover this spot")

    # axe-core: no violations on the dashboard.
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert violations == []

    # The near miss: "battle" beside "three–hour battle"; one click accepts it and rescores.
    near = page.locator("#near-misses article.near-miss")
    expect(near).to_have_count(1)
    expect(near.locator("mark").first).to_have_text("battle")
    near.get_by_role("button", name="Accept “battle” for this item and rescore").click()
    expect(page.locator(".flash").first).to_contain_text("Key version 2 saved")
    expect(page.locator("#near-misses")).to_contain_text("No key item was flagged beside")
    assert [error for error in errors if "404" not in error] == []  # /favicon.ico (B10) is another session's


def test_the_dashboard_and_cohort_page_reflow_at_320_px(browser: Browser, live_server: str, fixed: FixedCohort) -> None:
    # WCAG 1.4.10: no sideways scroll at 320 CSS px; wide tables scroll inside their own box
    context = browser.new_context(viewport={"width": 320, "height": 700})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("Username").fill("teacher")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="Cohorts")).to_be_visible()
        for path in (fixed.url(), f"/instructor/cohorts/{fixed.cohort_id}"):
            page.goto(live_server + path)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            # what widens the page: anything past the edge that no scrolling box holds
            wide = page.evaluate(
                """[...document.querySelectorAll('body *')].filter(e => {
                    if (e.getBoundingClientRect().right <= 321) return false;
                    for (let p = e.parentElement; p; p = p.parentElement)
                        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
                    return true;
                }).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
            )
            assert width <= 320, (path, width, wide)
    finally:
        context.close()
