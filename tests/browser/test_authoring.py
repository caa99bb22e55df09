"""Authoring in Chromium: from two pasted articles to a key made with the mouse, a published
exercise set for a cohort, and a trainee's debrief that shows the key's explanations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from app import db
from app.models import Cohort, Exercise, Role
from scoring.types import KeyItem
from tests.browser.steps import drag_over, flag_with_mouse
from tests.browser.steps import log_in as log_in_trainee
from tests.conftest import PASSWORD, Factory

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
TITLE = "Night raid: two reports"
# Pasted text as it comes from a web page: a no-break space inside the figure, curly quotes
# around the loaded words, an en dash.
WIRE = (
    "Officials said about\u00a0500 fighters attacked the outpost on Tuesday \u2013 the assault "
    "reportedly lasted four hours.\n\n"
    "The \u201cbrutal regime\u201d denied any part in it, the Defence Ministry said in a statement."
)
TABLOID = (
    "Witnesses said 550 men took part in a three-hour battle.\n\n"
    "Local sources describe the attackers as \u2018mercenaries\u2019. The toll is unconfirmed."
)
NBSP_FIGURE = "about\u00a0500 fighters"
CURLY_FRAMING = "\u201cbrutal regime\u201d"
DECOY = "the Defence Ministry said in a statement"


def log_in_instructor(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def key_item(page: Page, quote: str) -> Locator:
    heading = page.locator(".flag-quote", has_text=re.compile(f"^“{re.escape(quote)}”$"))
    return page.locator("#items > li").filter(has=heading)


def add_item(page: Page, ref: str, quote: str, category: str, explanation: str) -> Locator:
    """Select ``quote`` with the mouse, add it as a key item of ``category`` and explain it."""
    drag_over(page, ref, quote)
    bar = page.get_by_role("group", name="Add a key item of category")
    expect(page.locator("#selection-quote")).to_have_text(quote)
    bar.get_by_role("button", name=f"+ {category}", exact=True).click()
    item = key_item(page, quote)
    expect(item).to_have_count(1)
    item.get_by_label("Explanation (shown in the debrief)").fill(explanation)
    return item


def create_exercise(page: Page, base: str) -> None:
    page.get_by_role("link", name="Exercises", exact=True).click()
    page.get_by_role("link", name="New exercise").click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Briefing (the situation; no hints at the answers)").fill(
        "Two reports of one raid reached the desk."
    )
    page.get_by_label("Instructions (how to flag, house rules)").fill("Flag what you would check before passing it on.")
    for number, (title, text, outlet) in enumerate(
        [("Wire report", WIRE, "Wire"), ("Tabloid page", TABLOID, "Daily Post")], start=1
    ):
        slot = page.get_by_role("group", name=f"Article {number}", exact=True)
        slot.get_by_label("Text (paste it here)").fill(text)
        slot.get_by_label("Title (neutral, descriptive)").fill(title)
        slot.get_by_label("Outlet").fill(outlet)
        slot.get_by_label("Date of the event").fill("2024-03-01")
        slot.get_by_label("Provenance (what the text tells of its origin)").fill("Pasted for the test.")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", name=f"Key: {TITLE}")).to_be_visible()


def stored_items(app: Flask) -> dict[str, KeyItem]:
    with app.app_context():
        session = db.session()
        exercise = session.scalar(select(Exercise).where(Exercise.title == TITLE))
        texts = {article.ref: article.text for article in exercise.articles}
        items = {item.quote: item for item in exercise.key_versions[-1].items}
    for item in items.values():
        assert texts[item.article][item.start : item.end] == item.quote
    return items


@pytest.fixture
def cohort(factory: Factory) -> Cohort:
    cohort = factory.cohort("Night shift")
    factory.user("ines", Role.INSTRUCTOR, teaches=cohort)
    factory.user("tomas", cohort=cohort)
    return cohort


def test_an_instructor_authors_publishes_and_a_trainee_is_debriefed(
    browser: Browser, live_server: str, app: Flask, cohort: Cohort
) -> None:
    SHOTS.mkdir(exist_ok=True)
    instructor = browser.new_page(viewport={"width": 1400, "height": 1000})
    # A script error or a blocked inline script or style shows up here.
    problems: list[str] = []
    instructor.on("pageerror", lambda error: problems.append(str(error)))
    instructor.on(
        "console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None
    )
    log_in_instructor(instructor, live_server, "ines")
    create_exercise(instructor, live_server)
    page = instructor

    add_item(page, "wire-report", "reportedly", "Unverified claim", "Reported by whom? Ask for the source.")
    page.get_by_label("New group id").fill("force_size")
    page.get_by_label("Description", exact=True).fill("Size of the attacking force")
    page.get_by_role("button", name="Add group").click()
    for ref, quote in (("wire-report", NBSP_FIGURE), ("tabloid-page", "550 men")):
        item = add_item(page, ref, quote, "Conflicting number", f"The other report gives another figure than {quote}.")
        item.get_by_label("Conflict group").select_option("force_size")
    expect(page.locator("#groups")).to_contain_text("2 members")
    add_item(page, "wire-report", CURLY_FRAMING, "Loaded framing", "The writer's own label, not a description.")
    decoy = add_item(page, "wire-report", DECOY, "Unverified claim", "")
    decoy.get_by_label("Decoy (looks suspicious, but is sound)").check()
    expect(decoy.locator(".badge")).to_have_text("Decoy · Unverified claim")

    page.get_by_role("button", name="Save the key").click()
    expect(page.locator("#save-message")).to_contain_text("nothing was saved")
    expect(decoy.locator(".item-problems")).to_contain_text("explanation")
    page.screenshot(path=str(SHOTS / "key_editor_error.png"), full_page=True)
    decoy.get_by_label("Explanation (shown in the debrief)").fill("Attributed to a named source: sound reporting.")
    page.get_by_role("button", name="Save the key").click()
    expect(page.locator("#save-message")).to_contain_text("Saved key version 1")
    expect(decoy.locator(".item-problems")).to_be_empty()
    page.screenshot(path=str(SHOTS / "key_editor.png"), full_page=True)

    items = stored_items(app)
    assert set(items) == {"reportedly", NBSP_FIGURE, "550 men", CURLY_FRAMING, DECOY}
    assert (items[NBSP_FIGURE].start, items[NBSP_FIGURE].end) == (
        WIRE.index(NBSP_FIGURE),
        WIRE.index(NBSP_FIGURE) + 18,
    )
    assert (items[CURLY_FRAMING].start, items[CURLY_FRAMING].end) == (
        WIRE.index(CURLY_FRAMING),
        WIRE.index(CURLY_FRAMING) + 15,
    )
    assert (items["550 men"].article, items["550 men"].start) == ("tabloid-page", TABLOID.index("550 men"))
    assert items[NBSP_FIGURE].group == items["550 men"].group == "force_size"
    assert items[DECOY].decoy is True and items[DECOY].group is None
    assert items[CURLY_FRAMING].category == "loaded_framing"

    # The saved key survives a reload, and so does a dismissed suggestion.
    page.reload()
    expect(page.locator("#item-count")).to_have_text("5")
    page.get_by_text("Suggestions", exact=True).click()
    page.get_by_role("button", name="Suggest items").click()
    first = page.locator("#suggestions > li").first
    dismissed_quote = first.locator(".flag-quote").inner_text()
    count = page.locator("#suggestions > li").count()
    first.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("button", name="Bring back 1 dismissed")).to_be_visible()
    page.reload()
    page.get_by_text("Suggestions", exact=True).click()
    page.get_by_role("button", name="Suggest items").click()
    expect(page.locator("#suggestions > li")).to_have_count(count - 1)
    expect(page.locator("#suggestions .flag-quote", has_text=dismissed_quote)).to_have_count(0)
    page.screenshot(path=str(SHOTS / "key_editor_suggestions.png"), full_page=True)

    page.get_by_role("link", name="Preview as trainee").click()
    expect(page.get_by_role("heading", name="Wire report")).to_be_visible()
    expect(page.get_by_text("Two reports of one raid reached the desk.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Reported by whom?")
    expect(page.locator("main")).not_to_contain_text("sound reporting")
    page.get_by_role("link", name="Back to the exercise").click()

    page.get_by_label("State").select_option("published")
    page.get_by_role("button", name="Save publishing").click()
    expect(page.get_by_text(f"“{TITLE}” is published.")).to_be_visible()
    page.get_by_label("Cohort").select_option(label="Night shift")
    page.get_by_role("button", name="Set for the cohort").click()
    expect(page.get_by_text(f"“{TITLE}” is set for Night shift.")).to_be_visible()
    assert problems == []
    instructor.close()

    trainee = browser.new_page(viewport={"width": 1400, "height": 1000})
    log_in_trainee(trainee, live_server, "tomas")
    trainee.get_by_role("button", name=f"Start {TITLE}").click()
    expect(trainee.locator("#how-to")).to_be_visible()
    flag_with_mouse(trainee, "wire-report", "reportedly", "Unverified claim")
    flag_with_mouse(trainee, "tabloid-page", "550 men", "Conflicting number")
    flag_with_mouse(trainee, "wire-report", "brutal regime", "Loaded framing")
    expect(trainee.locator("#save-status")).to_have_text("Saved")
    expect(trainee.locator("#flag-count")).to_have_text("3")
    trainee.get_by_role("link", name="Review and submit").click()
    trainee.get_by_role("button", name="Submit my flags").click()
    expect(trainee.get_by_role("heading", name=f"Debrief: {TITLE}")).to_be_visible()
    # The decoy left alone shows under "All" (the debrief opens on my flags and what I missed).
    trainee.get_by_role("group", name="Show").get_by_role("radio", name=re.compile("^All")).check()
    for explanation in (
        "Reported by whom? Ask for the source.",
        "The writer's own label, not a description.",
        "Attributed to a named source: sound reporting.",
        "The other report gives another figure than 550 men.",
    ):
        expect(trainee.get_by_text(explanation)).to_be_visible()
    trainee.screenshot(path=str(SHOTS / "authored_debrief.png"), full_page=True)
    trainee.close()
