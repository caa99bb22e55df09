"""Progress in Chromium: the instructor compares two exercises (chart drawn, table read, another
pair chosen), the trainee reads their page; axe on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PASSWORD, Factory
from tests.instructor.progress_cohort import ProgressCohort, build_progress_cohort

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


@pytest.fixture
def cohort(factory: Factory, tmp_path: Path) -> ProgressCohort:
    return build_progress_cohort(factory, tmp_path)


def _log_in(page: Page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _no_axe_violations(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert violations == []


def test_the_instructor_compares_two_exercises_and_the_trainee_reads_their_progress(
    browser: Browser, live_server: str, cohort: ProgressCohort
) -> None:
    # CSP bypassed only so that axe-core can be injected; the pages' own scripts are all external.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        _log_in(page, live_server, "teacher")
        page.goto(f"{live_server}/instructor/cohorts/{cohort.cohort_id}")
        page.get_by_role("link", name="Progress between two exercises").click()
        expect(page.get_by_role("heading", name="From Mini exercise to Second exercise")).to_be_visible()
        score = page.locator("#progress-table tbody tr").first
        expect(score.locator("td")).to_have_text(["22.7", "13.6", "35.9", "23.1", "+22.7", "+22.7", "2", "1", "1"])
        # Chart.js drew the means it was handed: score, then each category in the first exercise's order.
        page.wait_for_function("() => window.Chart && Chart.getChart('progress-chart')")
        drawn = page.evaluate(
            "() => Chart.getChart('progress-chart').data.datasets.map(d => d.data.map(v => Math.round(v * 10) / 10))"
        )
        assert drawn == [[22.7, 41.7, 25.0, 33.3], [35.9, 66.7, 22.2, 44.4]]
        _no_axe_violations(page)

        page.get_by_label("First exercise (pre)").select_option(label="Second exercise")
        page.get_by_label("Later exercise (post)").select_option(label="Mini exercise")
        page.get_by_role("button", name="Compare").click()
        expect(page.get_by_role("heading", name="From Second exercise to Mini exercise")).to_be_visible()
        expect(score.locator("td").nth(4)).to_have_text("-22.7")
        assert errors == []

        page.get_by_role("button", name="Log out").click()
        _log_in(page, live_server, "bob")
        page.get_by_role("link", name="My progress").click()
        expect(page.get_by_role("heading", name="My progress")).to_be_visible()
        rows = page.locator("#my-progress tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(2).get_by_role("rowheader")).to_contain_text("attempt 2")
        expect(rows.nth(2).locator("td").nth(1)).to_have_text("23 / 100")
        _no_axe_violations(page)
        assert errors == []
    finally:
        context.close()
