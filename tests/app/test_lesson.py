"""The debrief's "what to learn" summary, on the seed exercise's answer sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.trainee.lesson import Example, what_to_learn
from exercises.answers import read_answers, read_ratings
from exercises.loader import load_package
from scoring.types import Flag, SourceRating

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "exercises" / "deir-ez-zor-2018"
CALIBRATION = ROOT / "tests" / "calibration"
NYT, TABLOID = "khasham-nyt-repost", "khasham-unsigned-report"

FOUND_WELL = (
    "None of your flags was a false positive.",
    "You left all 11 decoys alone: statements that look suspicious but are sound.",
    "Your source ratings are within the range the instructor accepts.",
)


@pytest.fixture(scope="module")
def package():
    return load_package(SEED)


@pytest.fixture(scope="module")
def learn(package):
    key = package.prepared_key()
    categories = {category.id: category.name for category in package.categories}
    groups = {group.id: group.description for group in package.groups}

    def learn(flags, ratings=(), **options):
        return what_to_learn(key.score(flags, ratings), package.key, categories, groups, **options)

    return learn


@pytest.fixture(scope="module")
def texts(package):
    return {article.id: article.text for article in package.articles}


@pytest.fixture(scope="module")
def key_ratings(package):
    return [
        SourceRating(rating.article, rating.reliability, rating.credibility, "as the key")
        for rating in package.rating_key
    ]


def _blind(name, texts):
    data = json.loads((CALIBRATION / name / "answers.json").read_text(encoding="utf-8"))
    return read_answers(data, texts), read_ratings(data, texts)


def test_the_analyst_is_told_what_went_well_and_what_was_missed(learn, texts) -> None:
    lesson = learn(*_blind("analyst", texts))
    assert lesson.well == (
        "You found 30 of 47 key items, all of them with the right words and category.",
        "You linked 7 pairs of conflicting figures.",
        *FOUND_WELL,
    )
    assert lesson.costs == ()
    assert lesson.missed == "You missed 12 of 24 Unverified claim items and 5 of 13 Loaded framing items."
    assert lesson.examples == (
        Example("radio transmissions had revealed the ground force was speaking in Russian", "Unverified claim"),
        Example("has accidentally admitted", "Loaded framing"),
    )


def test_the_factchecker_hears_of_a_link_between_agreeing_figures_and_a_short_flag(learn, texts) -> None:
    lesson = learn(*_blind("factchecker", texts))
    assert lesson.well[0] == "You found 31 of 47 key items; 30 of them earned full points."
    assert lesson.costs == (
        "You linked 1 pair of figures that agree: they count different things or can both be true, so they do not conflict.",
        "1 flag was in the right place but too short: take in every word that carries the problem, such as what a figure counts.",
    )
    assert lesson.missed == "You missed 11 of 24 Unverified claim items and 5 of 13 Loaded framing items."


def test_an_empty_submission_is_told_what_to_look_for(learn) -> None:
    lesson = learn([])
    assert lesson.well == ()
    assert lesson.costs == (
        "You found 0 of 10 conflicting figures (0 of 2 for “How long the battle lasted”; 0 of 2 for “Size of the attacking force”; "
        "0 of 2 for “When the SDF took the area from Islamic State”; 0 of 4 for “Deaths in the attacking force”): "
        "flag every figure for the same quantity, in both texts, and link those that disagree.",
        "Your work went in without source ratings, so they earned nothing.",
    )
    assert lesson.missed == "You missed 24 of 24 Unverified claim items and 13 of 13 Loaded framing items."
    assert lesson.examples == (
        Example("in the middle of a surprise assault", "Unverified claim"),
        Example("200 to 300 of the attacking fighters were killed", "Conflicting number"),
        Example("from pro-democracy rebels", "Loaded framing"),
    )


def test_the_perfect_key_leaves_nothing_to_learn(package, learn, key_ratings) -> None:
    real = [item for item in package.key if not item.decoy]
    ids = {item.id: f"k{number}" for number, item in enumerate(real)}
    agreeing = {frozenset((item.id, other.item)) for item in real for other in item.agrees_with}
    flags = [
        Flag(
            ids[item.id],
            item.article,
            item.start,
            item.end,
            item.category,
            links=tuple(
                ids[other.id]
                for other in real
                if item.group
                and other.group == item.group
                and other is not item
                and frozenset((item.id, other.id)) not in agreeing
            ),
        )
        for item in real
    ]
    lesson = learn(flags, key_ratings)
    assert lesson.well == (
        "You found 47 of 47 key items, all of them with the right words and category.",
        "You linked 7 pairs of conflicting figures.",
        *FOUND_WELL,
    )
    assert (lesson.costs, lesson.missed, lesson.examples) == ((), "", ())


def _flag(texts, flag_id, article, quote, category, *, after="", links=()):
    start = texts[article].index(quote, texts[article].index(after) if after else 0)
    return Flag(flag_id, article, start, start + len(quote), category, links=links)


def test_each_way_of_losing_points_is_named_and_the_costliest_three_come_first(learn, texts, key_ratings) -> None:
    flags = [
        _flag(texts, "short", TABLOID, "reportedly", "unverified", after="reportedly bolstering"),
        _flag(texts, "long", TABLOID, "its troops caught in the middle of a surprise assault", "unverified"),
        _flag(texts, "near", TABLOID, "near Deir ez-Zor", "unverified", after="reportedly gathering again"),
        _flag(texts, "decoy", TABLOID, "five independent sources", "unverified"),
        _flag(texts, "nothing", NYT, "The artillery barrage", "unverified"),
        _flag(texts, "f1", NYT, "200 to 300", "conflicting_number", links=("f2",)),
        _flag(texts, "f2", TABLOID, "about 100 Russians were killed", "conflicting_number"),
        _flag(texts, "category", TABLOID, "massacre", "unverified"),
    ]
    every = learn(flags, key_ratings, most=20).costs
    assert every == (
        "You found 2 of 10 conflicting figures (0 of 2 for “How long the battle lasted”; 0 of 2 for “Size of the attacking force”; "
        "0 of 2 for “When the SDF took the area from Islamic State”; 2 of 4 for “Deaths in the attacking force”): "
        "a figure counts fully only beside one it conflicts with, so flag each figure and link those that disagree.",
        "1 near miss: the flag touched a key item but not the words that carry the problem, or ran too far past them; "
        "select those words themselves.",
        "1 flag was in the right place but too long: stop where the problem ends.",
        "1 flag was on the right words but under another category: check the category definitions before choosing.",
        "You flagged a decoy, a statement that looks suspicious but is sound: check who says it and what the text claims before flagging.",
        "1 flag matched nothing in the key: flag only what you can name a problem for.",
        "You linked 1 pair of figures that agree: they count different things or can both be true, so they do not conflict.",
        "1 flag was in the right place but too short: take in every word that carries the problem, such as what a figure counts.",
    )
    assert learn(flags, key_ratings).costs == every[:3]
