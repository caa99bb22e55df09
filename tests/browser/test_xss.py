"""XSS payloads in notes, names, cohort names, article titles and texts and key explanations stay
inert text: no script runs, no dialog opens, no CSP violation fires, and the payload reads as text.

A CSP violation is the sharper check: if a payload were ever inserted as markup, the CSP would
stop its script but report the attempt, so the test fails even though nothing ran.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import update

from app import db
from app.models import Flag, Role, User
from tests.conftest import MINI_PACKAGE, PASSWORD, Factory

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
SVG = '"><svg onload=window.__xss=1>'
JS_URL = "javascript:window.__xss=1"
TITLE = f"Wire {SVG} report"
ARTICLE_LINE = f"Appendix {IMG} and {SCRIPT} end."
EXPLANATION = f"Explained {SVG} {JS_URL}"
NOTE = f"My note {IMG} {JS_URL}"
DISPLAY_NAME = f"Tess {SCRIPT}"
COHORT_NAME = f"Cohort {IMG}"

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def hostile_package(tmp_path: Path) -> Path:
    """The mini exercise with payloads in an article's title and text and in a key explanation."""
    package = tmp_path / "hostile"
    shutil.copytree(MINI_PACKAGE, package)
    meta = package / "articles" / "mini-a.toml"
    meta.write_text(meta.read_text().replace('title = "A short wire report"', f"title = '{TITLE}'"))
    text = package / "articles" / "mini-a.txt"
    text.write_text(text.read_text().rstrip("\n") + "\n\n" + ARTICLE_LINE)
    key = package / "key.toml"
    key.write_text(key.read_text().replace('explanation = "Reported by whom?"', f"explanation = '{EXPLANATION}'"))
    return package


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def assert_inert(page: Page, *payloads: str) -> None:
    """No script ran, no CSP violation from our pages, and every payload shows as text."""
    page.wait_for_load_state("load")
    for payload in payloads:
        expect(page.locator("body")).to_contain_text(payload)
    assert page.evaluate("typeof window.__xss") == "undefined", page.url
    assert page.evaluate("window.__violations") == [], page.url


def test_payloads_stay_text_everywhere(
    page: Page, live_server: str, app: Flask, factory: Factory, tmp_path: Path
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(WATCH)

    cohort = factory.cohort(COHORT_NAME)
    exercise = factory.exercise(assign_to=cohort, package=hostile_package(tmp_path))
    trainee = factory.user("tess", cohort=cohort)
    factory.user("ines", Role.INSTRUCTOR, teaches=cohort)
    attempt, flag = factory.attempt(trainee, exercise, flags=[("mini-a", "reportedly", "unverified")])
    assert flag is not None
    with app.app_context():
        session = db.session()
        session.execute(update(Flag).where(Flag.id == flag.id).values(note=NOTE))
        session.execute(update(User).where(User.id == trainee.id).values(display_name=DISPLAY_NAME))
        session.commit()

    # The trainee: my exercises, the workspace (title, text, note, own name), then the debrief.
    log_in(page, live_server, "tess")
    assert_inert(page, COHORT_NAME, DISPLAY_NAME)
    page.goto(f"{live_server}/attempts/{attempt.id}")
    expect(page.locator("#how-to")).to_be_visible()  # the workspace script ran and rendered the flags
    assert_inert(page, TITLE, ARTICLE_LINE, NOTE)
    submitted = page.evaluate(
        """async (url) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const response = await fetch(url, { method: "POST", headers: { "X-CSRFToken": token } });
            return response.status;
        }""",
        f"/api/attempts/{attempt.id}/submit",
    )
    assert submitted == 200
    page.goto(f"{live_server}/attempts/{attempt.id}/debrief")
    # A matched flag is told under its key item, without the trainee's note.
    assert_inert(page, TITLE, ARTICLE_LINE, EXPLANATION)
    page.get_by_role("button", name="Log out").click()

    # The instructor: cohorts, the cohort page, the dashboard and the trainee's result.
    log_in(page, live_server, "ines")
    assert_inert(page, COHORT_NAME)
    page.goto(f"{live_server}/instructor/cohorts/{cohort.id}")
    assert_inert(page, COHORT_NAME, DISPLAY_NAME)
    dashboard = f"{live_server}/instructor/cohorts/{cohort.id}/exercises/{exercise.id}"
    page.goto(f"{dashboard}/dashboard")
    # The heatmap's hot spot on the flag: its list (notes included) is built by dashboard.js.
    page.locator('.heatmap[data-article="mini-a"] [data-at]').first.click()
    expect(page.locator("#hotspot-flags")).to_contain_text(NOTE)
    assert_inert(page, COHORT_NAME, DISPLAY_NAME, TITLE, NOTE)
    page.goto(f"{dashboard}/trainees/{trainee.id}")
    assert_inert(page, DISPLAY_NAME, EXPLANATION)
    page.goto(f"{live_server}/instructor/exercises/{exercise.id}/preview")
    assert_inert(page, TITLE, ARTICLE_LINE)

    assert dialogs == []


def test_the_watch_sees_an_injected_script(page: Page, live_server: str) -> None:
    """The control: markup that does get inserted trips the CSP watch (and the inline handler is blocked)."""
    page.add_init_script(WATCH)
    page.goto(f"{live_server}/login")
    page.evaluate(f"document.body.insertAdjacentHTML('beforeend', {IMG!r})")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("typeof window.__xss") == "undefined"
