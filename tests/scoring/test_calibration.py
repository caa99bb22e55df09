"""Calibration: Brier score and reliability table, with values worked out by hand."""

import pytest

from scoring.calibration import CONFIDENCE_SCALE, measure_calibration, outcomes_of, pool
from scoring.report import FlagOutcome, FlagResult


def _flag(flag_id: str, outcome: FlagOutcome) -> FlagResult:
    return FlagResult(flag_id, "a", 0, 1, "c", outcome, None, 0.0, 0.0, "", "")


FLAGS = [
    _flag("f1", FlagOutcome.MATCHED),
    _flag("f2", FlagOutcome.DECOY),
    _flag("f3", FlagOutcome.MATCHED),
    _flag("f4", FlagOutcome.NOT_IN_KEY),
    _flag("f5", FlagOutcome.MATCHED),
    _flag("f6", FlagOutcome.DUPLICATE),
]
CONFIDENCES = {"f1": "almost_certain", "f2": "almost_certain", "f3": "likely", "f4": "unlikely", "f6": None}


def test_scale_is_surest_first_with_the_estimative_probabilities():
    assert [(level.id, level.probability) for level in CONFIDENCE_SCALE] == [
        ("almost_certain", 0.95),
        ("likely", 0.75),
        ("roughly_even", 0.5),
        ("unlikely", 0.25),
    ]


def test_brier_score_of_one_submission():
    # (1 − 0.95)² + (0 − 0.95)² + (1 − 0.75)² + (0 − 0.25)² = 0.0025 + 0.9025 + 0.0625 + 0.0625 = 1.03; / 4.
    calibration = measure_calibration(outcomes_of(FLAGS), CONFIDENCES)
    assert (calibration.rated, calibration.unrated) == (4, 2)
    assert calibration.brier == pytest.approx(0.2575)


def test_reliability_table_counts_right_flags_per_word():
    calibration = measure_calibration(outcomes_of(FLAGS), CONFIDENCES)
    table = [(row.level, row.flags, row.right, row.right_share) for row in calibration.rows]
    assert table == [
        ("almost_certain", 2, 1, 0.5),
        ("likely", 1, 1, 1.0),
        ("roughly_even", 0, 0, None),
        ("unlikely", 1, 0, 0.0),
    ]


def test_no_confidence_given_has_no_brier_score():
    calibration = measure_calibration(outcomes_of(FLAGS), {})
    assert (calibration.rated, calibration.unrated, calibration.brier) == (0, 6, None)


def test_always_roughly_even_scores_a_quarter():
    calibration = measure_calibration(outcomes_of(FLAGS), {flag.id: "roughly_even" for flag in FLAGS})
    assert calibration.brier == pytest.approx(0.25)


def test_unknown_confidence_is_refused_by_name():
    with pytest.raises(ValueError, match="flag 'f1': confidence 'sure'"):
        measure_calibration(outcomes_of(FLAGS), {"f1": "sure"})


def test_pooled_calibration_adds_the_tables_and_weights_brier_by_flags():
    first = measure_calibration(outcomes_of(FLAGS), CONFIDENCES)
    second = measure_calibration([("g1", FlagOutcome.MATCHED)], {"g1": "likely"})
    pooled = pool([first, second])
    # 1.03 + (1 − 0.75)² = 1.0925 over 5 flags.
    assert (pooled.rated, pooled.unrated) == (5, 2)
    assert pooled.brier == pytest.approx(0.2185)
    assert [(row.flags, row.right) for row in pooled.rows] == [(2, 1), (2, 2), (0, 0), (1, 0)]


def test_pooling_nothing_is_empty():
    pooled = pool([])
    assert (pooled.rated, pooled.brier) == (0, None)
    assert all(row.flags == 0 for row in pooled.rows)
