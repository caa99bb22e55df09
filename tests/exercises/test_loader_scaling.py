"""Loading time grows with the size of a package, not with its square."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from exercises import load_package
from tests.exercises.conftest import PackageSpec, article_meta


def one_long_article(items: int) -> PackageSpec:
    """A package of one article of ``items`` sentences, each sentence a key item."""
    sentences = [f"Witness {n} said the convoy reached the town at dawn, officials claimed." for n in range(items)]
    spec = PackageSpec()
    spec.exercise["articles"] = ["long"]
    spec.articles = {"long": (" ".join(sentences), article_meta("long"))}
    spec.key = {
        "items": [
            {"id": f"i{n}", "article": "long", "quote": sentence, "category": "unverified", "explanation": "Why."}
            for n, sentence in enumerate(sentences)
        ]
    }
    return spec


def least_cpu_seconds(folder: Path) -> float:
    best = float("inf")
    for _ in range(3):
        re.purge()  # each load compiles its quotes' patterns, as the first load in a process does
        began = time.process_time()
        load_package(folder)
        best = min(best, time.process_time() - began)
    return best


def test_four_times_the_items_in_a_four_times_longer_article_take_about_four_times_as_long(
    write_package: Callable[[PackageSpec], Path],
) -> None:
    small, large = write_package(one_long_article(200)), write_package(one_long_article(800))
    assert len(load_package(large).key) == 800
    ratio = least_cpu_seconds(large) / least_cpu_seconds(small)
    # Linear growth gives about 4, quadratic (each item re-reading the whole article) about 16.
    assert ratio < 8, f"loading grew {ratio:.1f} times for 4 times the items"
