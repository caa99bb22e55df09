"""Steps a person takes in the browser, shared by the browser tests."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import db
from app.models import Flag
from tests.conftest import PASSWORD

NBSP_QUOTE = "about\u00a0500 fighters"


def stored_flags(app: Flask) -> list[Flag]:
    with app.app_context():
        return list(db.session().scalars(select(Flag).order_by(Flag.id)))


def article_text(page: Page, ref: str) -> str:
    return page.locator(f"#text-{ref}").evaluate("element => element.firstChild.data")


def drag_over(page: Page, ref: str, quote: str) -> None:
    """Select ``quote`` in an article by dragging the mouse over it, as a person does."""
    box = page.evaluate(
        """([ref, quote]) => {
            const element = document.getElementById(`text-${ref}`);
            const node = element.firstChild;
            const start = node.data.indexOf(quote);
            const end = start + quote.length;
            const first = document.createRange();
            first.setStart(node, start);
            first.setEnd(node, start + 1);
            first.startContainer.parentElement.scrollIntoView({ block: "center" });
            const last = document.createRange();
            last.setStart(node, end - 1);
            last.setEnd(node, end);
            const a = first.getClientRects()[0];
            const b = last.getClientRects()[last.getClientRects().length - 1];
            return { x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2 };
        }""",
        [ref, quote],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=6)
    page.mouse.up()


def flag_with_mouse(page: Page, ref: str, quote: str, category: str, note: str = "") -> None:
    drag_over(page, ref, quote)
    toolbar = page.get_by_role("dialog", name="Flag the selected words")
    expect(toolbar).to_be_visible()
    if note:
        toolbar.get_by_label("Note (optional)").fill(note)
    toolbar.get_by_role("button", name=category, exact=True).click()
    expect(toolbar).to_be_hidden()


def expect_saved(page: Page, count: int) -> None:
    expect(page.locator("#flag-count")).to_have_text(str(count))
    expect(page.locator("#save-status")).to_have_text("Saved")


def flag_item(page: Page, quote: str) -> Any:
    """The panel entry of the flag on ``quote`` (not the entries that merely link to it)."""
    heading = page.locator(".flag-quote", has_text=re.compile(f"^“{re.escape(quote)}”$"))
    return page.locator("#flags li").filter(has=heading)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My exercises")).to_be_visible()


def start_exercise(page: Page) -> None:
    page.get_by_role("button", name="Start Mini exercise").click()
    expect(page.get_by_role("heading", name="Mini exercise", level=1)).to_be_visible()
    # The script shows the how-to line once it runs: only then do selections open the toolbar.
    expect(page.locator("#how-to")).to_be_visible()
