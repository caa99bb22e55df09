import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.matching import (
    Span,
    SpanIndex,
    Words,
    best_assignment,
    boundary_agreement,
    boundary_factor,
    core_words,
    count_without_text,
    overlap,
)
from scoring.matching import _best_in_component as full_search


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
    ("case", "core_words", "covered", "outside", "expected"),
    [
        ("the whole core within the extent", 3, 3, 0, 1.0),
        ("half the core", 2, 1, 0, 1 - 0.35 * 0.25),
        ("one word of a four-word core", 4, 1, 0, 1 - 0.35 * 0.75**2),
        ("one word past the extent", 1, 1, 1, 1 / (1 + (1 / 3.2) ** 2)),
        ("three words past the extent", 1, 1, 3, 1 / (1 + (3 / 3.2) ** 2)),
        ("half the core and two words past", 2, 1, 2, (1 - 0.35 * 0.25) / (1 + (2 / 3.2) ** 2)),
        ("no core word", 3, 0, 0, 0.0),
    ],
)
def test_boundary_factor(case, core_words, covered, outside, expected):
    assert boundary_factor(core_words, covered, outside) == pytest.approx(expected), case


@pytest.mark.parametrize(
    ("covered", "outside", "at_least", "at_most"),
    [
        (2, 0, 0.90, 1.0),  # one word short of a three-word core
        (1, 0, 0.90, 1.0),  # half of a two-word core
        (3, 1, 0.90, 1.0),  # one word past
        (3, 3, 0.0, 0.6),  # three words past
        (3, 6, 0.0, 0.25),  # a sentence past
        (3, 40, 0.0, 0.01),  # a paragraph past
    ],
)
def test_boundary_factor_falls_off_smoothly(covered, outside, at_least, at_most):
    assert at_least <= boundary_factor(max(covered, 2), covered, outside) <= at_most


@given(st.integers(1, 8), st.integers(0, 8), st.integers(0, 50))
def test_boundary_factor_is_a_share_that_grows_with_the_core_and_shrinks_past_the_extent(core, covered, outside):
    covered = min(covered, core)
    factor = boundary_factor(core, covered, outside)
    assert 0.0 <= factor <= 1.0
    assert (factor == 0.0) is (covered == 0)
    if covered < core:
        assert boundary_factor(core, covered + 1, outside) > factor
    if covered:
        assert boundary_factor(core, covered, outside + 1) < factor


TEXT = "In the end, 200 to 300 of the attacking fighters were killed. Syria’s three-hour battle."


@pytest.mark.parametrize(
    ("selected", "widened"),
    [
        ("200 to 300", "200 to 300"),
        ("00 to 30", "200 to 300"),  # cut words are completed
        (" 200 to 300 ", " 200 to 300 "),  # spaces stay: they cut no word
        ("yria’s thr", "Syria’s three-hour"),  # inner apostrophes and hyphens join a word
        ("three", "three-hour"),
    ],
)
def test_words_widen_a_selection_to_whole_words(selected, widened):
    start = TEXT.index(selected)
    new_start, new_end = Words(TEXT).widen(start, start + len(selected))
    assert TEXT[new_start:new_end] == widened


def test_words_are_counted_in_the_text_or_by_length_without_it():
    words = Words(TEXT)
    start = TEXT.index("of the attacking")
    assert words.count(start, start + len("of the attacking")) == 3
    assert words.count(start, start) == 0
    assert count_without_text(0, 13) == 3  # six characters a word, rounded up
    assert count_without_text(5, 5) == 0


def test_core_words_are_read_from_the_quote():
    quote = "200 to 300 of the attacking fighters"
    assert core_words(100, 136, quote, 100, 110) == ((100, 103), (107, 110))  # "to" carries nothing
    assert core_words(100, 136, quote, 104, 106) == ((104, 106),)  # unless there is nothing else
    assert core_words(100, 103, "— ‘", 100, 103) == ((100, 103),)  # no word: the whole core is one
    # a made-up quote: six characters a word
    assert core_words(0, 20, "q", 5, 18) == ((5, 11), (11, 17), (17, 18))


spans = st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 60), st.integers(1, 25)), max_size=15)


@given(spans, st.sampled_from("abc"), st.integers(0, 70), st.integers(1, 30))
def test_span_index_finds_exactly_the_overlapping_spans(members, article, start, length):
    index = SpanIndex([Span(a, s, s + n, i) for i, (a, s, n) in enumerate(members)])
    found = sorted(span.index for span in index.overlapping(article, start, start + length))
    expected = [
        i for i, (a, s, n) in enumerate(members) if a == article and overlap(s, s + n, start, start + length) > 0
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


def _full_search(candidates):
    """The assignment the search gives every flag with an option, without any shortcut."""
    chosen = [None] * len(candidates)
    for flag, item in full_search([flag for flag, options in enumerate(candidates) if options], candidates):
        chosen[flag] = item
    return chosen


@given(candidate_lists)
def test_assignment_equals_the_full_search_with_its_order_of_ties(candidates):
    # best_assignment gives uncontested flags their best item at once and settles flags with no
    # other option than one item without searching; the answer, ties included, is the search's.
    assert best_assignment(candidates) == _full_search(candidates)


@given(
    st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 1.0 + 1e-12]), st.sampled_from([0.0, 0.3, 1.0])), max_size=7),
    candidate_lists,
)
def test_flags_with_one_contested_item_and_no_other_option_get_what_the_search_gives(weights, others):
    # Several flags wanting only item 5 beside other flags that never want it.
    contested = [[(5, weight, tie)] for weight, tie in weights]
    candidates = [*contested, *others]
    assert best_assignment(candidates) == _full_search(candidates)
    candidates = [*others, *contested]
    assert best_assignment(candidates) == _full_search(candidates)
