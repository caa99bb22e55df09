"""Source ratings in Chromium: the provenance note in the workspace, the rating form before
submitting (its messages, then a valid rating) and the debrief's source judgement and tracing."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from app.models import Cohort
from tests.browser.steps import expect_saved, flag_with_mouse, log_in, start_exercise
from tests.conftest import Factory
from tests.rated_exercise import rate_sources

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


@pytest.fixture
def cohort(app: Flask, factory: Factory) -> Cohort:
    cohort = factory.cohort("Rating cohort")
    exercise = factory.exercise(assign_to=cohort)
    rate_sources(app, exercise.id)
    factory.user("rosa", cohort=cohort)
    return cohort


def test_a_trainee_reads_provenance_rates_each_source_and_reads_the_judgement(
    page: Page, live_server: str, cohort: Cohort
) -> None:
    SHOTS.mkdir(exist_ok=True)
    log_in(page, live_server, "rosa")
    start_exercise(page)
    wire = page.locator("article", has=page.get_by_role("heading", name="A short wire report"))
    expect(wire.get_by_text("Event: 7 Feb 2018 · Published: 14 Feb 2018")).to_be_visible()
    wire.get_by_text("Where this text comes from").click()
    expect(wire.get_by_text("Written for the test suite.")).to_be_visible()
    flag_with_mouse(page, "mini-a", "reportedly", "Unverified claim")
    expect_saved(page, 1)

    page.get_by_role("link", name="Review and submit").click()
    wire_rating = page.get_by_role("group", name="A short wire report")
    wire_rating.get_by_role("group", name="Reliability of the source").get_by_label("B – usually reliable").check()
    wire_rating.get_by_label("Your reason, in one line").fill("A named wire reporter.")
    page.get_by_role("button", name="Submit my flags and ratings").click()
    expect(page.get_by_role("alert")).to_have_text("Please correct the fields marked below.")
    expect(wire_rating.get_by_text("Choose how credible the information is, 1 to 6.")).to_be_visible()
    tabloid_rating = page.get_by_role("group", name="A short tabloid report")
    expect(tabloid_rating.get_by_text("Give a one-line reason for this rating.")).to_be_visible()
    # What was chosen survives the round trip.
    expect(wire_rating.get_by_label("B – usually reliable")).to_be_checked()
    page.screenshot(path=str(SHOTS / "submit-ratings-errors.png"), full_page=True)

    wire_rating.get_by_label("3 – possibly true").check()
    tabloid_rating.get_by_label("E – unreliable").check()
    tabloid_rating.get_by_label("5 – improbable").check()
    tabloid_rating.get_by_label("Your reason, in one line").fill("Unsigned; nothing to check it against.")
    page.get_by_role("button", name="Submit my flags and ratings").click()

    expect(page.get_by_role("heading", name="Debrief: Mini exercise")).to_be_visible()
    expect(page.get_by_role("row", name="Source ratings 1.50")).to_be_visible()
    judgement = page.locator("section", has=page.get_by_role("heading", name="Source judgement"))
    expect(judgement.get_by_text("B3 (usually reliable; possibly true)")).to_be_visible()
    expect(judgement.get_by_text("Unsigned <b>tabloid</b>: no record to judge.")).to_be_visible()
    expect(
        judgement.get_by_text("reliability D, E or F (yours is in range); credibility 4 (yours is not)")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="How a professional would trace this text")).to_have_count(1)
    expect(page.get_by_text("Search a distinctive phrase; compare the <i>wire</i> original.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "debrief-ratings.png"), full_page=True)
    judgement.screenshot(path=str(SHOTS / "debrief-judgement.png"))
    page.locator(
        "article", has=page.get_by_role("heading", name="How a professional would trace this text")
    ).screenshot(path=str(SHOTS / "debrief-article.png"))
