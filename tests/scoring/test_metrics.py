import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.metrics import (
    detection,
    f1,
    merge_spans,
    nervaluate_schemes,
    ratio,
    span_metric,
)
from scoring.types import Flag, KeyItem


def test_ratio_when_nothing_is_on_either_side():
    assert ratio(1, 4, nothing_on_either_side=False) == 0.25
    assert ratio(0, 0, nothing_on_either_side=True) == 1.0
    assert ratio(0, 0, nothing_on_either_side=False) == 0.0


def test_f1_is_the_harmonic_mean():
    assert f1(0.5, 1.0) == pytest.approx(2 / 3)
    assert f1(0.0, 0.0) == 0.0


def test_detection_counts():
    result = detection("unverified", correct=2, flagged=4, expected=3)
    assert (result.category, result.correct, result.flagged, result.expected) == (
        "unverified",
        2,
        4,
        3,
    )
    assert result.precision == 0.5
    assert result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(4 / 7)  # 2 * 0.5 * 2/3 / (0.5 + 2/3)
    nothing = detection(None, 0, 0, 0)
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 1.0, 1.0)
    silent = detection(None, 0, 0, 5)
    assert (silent.precision, silent.recall, silent.f1) == (0.0, 0.0, 0.0)


def test_merge_spans_merges_overlaps_but_not_touching_spans():
    assert merge_spans([(10, 20), (0, 5), (15, 30), (30, 40), (12, 14)]) == [
        (0, 5),
        (10, 30),
        (30, 40),
    ]
    assert merge_spans([]) == []


def test_span_metric_by_hand():
    # flagged a:[0,10) a:[20,30) ; key a:[5,25) b:[0,4)
    # P = (5/10 + 5/10) / 2 = 0.5 ; R = ((5 + 5)/20 + 0) / 2 = 0.25 ; F1 = 1/3
    result = span_metric([("a", 0, 10), ("a", 20, 30)], [("a", 5, 25), ("b", 0, 4)])
    assert (result.flagged_spans, result.key_spans) == (2, 2)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(0.25)
    assert result.f1 == pytest.approx(1 / 3)


def test_span_metric_merges_overlapping_flags_first():
    # two overlapping flags become a:[0,20), exactly the key span
    result = span_metric([("a", 0, 12), ("a", 8, 20)], [("a", 0, 20)])
    assert (result.flagged_spans, result.precision, result.recall, result.f1) == (1, 1.0, 1.0, 1.0)


def test_span_metric_edge_cases():
    both_empty = span_metric([], [])
    assert (both_empty.precision, both_empty.recall, both_empty.f1) == (1.0, 1.0, 1.0)
    nothing_flagged = span_metric([], [("a", 0, 5)])
    assert (nothing_flagged.precision, nothing_flagged.recall, nothing_flagged.f1) == (0.0, 0.0, 0.0)
    nothing_to_find = span_metric([("a", 0, 5)], [])
    assert (nothing_to_find.precision, nothing_to_find.recall, nothing_to_find.f1) == (0.0, 0.0, 0.0)


def test_span_metric_on_documents_the_key_does_not_cover():
    # The flag on "elsewhere" shares nothing with the key: it halves precision, leaves recall.
    result = span_metric([("a", 0, 10), ("elsewhere", 0, 10)], [("a", 0, 10)])
    assert (result.flagged_spans, result.key_spans) == (2, 1)
    assert (result.precision, result.recall) == (0.5, 1.0)
    # Flags only there: precision 0 and recall 0, not "nothing on either side".
    result = span_metric([("elsewhere", 0, 10)], [("a", 0, 10)])
    assert (result.precision, result.recall, result.f1) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("flagged", "key", "message"),
    [
        ([("a", 10, 5)], [], "flagged span ('a', 10, 5): it is inverted (start 10 is after end 5)"),
        ([("a", 5, 5)], [], "flagged span ('a', 5, 5): it is empty (start 5 equals end)"),
        ([("a", -2, 5)], [], "flagged span ('a', -2, 5): offsets must not be negative"),
        ([("a", -5, -2)], [], "flagged span ('a', -5, -2): offsets must not be negative"),
        ([("a", 0, 2.5)], [], "flagged span ('a', 0, 2.5): its offsets must be integers"),
        ([("a", False, 2)], [], "flagged span ('a', False, 2): its offsets must be integers"),
        ([("a", 0, 5)], [("a", 0, 4), ("b", 9, 3)], "key span ('b', 9, 3): it is inverted"),
        ([], [("a", 7, 7)], "key span ('a', 7, 7): it is empty"),
        ([], [("a", -1, 3)], "key span ('a', -1, 3): offsets must not be negative"),
    ],
)
def test_span_metric_refuses_spans_that_are_not_spans(flagged, key, message):
    with pytest.raises(ValueError) as error:
        span_metric(flagged, key)
    assert message in str(error.value)


def test_span_metric_takes_any_iterable_once():
    flagged = (span for span in [("a", 0, 10)])
    key = (span for span in [("a", 0, 10)])
    assert span_metric(flagged, key).f1 == 1.0


def _reference_merge(spans):
    """Merge by repeatedly joining any two position sets that share a position."""
    groups = [set(range(start, end)) for start, end in spans]
    joined = True
    while joined:
        joined = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if groups[i] & groups[j]:
                    groups[i] |= groups.pop(j)
                    joined = True
                    break
            if joined:
                break
    return groups


def _reference_metric(flagged, key):
    """The SemEval formula over every pair of position sets, per document."""
    documents = {d for d, _, _ in flagged} | {d for d, _, _ in key}
    s_sets, t_sets = [], []
    for document in documents:
        s_sets += [(document, g) for g in _reference_merge([(a, b) for d, a, b in flagged if d == document])]
        t_sets += [(document, g) for g in _reference_merge([(a, b) for d, a, b in key if d == document])]
    if not s_sets and not t_sets:
        return 1.0, 1.0, 1.0
    p = sum(len(s & t) / len(s) for ds, s in s_sets for dt, t in t_sets if ds == dt)
    r = sum(len(s & t) / len(t) for ds, s in s_sets for dt, t in t_sets if ds == dt)
    p = p / len(s_sets) if s_sets else 0.0
    r = r / len(t_sets) if t_sets else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


located = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 50), st.integers(1, 12)).map(
        lambda t: (t[0], t[1], t[1] + t[2])
    ),
    max_size=10,
)


@given(located, located)
def test_span_metric_equals_the_reference(flagged, key):
    result = span_metric(flagged, key)
    expected = _reference_metric(flagged, key)
    assert (result.precision, result.recall, result.f1) == pytest.approx(expected)
    for value in (result.precision, result.recall, result.f1):
        assert 0.0 <= value <= 1.0


def _key(item_id, start, end, category="unverified"):
    return KeyItem(item_id, "a", start, end, "q", category)


def _flag(flag_id, start, end, category="unverified"):
    return Flag(flag_id, "a", start, end, category)


def test_nervaluate_counts_every_kind_of_pair():
    items = [
        _key("exact_same", 0, 10),
        _key("exact_other", 20, 30),
        _key("loose_same", 40, 50),
        _key("loose_other", 60, 70),
        _key("missed", 80, 90),
    ]
    flags = [
        _flag("f1", 0, 10),
        _flag("f2", 20, 30, "loaded_framing"),
        _flag("f3", 45, 55),
        _flag("f4", 61, 62, "loaded_framing"),
        _flag("spurious", 100, 110),
        _flag("second_on_exact_same", 2, 8),  # the item is taken: spurious
    ]
    schemes = nervaluate_schemes(flags, items)
    counts = {
        name: (s.correct, s.incorrect, s.partial, s.missed, s.spurious, s.possible, s.actual)
        for name, s in [
            ("strict", schemes.strict),
            ("exact", schemes.exact),
            ("partial", schemes.partial),
            ("type", schemes.type),
        ]
    }
    assert counts == {
        "strict": (1, 3, 0, 1, 2, 5, 6),
        "exact": (2, 2, 0, 1, 2, 5, 6),
        "partial": (2, 0, 2, 1, 2, 5, 6),
        "type": (2, 2, 0, 1, 2, 5, 6),
    }
    assert schemes.strict.precision == pytest.approx(1 / 6)
    assert schemes.strict.recall == pytest.approx(1 / 5)
    assert schemes.partial.precision == pytest.approx(3 / 6)  # (2 + 2/2) / 6
    assert schemes.partial.recall == pytest.approx(3 / 5)
    assert schemes.partial.f1 == pytest.approx(6 / 11)  # 2 * 0.5 * 0.6 / 1.1


def test_nervaluate_pairs_flags_first_come_first_served_in_each_scheme():
    # Canonically the loose flag (10-18) comes before the exact one (10-20), and takes the item:
    # in every scheme, as nervaluate does, the exact flag being left SPU.
    items = [_key("k", 10, 20)]
    flags = [_flag("exact_other", 10, 20, "loaded_framing"), _flag("loose", 10, 18)]
    schemes = nervaluate_schemes(flags, items)
    assert (schemes.exact.correct, schemes.exact.incorrect, schemes.exact.spurious) == (0, 1, 1)
    assert (schemes.type.correct, schemes.type.incorrect, schemes.type.spurious) == (1, 0, 1)


def test_nervaluate_schemes_pair_apart():
    # One flag on two items; the schemes choose differently. Strict: no exact pair of its
    # category, so the first item (INC). Exact: the exact span, of another category (COR).
    # Type: the first item of its category (COR).
    items = [_key("k1", 0, 10), _key("k2", 5, 15, "loaded_framing")]
    flags = [_flag("f", 5, 15)]
    schemes = nervaluate_schemes(flags, items)
    counts = {
        name: (s.correct, s.incorrect, s.partial, s.missed, s.spurious)
        for name, s in [
            ("strict", schemes.strict),
            ("exact", schemes.exact),
            ("partial", schemes.partial),
            ("type", schemes.type),
        ]
    }
    assert counts == {
        "strict": (0, 1, 0, 1, 0),
        "exact": (1, 0, 0, 1, 0),
        "partial": (1, 0, 0, 1, 0),
        "type": (1, 0, 0, 1, 0),
    }


def test_nervaluate_on_articles_the_key_does_not_cover():
    # A flag on an article without key items is SPU; a key item nobody flagged on its article MIS.
    schemes = nervaluate_schemes([Flag("f", "elsewhere", 0, 10, "unverified")], [_key("k", 0, 10)])
    for counts in (schemes.strict, schemes.exact, schemes.partial, schemes.type):
        assert (counts.correct, counts.incorrect, counts.partial, counts.missed, counts.spurious) == (
            0,
            0,
            0,
            1,
            1,
        )


def test_nervaluate_with_nothing_on_either_side():
    schemes = nervaluate_schemes([], [])
    assert (schemes.strict.precision, schemes.strict.recall, schemes.strict.f1) == (1.0, 1.0, 1.0)
