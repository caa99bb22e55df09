"""Small exercise packages written to a temporary folder, to break one thing at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tomli_w

ALPHA = (
    "Officials reportedly said 40 soldiers died.\u00a0Later, 60 soldiers died in a \u201cmassacre\u201d "
    "\u2013 officials reportedly said so."
)
BETA = "About 50 soldiers died in the brutal attack."


def article_meta(article_id: str) -> dict[str, Any]:
    """A valid sidecar for ``article_id``."""
    return {
        "id": article_id,
        "title": f"Test article {article_id}",
        "event_date": "2018-02-07",
        "language": "en",
        "provenance": "Written for the tests.",
    }


def base_exercise() -> dict[str, Any]:
    """A valid exercise file with the three categories and a policy."""
    return {
        "slug": "test-exercise",
        "title": "Test exercise",
        "briefing": "Read both.",
        "instructions": "Flag what you doubt.",
        "suggested_minutes": 10,
        "articles": ["alpha", "beta"],
        "categories": [
            {"id": "unverified", "name": "Unverified claim", "definition": "d", "example": "e"},
            {
                "id": "conflicting_number",
                "name": "Conflicting number",
                "definition": "d",
                "example": "e",
                "grouped": True,
            },
            {"id": "loaded_framing", "name": "Loaded framing", "definition": "d", "example": "e"},
        ],
        "policy": {"decoy_penalty": 2, "link_bonus": 0.25},
    }


def base_key() -> dict[str, Any]:
    """A valid key: one item per category, a conflict group of two and a decoy."""
    return {
        "groups": {"toll": {"description": "Soldiers killed"}},
        "items": [
            {
                "id": "u1",
                "article": "alpha",
                "quote": "reportedly said 40",
                "category": "unverified",
                "points": 2,
                "explanation": "No source.",
            },
            {
                "id": "c1",
                "article": "alpha",
                "quote": "40 soldiers died",
                "category": "conflicting_number",
                "group": "toll",
                "explanation": "Forty here.",
            },
            {
                "id": "c2",
                "article": "beta",
                "quote": "50 soldiers died",
                "category": "conflicting_number",
                "group": "toll",
                "explanation": "Fifty there.",
            },
            {
                "id": "l1",
                "article": "alpha",
                "quote": '"massacre"',
                "category": "loaded_framing",
                "also": ["unverified"],
                "explanation": "Emotive.",
            },
            {
                "id": "d1",
                "article": "beta",
                "quote": "About",
                "category": "unverified",
                "decoy": True,
                "explanation": "Fine.",
            },
        ],
    }


@dataclass
class PackageSpec:
    """The parts of a test package, as data to change before it is written."""

    exercise: dict[str, Any] = field(default_factory=base_exercise)
    key: dict[str, Any] = field(default_factory=base_key)
    articles: dict[str, tuple[str, dict[str, Any]]] = field(
        default_factory=lambda: {
            "alpha": (ALPHA, article_meta("alpha")),
            "beta": (BETA, article_meta("beta")),
        }
    )
    raw_files: dict[str, str] = field(default_factory=dict)
    """Files written as given (relative to the package), after and over the others."""

    def item(self, item_id: str) -> dict[str, Any]:
        """The key item with this id, to change in place."""
        return next(item for item in self.key["items"] if item["id"] == item_id)

    def write(self, folder: Path) -> Path:
        """Write the package (articles in its own ``articles/``) into ``folder``."""
        (folder / "articles").mkdir(parents=True)
        (folder / "exercise.toml").write_text(tomli_w.dumps(self.exercise), encoding="utf-8")
        (folder / "key.toml").write_text(tomli_w.dumps(self.key), encoding="utf-8")
        for article_id, (text, meta) in self.articles.items():
            (folder / "articles" / f"{article_id}.txt").write_bytes(text.encode("utf-8"))
            (folder / "articles" / f"{article_id}.toml").write_text(tomli_w.dumps(meta), encoding="utf-8")
        for name, content in self.raw_files.items():
            (folder / name).write_text(content, encoding="utf-8")
        return folder


@pytest.fixture
def spec() -> PackageSpec:
    """A fresh valid package description."""
    return PackageSpec()


@pytest.fixture
def write_package(tmp_path: Path) -> Callable[[PackageSpec], Path]:
    """Write a package spec into a new folder under ``tmp_path`` and return the folder."""
    count = 0

    def write(package: PackageSpec) -> Path:
        nonlocal count
        count += 1
        return copy.deepcopy(package).write(tmp_path / f"package-{count}")

    return write


@pytest.fixture
def empty_content(tmp_path: Path) -> Path:
    """An empty shared content folder, so tests never depend on the repository's articles."""
    folder = tmp_path / "content"
    folder.mkdir()
    return folder
