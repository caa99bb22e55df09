"""Discernment (d′ with log-linear corrected rates): golden values worked out by hand.

z values used: z(0.7) = 0.524401, z(0.875) = 1.150349, z(0.25) = −0.674490, z(0.9) = 1.281552,
z(5/6) = 0.967422, z(0.1) = −1.281552, z(1/6) = −0.967422, z(0.5) = 0.
"""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises.loader import load_package
from scoring.discernment import d_prime, describe, measure_discernment, measure_from_statuses
from scoring.report import ItemResult, ItemStatus
from scoring.types import Flag

SEED = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"


def _items(**statuses: int) -> list[ItemResult]:
    """Item results with the given number of each status, e.g. found=3, decoy_flagged=1."""
    results = []
    for status_name, count in statuses.items():
        status = ItemStatus(status_name)
        for number in range(count):
            results.append(
                ItemResult(f"{status_name}-{number}", "a", "c", None, status, (), 1.0, 0.0, 0.0, 0.0, 0.0, "", "")
            )
    return results


@pytest.mark.parametrize(
    ("statuses", "expected_d", "expected_c"),
    [
        # H = 3.5/5 = 0.7, F = 1.5/3 = 0.5: d′ = 0.524401 − 0 ; c = −0.524401 / 2
        ({"found": 2, "partial": 1, "missed": 1, "decoy_flagged": 1, "decoy_avoided": 1}, 0.524401, -0.262200),
        # All found, none flagged: H = 3.5/4 = 0.875, F = 0.5/2 = 0.25
        ({"found": 3, "decoy_avoided": 1}, 1.824839, -0.237930),
        # Flags everything: H = 4.5/5 = 0.9, F = 2.5/3 = 5/6
        ({"found": 2, "wrong_category": 1, "lone_figure": 1, "decoy_flagged": 2}, 0.314130, -1.124487),
        # Flags nothing: H = 0.5/5 = 0.1, F = 0.5/3 = 1/6
        ({"missed": 4, "decoy_avoided": 2}, -0.314130, 1.124487),
    ],
)
def test_d_prime_and_criterion_match_hand_computed_values(statuses, expected_d, expected_c):
    discernment = measure_discernment(_items(**statuses))
    assert discernment.measurable
    assert discernment.d_prime == pytest.approx(expected_d, abs=1e-6)
    assert discernment.criterion == pytest.approx(expected_c, abs=1e-6)
    assert discernment.reason == ""


def test_counts_and_uncorrected_rates():
    discernment = measure_discernment(_items(found=2, partial=1, missed=1, decoy_flagged=1, decoy_avoided=1))
    assert (discernment.problems, discernment.hits) == (4, 3)
    assert (discernment.sound_passages, discernment.false_alarms) == (2, 1)
    assert (discernment.hit_rate, discernment.false_alarm_rate) == (0.75, 0.5)


@given(st.dictionaries(st.sampled_from([status.value for status in ItemStatus]), st.integers(0, 6)))
def test_the_stored_rows_statuses_give_the_discernment_of_the_items(statuses):
    """The app measures a submission from the statuses of its stored item rows (plain strings)."""
    items = _items(**statuses)
    assert measure_from_statuses(item.status.value for item in items) == measure_discernment(items)


def test_no_decoys_is_not_measurable_and_says_why():
    discernment = measure_discernment(_items(found=3, missed=1))
    assert not discernment.measurable
    assert (discernment.d_prime, discernment.criterion, discernment.false_alarm_rate) == (None, None, None)
    assert discernment.hit_rate == 0.75
    assert "no sound passages" in discernment.reason
    assert describe(discernment) == discernment.reason


def test_no_problems_is_not_measurable_and_says_why():
    discernment = measure_discernment(_items(decoy_flagged=1))
    assert not discernment.measurable
    assert discernment.hit_rate is None
    assert "no problems" in discernment.reason


@pytest.mark.parametrize(
    ("counts", "message"),
    [((1, 0, 0, 1), "hits 1 out of 0"), ((3, 2, 0, 1), "hits 3 out of 2"), ((1, 2, 2, 1), "false alarms 2 out of 1")],
)
def test_d_prime_refuses_impossible_counts(counts, message):
    with pytest.raises(ValueError, match=message):
        d_prime(*counts)


@pytest.mark.parametrize(
    ("statuses", "reading"),
    [
        (
            {"found": 7, "missed": 1, "decoy_flagged": 2, "decoy_avoided": 2},
            (
                "You found nearly all of the problems but also flagged about half of the sound passages. "
                "You told problems from sound passages only a little better than by chance."
            ),
        ),
        (
            {"found": 10, "decoy_avoided": 4},
            (
                "You found all of the problems and flagged none of the sound passages. "
                "You told problems from sound passages clearly."
            ),
        ),
        (
            {"found": 1, "missed": 5, "decoy_flagged": 2, "decoy_avoided": 2},
            (
                "You found a few of the problems but also flagged about half of the sound passages. "
                "Your flags did not tell problems from sound passages: you flagged both about as often."
            ),
        ),
        (
            {"found": 5, "missed": 5, "decoy_flagged": 1, "decoy_avoided": 9},
            (
                "You found about half of the problems but also flagged a few of the sound passages. "
                "You told problems from sound passages fairly well."
            ),
        ),
    ],
)
def test_plain_language_reading(statuses, reading):
    assert describe(measure_discernment(_items(**statuses))) == reading


def test_the_seed_key_flagged_as_it_is_shows_clear_discernment():
    # 47 problems all found, 11 decoys none flagged: H = 47.5/48, F = 0.5/12,
    # d′ = z(0.989583) − z(0.041667) = 2.310991 + 1.731664 = 4.042656.
    package = load_package(SEED)
    flags = [
        Flag(f"f-{item.id}", item.article, item.core[0], item.core[1], item.category)
        for item in package.key
        if not item.decoy
    ]
    discernment = measure_discernment(package.prepared_key().score(flags, ()).items)
    assert (discernment.hits, discernment.problems, discernment.false_alarms, discernment.sound_passages) == (
        47,
        47,
        0,
        11,
    )
    assert discernment.d_prime == pytest.approx(4.042656, abs=1e-5)


def test_flagging_every_decoy_as_well_lowers_discernment():
    package = load_package(SEED)
    flags = [Flag(f"f-{item.id}", item.article, item.core[0], item.core[1], item.category) for item in package.key]
    discernment = measure_discernment(package.prepared_key().score(flags, ()).items)
    # H = 47.5/48, F = 11.5/12: d′ = 2.310991 − 1.731664 = 0.579327.
    assert discernment.false_alarms == 11
    assert discernment.d_prime == pytest.approx(0.579327, abs=1e-5)
