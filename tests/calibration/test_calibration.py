"""Calibration of the seed exercise: what the key and the scoring make of answers nobody tuned.

The blind sets (``analyst/``, ``factchecker/``) were written by experts who saw only the two
texts and the briefing (``briefing.md``); each README says how. The other checks build answers
from the key itself: its cores exactly, a word more or less, whole sentences, every sentence in
every category, the key in the wrong categories.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exercises.answers import read_answers, read_ratings
from exercises.loader import load_package
from scoring import ItemStatus
from scoring.matching import WORD
from scoring.types import Flag

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[1] / "exercises" / "deir-ez-zor-2018"
BLIND_SETS = ("analyst", "factchecker")


@pytest.fixture(scope="module")
def package():
    return load_package(SEED)


@pytest.fixture(scope="module")
def key(package):
    return package.prepared_key()


@pytest.fixture(scope="module")
def texts(package):
    return {article.id: article.text for article in package.articles}


def _blind_set(name, texts):
    data = json.loads((HERE / name / "answers.json").read_text(encoding="utf-8"))
    return read_answers(data, texts), read_ratings(data, texts)


@pytest.mark.parametrize("name", BLIND_SETS)
def test_each_blind_set_scores_at_least_75(name, key, texts):
    flags, ratings = _blind_set(name, texts)
    report = key.score(flags, ratings)
    assert report.score >= 75, name
    # experts who saw no key hit no decoy
    assert report.totals.decoys_flagged == 0


def _alone(key, item, start, end, category=None):
    """The boundary factor and credit of one flag on ``item``, scored by itself."""
    report = key.score([Flag("f", item.article, start, end, category or item.category)])
    (result,) = [i for i in report.items if i.id == item.id]
    return result


def _real(package):
    return [item for item in package.key if not item.decoy]


def test_a_flag_of_exactly_the_core_earns_the_item_in_full(package, key):
    cores = [Flag(f"f-{item.id}", item.article, *item.core, item.category) for item in _real(package)]
    report = key.score(cores)
    for result in report.items:
        if result.status is not ItemStatus.DECOY_AVOIDED:
            assert (result.status, result.credit) == (ItemStatus.FOUND, result.points), result.id


def _word_spans(text):
    return [(match.start(), match.end()) for match in WORD.finditer(text)]


def _one_word_more_or_less(text, core):
    """Selections one word off the core at either end: a word more (in the same paragraph), or a
    word less where the core has two words or more."""
    words = _word_spans(text)
    inside = [i for i, (start, end) in enumerate(words) if start >= core[0] and end <= core[1]]
    first, last = inside[0], inside[-1]
    selections = []
    if first > 0:
        selections.append((words[first - 1][0], core[1]))
    if last + 1 < len(words):
        selections.append((core[0], words[last + 1][1]))
    if len(inside) > 1:
        selections.append((words[first + 1][0], core[1]))
        selections.append((core[0], words[last - 1][1]))
    return [(start, end) for start, end in selections if "\n" not in text[start:end]]


def test_the_core_give_or_take_a_word_earns_at_least_90_percent(package, key, texts):
    checked = 0
    for item in _real(package):
        for start, end in _one_word_more_or_less(texts[item.article], item.core):
            result = _alone(key, item, start, end)
            assert result.boundary_factor >= 0.9, (item.id, texts[item.article][start:end])
            checked += 1
    assert checked > 150


def _sentence_of(text, start, end):
    for match in re.finditer(r"\S[^\n]*?(?:[.!?](?=\s)|(?=\n)|$)", text):
        if match.start() <= start and end <= match.end():
            return match.start(), match.end()
    raise AssertionError("no sentence holds the span")


def test_the_whole_sentence_earns_at_most_60_percent(package, key, texts):
    # Exempt: items whose extent is their whole sentence but two words (a cross-head, "But there
    # are none."): flagging the sentence is flagging the item.
    checked = 0
    for item in _real(package):
        text = texts[item.article]
        start, end = _sentence_of(text, item.start, item.end)
        outside = len(_word_spans(text[start : item.start])) + len(_word_spans(text[item.end : end]))
        if outside <= 2:
            continue
        result = _alone(key, item, start, end)
        share = result.credit / item.points if result.status is not ItemStatus.LONE_FIGURE else result.boundary_factor
        assert share <= 0.6, (item.id, share)
        checked += 1
    assert checked >= 40


def test_every_sentence_in_every_category_scores_below_25(package, key):
    flags = [
        Flag(f"{article.id}-{match.start()}-{category.id}", article.id, match.start(), match.end(), category.id)
        for article in package.articles
        for match in re.finditer(r"\S[^\n]*?(?:[.!?](?=\s)|(?=\n)|$)", article.text)
        for category in package.categories
    ]
    assert key.score(flags).score < 25


def test_the_perfect_key_in_rotated_categories_scores_at_most_40(package, key):
    order = [category.id for category in package.categories]
    for shift in (1, 2):
        flags = [
            Flag(f"f-{item.id}", item.article, *item.core, order[(order.index(item.category) + shift) % 3])
            for item in _real(package)
        ]
        assert key.score(flags).score <= 40, shift


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(BLIND_SETS))
def test_flag_order_never_matters(package, key, texts, random, name):
    flags, ratings = _blind_set(name, texts)
    shuffled = list(flags)
    random.shuffle(shuffled)
    first, second = key.score(flags, ratings), key.score(shuffled, ratings)
    assert (first.score, first.totals, first.items, first.links) == (
        second.score,
        second.totals,
        second.items,
        second.links,
    )
    assert sorted(first.flags, key=lambda f: f.id) == sorted(second.flags, key=lambda f: f.id)
    assert (first.schemes, first.spans) == (second.schemes, second.spans)


def test_the_package_carries_the_blind_sets_unchanged(package):
    assert [answers.name for answers in package.calibration] == list(BLIND_SETS)
    for answers in package.calibration:
        assert answers.source == (HERE / answers.name / "answers.json").read_text(encoding="utf-8")
