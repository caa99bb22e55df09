"""A second exercise made in the tests, for progress between two exercises: the mini exercise
under another slug, its key weighing "reportedly" 3 points instead of 1.

Its possible points: 12 of items and 2 link bonuses of 0.5, 13 in all. Per category:
conflicting number 6, unverified 3, loaded framing 3.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from app.models import Cohort, Exercise
from tests.conftest import MINI_PACKAGE, Factory

SLUG = "second-exercise"
TITLE = "Second exercise"


def second_package(root: Path) -> Path:
    """Write the second exercise's package under ``root`` and return its folder."""
    package = root / SLUG
    shutil.copytree(MINI_PACKAGE, package)
    manifest = package / "exercise.toml"
    text = manifest.read_text()
    manifest.write_text(
        text.replace('slug = "mini-exercise"', f'slug = "{SLUG}"').replace(
            'title = "Mini exercise"', f'title = "{TITLE}"'
        )
    )
    key = package / "key.toml"
    text = key.read_text()
    reportedly = 'quote = "reportedly"\ncategory = "unverified"\npoints = 1\n'
    assert reportedly in text
    key.write_text(text.replace(reportedly, reportedly.replace("points = 1", "points = 3")))
    return package


def second_exercise(factory: Factory, root: Path, *, assign_to: Cohort | None = None) -> Exercise:
    """Load the second exercise into the database, optionally set for ``assign_to``."""
    return factory.exercise(package=second_package(root), assign_to=assign_to)
