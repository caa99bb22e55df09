"""Progress arithmetic: categories of one report, and the paired change between two exercises."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.progress import CategoryResult, Measures, category_results, paired_change, spread, stored_number
from exercises.loader import load_package
from scoring.types import Flag
from tests.conftest import MINI_PACKAGE

MINI = load_package(MINI_PACKAGE)
TEXTS = {article.id: article.text for article in MINI.articles}


def flag(number: int, article: str, quote: str, category: str) -> Flag:
    start = TEXTS[article].index(quote)
    return Flag(f"flag-{number}", article, start, start + len(quote), category)


def credits(*flags: Flag) -> dict[str, float]:
    """What the scoring engine credits each key item of the mini exercise for ``flags``."""
    return {item.id: item.credit for item in MINI.prepared_key().score(flags).items}


def test_categories_add_credit_and_points_of_real_items_only() -> None:
    # Alice of the dashboard cohort: both force figures (2 + 2 of the six conflicting-number points),
    # "reportedly" (1 of 1) and "brutal regime" (1 of 3 loaded-framing points); the decoy is worth nothing.
    earned = credits(
        flag(1, "mini-a", "about\xa0500 fighters", "conflicting_number"),
        flag(2, "mini-b", "550 men", "conflicting_number"),
        flag(3, "mini-a", "reportedly", "unverified"),
        flag(4, "mini-b", "brutal regime", "loaded_framing"),
    )
    results = category_results(MINI.key, earned)
    assert results == {
        "conflicting_number": CategoryResult(4.0, 6.0),
        "unverified": CategoryResult(1.0, 1.0),
        "loaded_framing": CategoryResult(1.0, 3.0),
    }
    assert list(results) == ["conflicting_number", "unverified", "loaded_framing"]  # key order
    assert results["loaded_framing"].percent == pytest.approx(100 / 3)


def test_a_decoy_earns_no_category_anything() -> None:
    # Bob: "reportedly" in the wrong category earns a quarter of 1, "four hours" alone half of 1 (a
    # lone figure); the decoy "40 Americans" is no category's point, hit or not.
    earned = credits(
        flag(1, "mini-a", "reportedly", "loaded_framing"),
        flag(2, "mini-a", "40 Americans", "conflicting_number"),
        flag(3, "mini-a", "four hours", "conflicting_number"),
    )
    results = category_results(MINI.key, earned)
    assert results["unverified"] == CategoryResult(0.25, 1.0)
    assert results["conflicting_number"] == CategoryResult(0.5, 6.0)
    assert category_results(MINI.key, {"americans-40": 5.0})["conflicting_number"] == CategoryResult(0.0, 6.0)


def test_an_item_without_a_credit_row_earned_nothing() -> None:
    assert category_results(MINI.key, {})["loaded_framing"] == CategoryResult(0.0, 3.0)


def test_a_category_worth_nothing_has_no_percentage() -> None:
    assert CategoryResult(0.0, 0.0).percent is None


def test_paired_change_by_hand() -> None:
    # a and b did both (+10, −5); c only the first, d only the second.
    change = paired_change({"a": 50.0, "b": 70.0, "c": 90.0}, {"a": 60.0, "b": 65.0, "d": 40.0})
    assert (change.pre.count, change.pre.mean, change.pre.median) == (3, 70.0, 70.0)
    assert (change.post.count, change.post.mean, change.post.median) == (3, 55.0, 60.0)
    assert (change.paired.count, change.paired.mean, change.paired.median) == (2, 2.5, 2.5)
    assert (change.both, change.only_pre, change.only_post) == (2, 1, 1)


def test_paired_change_of_nobody_in_common() -> None:
    change = paired_change({"a": 50.0}, {"b": 40.0})
    assert change.paired == spread([]) and change.paired.mean is None and change.paired.median is None
    assert (change.both, change.only_pre, change.only_post) == (0, 1, 1)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert spread([1.0, 9.0, 3.0, 4.0]).median == 3.5


scores = st.floats(min_value=0, max_value=100, allow_nan=False)
cohorts = st.dictionaries(st.integers(min_value=1, max_value=30), scores, max_size=30)


@given(pre=cohorts, post=cohorts, other=scores)
def test_a_trainee_who_did_one_exercise_never_enters_the_change(
    pre: dict[int, float], post: dict[int, float], other: float
) -> None:
    change = paired_change(pre, post)
    both = pre.keys() & post.keys()
    assert change.both == len(both)
    assert change.only_pre == len(pre.keys() - both) and change.only_post == len(post.keys() - both)
    # Whatever those who did only one exercise scored, the change stays the same.
    moved = paired_change(
        {trainee: other if trainee not in both else value for trainee, value in pre.items()},
        {trainee: other if trainee not in both else value for trainee, value in post.items()},
    )
    assert moved.paired == change.paired
    if both:
        assert change.paired.mean == pytest.approx(math.fsum(post[t] - pre[t] for t in both) / len(both))


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, None),
        ({"discernment": 1.25}, 1.25),
        ({"discernment": {"d_prime": 2.5, "criterion": 0.1}}, 2.5),
        ({"discernment": {"d_prime": None, "reason": "no decoys"}}, None),
        ({"discernment": "high"}, None),
        ({"discernment": True}, None),
        ({"discernment": float("nan")}, None),
    ],
)
def test_discernment_is_read_when_stored(stored: dict[str, object], expected: float | None) -> None:
    assert stored_number(stored.get("discernment"), "d_prime") == expected


def test_a_measure_by_name() -> None:
    result = Measures(40.0, {"unverified": CategoryResult(1.0, 4.0)}, discernment=1.5)
    assert [result.value(name) for name in ("score", "category:unverified", "discernment", "brier")] == [
        40.0,
        25.0,
        1.5,
        None,
    ]
