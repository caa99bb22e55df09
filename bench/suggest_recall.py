"""Measure the suggestion helper's recall per category against an exercise's key, and its counts.

    .venv/bin/python bench/suggest_recall.py [PACKAGE ...]

Default: the seed exercise (exercises/deir-ez-zor-2018) and the held-out tests/data/mini-exercise.
A suggestion *finds* a key item when its span would match the item under the scoring engine's
overlap rule with the default policy (``scoring.matching.overlap_is_enough``), whatever its
category; "with category" also asks for the item's category or one of its ``also``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exercises.loader import PACKAGES_DIR, load_package
from exercises.recall import measure

DEFAULT = (PACKAGES_DIR / "deir-ez-zor-2018", ROOT / "tests" / "data" / "mini-exercise")


def main(paths: list[str]) -> None:
    for path in paths or [str(p) for p in DEFAULT]:
        package = load_package(path)
        result = measure(package)
        print(
            f"{package.slug}: {result.key_items} key items, {result.decoys} decoys, "
            f"{result.suggestions} suggestions ({result.suggestions / result.key_items:.2f} per key item)"
        )
        for row in result.categories:
            print(
                f"  {row.category:<20} found {row.found:>2}/{row.total:<2} ({row.recall:6.1%})"
                f"  with category {row.found_with_category:>2}/{row.total:<2}"
            )
        print(f"  suggestions per category: {dict(result.per_category)}")
        print(f"  decoys touched: {result.decoys_touched}/{result.decoys}")
        if result.missed:
            print("  missed: " + ", ".join(result.missed))


if __name__ == "__main__":
    main(sys.argv[1:])
