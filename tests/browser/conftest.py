"""Browser tests: the app served on a random local port, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.conftest import served

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="browser tests need /usr/bin/chromium (Debian: apt-get install chromium)")
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    # Debian's Chromium, never a downloaded one; quiet flags keep it from phoning home.
    return {
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No fixed base URL: each test gets its own live server.

    Replaces pytest-playwright's own fixture, which pytest 9 deprecates (a session fixture defined
    as an instance method) and which ``filterwarnings = error`` would turn into an error.
    """
    return


@pytest.fixture(autouse=True)
def _short_waits() -> None:
    # A step that has not happened in 10 s will not happen: fail fast.
    expect.set_options(timeout=10_000)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app (temp SQLite copied from the migrated template) served in a thread."""
    with served(app) as url:
        yield url
