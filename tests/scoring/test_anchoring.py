"""Turning quotes into offsets: folding, occurrences, re-anchoring, and properties over random text."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scoring.anchoring import (
    OccurrenceOutOfRange,
    QuoteNotFound,
    Span,
    find_quote,
    fold,
    reanchor,
)

TEXT = (
    "It was the opening salvo in a nearly four-hour assault by around 500\u00a0pro-Syrian "
    "government forces\u00a0\u2013 including Russian mercenaries \u2013 near the river.\n\n"
    "The documents described the fighters as a \u201cpro-regime force,\u201d loyal to "
    "Syria\u2019s president. Later the force returned to the river."
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("a\u00a0b", "a b"),
        ("a\u2009b\u202fc\u3000d", "a b c d"),
        ("\u201cquoted\u201d", '"quoted"'),
        ("Syria\u2019s \u2018word\u2019", "Syria's 'word'"),
        ("\u00abguillemets\u00bb", '"guillemets"'),
        ("en\u2013em\u2014minus\u2212", "en-em-minus-"),
        ("plain text, untouched", "plain text, untouched"),
    ],
)
def test_fold_makes_look_alikes_plain(raw: str, folded: str) -> None:
    assert fold(raw) == folded
    assert len(fold(raw)) == len(raw)


def test_typed_quote_finds_nbsp_and_dash_in_stored_text() -> None:
    (span,) = find_quote(TEXT, "500 pro-Syrian government forces - including")
    assert TEXT[span.start : span.end] == ("500\u00a0pro-Syrian government forces\u00a0\u2013 including")


def test_typed_straight_quotes_find_curly_ones() -> None:
    span = find_quote(TEXT, '"pro-regime force,"', occurrence=1)
    assert TEXT[slice(*span)] == "\u201cpro-regime force,\u201d"
    start = TEXT.index("Syria\u2019s president")
    assert find_quote(TEXT, "Syria's president") == (Span(start, start + 17),)


def test_a_space_in_the_quote_matches_a_paragraph_break() -> None:
    (span,) = find_quote(TEXT, "the river. The documents")
    assert TEXT[slice(*span)] == "the river.\n\nThe documents"


def test_all_occurrences_come_leftmost_first_and_one_can_be_chosen() -> None:
    spans = find_quote(TEXT, "the river")
    assert len(spans) == 2
    assert spans[0].start < spans[1].start
    assert find_quote(TEXT, "the river", occurrence=2) == spans[1]


def test_overlapping_occurrences_are_all_found() -> None:
    assert find_quote("aaa", "aa") == (Span(0, 2), Span(1, 3))


def test_matching_is_case_sensitive() -> None:
    assert find_quote(TEXT, "THE RIVER") == ()


def test_a_missing_quote_is_an_empty_result_or_an_error() -> None:
    assert find_quote(TEXT, "zebra") == ()
    with pytest.raises(QuoteNotFound):
        find_quote(TEXT, "zebra", occurrence=1)


@pytest.mark.parametrize("occurrence", [0, 3])
def test_an_occurrence_out_of_range_is_an_error(occurrence: int) -> None:
    with pytest.raises(OccurrenceOutOfRange) as raised:
        find_quote(TEXT, "the river", occurrence=occurrence)
    assert raised.value.count == 2
    assert str(raised.value) == (f"occurrence {occurrence} asked for, but the quote occurs 2 time(s)")


@pytest.mark.parametrize("quote", ["", "   ", "\u00a0\n"])
def test_a_blank_quote_is_never_found(quote: str) -> None:
    assert find_quote(TEXT, quote) == ()
    assert reanchor(TEXT, 0, 3, quote) is None


def test_reanchor_keeps_offsets_that_cut_the_quote() -> None:
    start = TEXT.index("Russian mercenaries")
    assert reanchor(TEXT, start, start + 19, "Russian mercenaries") == (start, start + 19)


def test_reanchor_keeps_offsets_whose_slice_matches_after_folding() -> None:
    start = TEXT.index("Syria\u2019s")
    assert reanchor(TEXT, start, start + 7, "Syria's") == (start, start + 7)


def test_reanchor_moves_stale_offsets_to_the_quote() -> None:
    start = TEXT.index("opening salvo")
    assert reanchor(TEXT, start + 3, start + 16, "opening salvo") == (start, start + 13)


def test_reanchor_uses_prefix_and_suffix_to_choose_among_repeats() -> None:
    first, second = find_quote(TEXT, "the river")
    # Offsets near the first occurrence, but the context says the second.
    chosen = reanchor(TEXT, first.start, None, "the river", prefix="force returned to ", suffix=".")
    assert chosen == second
    chosen = reanchor(TEXT, second.start + 1, None, "the river", prefix="mercenaries \u2013 near ")
    assert chosen == first


def test_reanchor_folds_the_context_too() -> None:
    first, _second = find_quote(TEXT, "the river")
    assert reanchor(TEXT, None, None, "the river", prefix="mercenaries - near ") == first


def test_reanchor_without_context_takes_the_nearest_then_the_first() -> None:
    first, second = find_quote(TEXT, "the river")
    assert reanchor(TEXT, second.start - 5, second.end - 5, "the river") == second
    assert reanchor(TEXT, None, None, "the river") == first


def test_reanchor_returns_none_for_a_quote_that_is_not_there() -> None:
    assert reanchor(TEXT, 0, 5, "zebra", prefix="a", suffix="b") is None


def test_reanchor_ignores_offsets_outside_the_text() -> None:
    start = TEXT.index("salvo")
    assert reanchor(TEXT, -5, 10_000, "salvo") == (start, start + 5)


# Few characters, so that random text repeats itself and folds in interesting ways.
LOOK_ALIKES = st.sampled_from(["a", "b", " ", "\u00a0", "\n", "'", "\u2019", '"', "\u201c", "-", "\u2013", "\u2014"])
texts = st.lists(LOOK_ALIKES, min_size=1, max_size=40).map("".join)


@st.composite
def text_and_slice(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(texts)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    assume(text[start:end].strip())
    return text, start, end


@given(text_and_slice())
def test_property_a_slice_is_found_where_it_was_cut(case: tuple[str, int, int]) -> None:
    text, start, end = case
    assert (start, end) in find_quote(text, text[start:end])


@given(text_and_slice())
def test_property_folding_the_quote_or_text_never_changes_the_offsets(
    case: tuple[str, int, int],
) -> None:
    text, start, end = case
    quote = text[start:end]
    spans = find_quote(text, quote)
    assert find_quote(text, fold(quote)) == spans
    assert find_quote(fold(text), quote) == spans


@given(text_and_slice(), st.integers(-5, 5), st.integers(0, 6))
def test_property_reanchor_recovers_the_slice_from_its_context(
    case: tuple[str, int, int], shift: int, context: int
) -> None:
    text, start, end = case
    quote = text[start:end]
    prefix, suffix = text[max(0, start - context) : start], text[end : end + context]
    # The client's start is right, its end is lost: the quote and its context decide.
    assert reanchor(text, start, None, quote, prefix, suffix) == (start, end)
    # Whatever offsets a client sends, the span returned cuts text that matches the quote.
    span = reanchor(text, start + shift, end + shift, quote, prefix, suffix)
    assert span is not None
    assert reanchor(text, span.start, span.end, quote) == span
    assert span in find_quote(text, quote)
