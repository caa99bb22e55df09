import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.matching import (
    Span,
    SpanIndex,
    best_assignment,
    boundary_agreement,
    overlap,
    overlap_is_enough,
)
from scoring.types import Policy


def test_overlap_counts_shared_characters_and_never_goes_negative():
    assert overlap(0, 10, 5, 20) == 5
    assert overlap(0, 10, 10, 20) == 0  # touching spans share nothing
    assert overlap(0, 10, 30, 40) == 0
    assert overlap(5, 8, 0, 100) == 3


def test_boundary_agreement_is_one_for_exact_and_two_thirds_for_double_length():
    assert boundary_agreement(10, 30, 10, 30) == 1.0
    assert boundary_agreement(10, 30, 10, 50) == pytest.approx(2 / 3)  # 2*20 / (20+40)
    assert boundary_agreement(10, 30, 40, 50) == 0.0


@pytest.mark.parametrize(
    ("case", "key", "flag", "expected"),
    [
        ("exact", (100, 130), (100, 130), True),
        # "at least 40 civilians" (21) + " in the village" (15): 58% of the flag is key
        ("key phrase plus a few words", (100, 121), (100, 136), True),
        # a short figure with a few words around it: 12 of 32 characters, 38%
        ("short figure in a clause", (110, 122), (100, 132), True),
        ("key phrase minus the last word", (100, 130), (100, 124), True),
        # 5 letters inside an 80-character item: 6% of the item
        ("a few letters inside a long item", (100, 180), (120, 125), False),
        # a 400-character paragraph around a 30-character item: 7.5% of the flag
        ("whole paragraph", (200, 230), (0, 400), False),
        # a 120-character sentence around a 30-character item: 25% of the flag
        ("whole long sentence around a short item", (150, 180), (100, 220), False),
        ("touching", (100, 130), (130, 140), False),
        ("disjoint", (100, 130), (200, 240), False),
        ("half the item and nothing else", (100, 130), (115, 130), True),
        ("less than half the item", (100, 130), (116, 130), False),
    ],
)
def test_overlap_rule_with_default_policy(case, key, flag, expected):
    assert overlap_is_enough(*key, *flag, Policy()) is expected, case


def test_overlap_rule_follows_the_policy_thresholds():
    strict = Policy(min_key_overlap=1.0, min_flag_overlap=1.0)
    assert overlap_is_enough(10, 20, 10, 20, strict)
    assert not overlap_is_enough(10, 20, 10, 21, strict)
    assert not overlap_is_enough(10, 20, 11, 20, strict)


spans = st.lists(
    st.tuples(st.sampled_from("ab"), st.integers(0, 60), st.integers(1, 25)), max_size=15
)


@given(spans, st.sampled_from("abc"), st.integers(0, 70), st.integers(1, 30))
def test_span_index_finds_exactly_the_overlapping_spans(members, article, start, length):
    index = SpanIndex([Span(a, s, s + n, i) for i, (a, s, n) in enumerate(members)])
    found = sorted(span.index for span in index.overlapping(article, start, start + length))
    expected = [
        i for i, (a, s, n) in enumerate(members)
        if a == article and overlap(s, s + n, start, start + length) > 0
    ]
    assert found == expected


def test_assignment_gives_an_item_to_the_better_flag():
    assert best_assignment([[(0, 1.0, 1.0)], [(0, 2.0, 1.0)]]) == [None, 0]


def test_assignment_is_optimal_where_greedy_is_not():
    # Flag 0 prefers item 0 (3) but only flag 0 can take item 1: 2 + 2 beats 3 + 0.
    assert best_assignment([[(0, 3.0, 0.0), (1, 2.0, 0.0)], [(0, 2.0, 0.0)]]) == [1, 0]


def test_assignment_breaks_weight_ties_by_tie_weight_then_by_order():
    assert best_assignment([[(0, 1.0, 0.2)], [(0, 1.0, 0.9)]]) == [None, 0]
    assert best_assignment([[(0, 1.0, 0.5)], [(0, 1.0, 0.5)]]) == [0, None]
    assert best_assignment([[(0, 1.0, 0.5), (1, 1.0, 0.5)]]) == [0]


def test_assignment_takes_a_zero_weight_match_rather_than_none():
    assert best_assignment([[(0, 0.0, 0.0)]]) == [0]
    assert best_assignment([[(0, 0.0, 0.0)], [(0, 0.0, 0.0), (1, 0.0, 0.0)]]) == [0, 1]


def test_assignment_leaves_flags_without_candidates_alone():
    assert best_assignment([[], [(3, 1.0, 1.0)], []]) == [None, 3, None]


def test_assignment_handles_a_long_chain_quickly():
    # Flag k may take item k or k+1; weights favour k+1, except that the last item is best
    # left to the last flag. A chain of 400 must still be solved exactly.
    chain = [[(k, 1.0, 0.0), (k + 1, 1.5, 0.0)] for k in range(400)]
    chosen = best_assignment(chain)
    assert chosen == [k + 1 for k in range(400)]


def _brute_force(candidates):
    """Best total weight (and tie weight) over every one-to-one assignment."""
    best = (0.0, 0.0)
    choices = [[None, *options] for options in candidates]
    for pick in itertools.product(*choices):
        taken = [option[0] for option in pick if option is not None]
        if len(taken) != len(set(taken)):
            continue
        total = (
            round(sum(o[1] for o in pick if o is not None), 9),
            round(sum(o[2] for o in pick if o is not None), 9),
        )
        best = max(best, total)
    return best


candidate_lists = st.lists(
    st.dictionaries(
        st.integers(0, 4),
        st.tuples(st.sampled_from([0.0, 0.5, 1.0, 1.25, 2.0]), st.sampled_from([0.0, 0.3, 1.0])),
        max_size=4,
    ).map(lambda d: [(item, w, t) for item, (w, t) in sorted(d.items())]),
    max_size=6,
)


@given(candidate_lists)
def test_assignment_equals_brute_force(candidates):
    chosen = best_assignment(candidates)
    taken = [item for item in chosen if item is not None]
    assert len(taken) == len(set(taken)), "an item went to two flags"
    weight = tie = 0.0
    for options, item in zip(candidates, chosen):
        if item is not None:
            (option,) = [o for o in options if o[0] == item]
            weight += option[1]
            tie += option[2]
    assert (round(weight, 9), round(tie, 9)) == _brute_force(candidates)
