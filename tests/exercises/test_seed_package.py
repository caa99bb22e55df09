"""The Deir ez-Zor package: it validates, its key fits the stored texts, the texts are the seeds."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from exercises import DEFAULT_CONTENT_DIR, PACKAGES_DIR, ExercisePackage, load_package, package_dirs

PACKAGE = PACKAGES_DIR / "deir-ez-zor-2018"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
"""Where the seed articles sit beside the clone (on CI and the development machine)."""

ARTICLES = {
    # id: (seed file name, SHA-256 of the seed bytes)
    "khasham-nyt-repost": (
        "000_35466797383ee3ff.txt",
        "03bebc61affa6b26ba407181f702db7c9d2a55ee2d26f0521a845c736549c116",
    ),
    "khasham-unsigned-report": (
        "001_5798da3aac2409ff.txt",
        "5aa92f9f7fd61a81cbdb7921266963d6ef07938ad05166192dfd61e440cf7165",
    ),
}


@pytest.fixture(scope="module")
def package() -> ExercisePackage:
    return load_package(PACKAGE)


def test_the_package_is_found_among_the_shipped_ones() -> None:
    assert PACKAGE in package_dirs()


def test_articles_come_in_reading_order_with_their_metadata(package: ExercisePackage) -> None:
    assert [a.id for a in package.articles] == list(ARTICLES)
    repost, unsigned = package.articles
    assert repost.byline == "Treadstone 71"
    assert unsigned.byline is None
    assert {a.event_date.isoformat() for a in package.articles} == {"2018-02-07"}
    assert {a.language for a in package.articles} == {"en"}
    assert "New York Times" in repost.provenance
    assert "Unsigned" in unsigned.provenance


@pytest.mark.parametrize("article_id", list(ARTICLES))
def test_article_text_is_the_seed_byte_for_byte(package: ExercisePackage, article_id: str) -> None:
    seed_name, digest = ARTICLES[article_id]
    stored = (DEFAULT_CONTENT_DIR / f"{article_id}.txt").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == digest
    assert package.article(article_id).text.encode("utf-8") == stored
    seed = SEEDS / seed_name
    if seed.is_file():
        assert stored == seed.read_bytes()


def test_the_texts_keep_what_the_lesson_needs(package: ExercisePackage) -> None:
    repost = package.article("khasham-nyt-repost").text
    assert "\u00a0" in repost and "\u2013" in repost and "\u201c" in repost
    assert "By Treadstone 71" in repost
    assert repost.rstrip().endswith("Analysis as a Service")


def test_every_key_quote_is_the_stored_slice(package: ExercisePackage) -> None:
    for item in package.key:
        text = package.article(item.article).text
        assert text[item.start : item.end] == item.quote, item.id
        assert item.explanation.strip(), item.id


def test_the_key_counts(package: ExercisePackage) -> None:
    scored = [item for item in package.key if not item.decoy]
    assert Counter(item.category for item in scored) == {
        "unverified": 24,
        "conflicting_number": 10,
        "loaded_framing": 13,
    }
    # decoys in both texts, on both sides: attributed US and Russian statements, figures that only
    # look as if they conflict, place-name spellings
    decoys = [item for item in package.key if item.decoy]
    assert len(decoys) == 11
    assert {item.article for item in decoys} == set(ARTICLES)
    assert any("Zakharova" in item.explanation for item in decoys)
    assert 40 <= len(package.key) <= 60


def test_every_item_names_its_core_and_the_package_loads_without_warnings(package: ExercisePackage) -> None:
    assert package.warnings == ()
    for item in package.key:
        assert item.core_start is not None, item.id
        # an item of more than a few words says which of them carry the problem (a decoy's core
        # may be its whole quote: any flag on it is the mistake it teaches)
        assert item.decoy or item.core != (item.start, item.end) or len(item.quote.split()) <= 4, item.id


def test_both_sources_are_rated(package: ExercisePackage) -> None:
    assert [rating.article for rating in package.rating_key] == list(ARTICLES)
    for article in package.articles:
        assert article.tracing, article.id
        assert "tabloid" not in (article.outlet or "")  # no verdict before the trainee reads


def test_conflict_groups_name_figures_from_both_articles_where_both_give_one(
    package: ExercisePackage,
) -> None:
    members: dict[str, set[str]] = {}
    for item in package.key:
        if item.group:
            members.setdefault(item.group, set()).add(item.article)
    both = set(ARTICLES)
    assert members == {
        "force_size": both,
        "duration": both,
        "killed": both,
        "area_taken": {"khasham-unsigned-report"},
    }
    assert {g.id for g in package.groups} == set(members)


def test_categories_have_the_trainee_facing_names(package: ExercisePackage) -> None:
    assert [(c.id, c.name) for c in package.categories] == [
        ("unverified", "Unverified claim"),
        ("conflicting_number", "Conflicting number"),
        ("loaded_framing", "Loaded framing"),
    ]
    assert [c.grouped for c in package.categories] == [False, True, False]


def test_category_examples_are_not_taken_from_the_articles(package: ExercisePackage) -> None:
    texts = " ".join(a.text for a in package.articles)
    for category in package.categories:
        assert category.example.strip()[:40] not in texts
