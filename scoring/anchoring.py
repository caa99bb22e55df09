"""Turn a quote into offsets in an article's stored text: the one place in the project that does.

A quote typed by a person (or sent by a browser) may differ from the stored text in ways a reader
cannot see: a plain space for a non-breaking one, straight quotes for curly ones, a hyphen for an
en or em dash, one space where the text has a line break. Matching therefore compares *folded*
text, while every offset returned refers to the text as stored.

Folding replaces each look-alike code point by one plain code point, so a folded string is as long
as the original and an offset into one is an offset into the other. Runs of whitespace inside a
quote match any run of whitespace in the text; whitespace at the very start or end of a quote
matches one whitespace character each, so a returned span never grows beyond what was asked for.

Offsets are Python ``str`` indices (code points); ``end`` is exclusive. Matching is case-sensitive.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple, overload

__all__ = [
    "AnchorError",
    "OccurrenceOutOfRange",
    "QuoteNotFound",
    "Span",
    "find_quote",
    "fold",
    "reanchor",
]


class Span(NamedTuple):
    """A half-open range ``[start, end)`` of code points in an article's stored text."""

    start: int
    end: int


class AnchorError(ValueError):
    """A quote could not be turned into one span."""


class QuoteNotFound(AnchorError):
    """The quote does not occur in the text, even after folding."""


class OccurrenceOutOfRange(AnchorError):
    """An occurrence was asked for that the text does not have."""

    def __init__(self, occurrence: int, count: int) -> None:
        self.occurrence = occurrence
        self.count = count
        super().__init__(f"occurrence {occurrence} asked for, but the quote occurs {count} time(s)")


_SINGLE_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u02bc"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"

_FOLDS: dict[int, str] = {
    **{ord(c): "'" for c in _SINGLE_QUOTES},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): "-" for c in _DASHES},
}


class _FoldTable(dict[int, str]):
    """The `str.translate` table of `fold`, filled in as code points are first met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        # Every space separator (no-break, thin, figure, ideographic ...) reads as a space.
        folded = " " if unicodedata.category(char) == "Zs" else char
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable(_FOLDS)


def fold(text: str) -> str:
    """Return ``text`` with look-alike spaces, quotes and dashes made plain, one code point each."""
    return text.translate(_FOLD_TABLE)


_fold_text = functools.lru_cache(maxsize=16)(fold)
"""`fold` for article texts: a key's items are looked up one after another in the same few texts."""


_WHITESPACE_RUN = re.compile(r"\s+")


def _pattern(quote: str) -> re.Pattern[str] | None:
    """Compile the folded quote into a pattern for the folded text; None for a blank quote."""
    folded = fold(quote)
    core = folded.strip()
    if not core:
        return None
    lead = len(folded) - len(folded.lstrip())
    trail = len(folded) - len(folded.rstrip())
    words = _WHITESPACE_RUN.split(core)
    body = r"\s+".join(re.escape(word) for word in words)
    return re.compile(r"\s" * lead + body + r"\s" * trail)


def _matches(folded_text: str, pattern: re.Pattern[str]) -> tuple[Span, ...]:
    """Every match of ``pattern`` in ``folded_text``, overlapping ones included, leftmost first."""
    spans: list[Span] = []
    position = 0
    while (match := pattern.search(folded_text, position)) is not None:
        spans.append(Span(match.start(), match.end()))
        position = match.start() + 1
    return tuple(spans)


@overload
def find_quote(text: str, quote: str, occurrence: None = None) -> tuple[Span, ...]: ...
@overload
def find_quote(text: str, quote: str, occurrence: int) -> Span: ...
def find_quote(text: str, quote: str, occurrence: int | None = None) -> tuple[Span, ...] | Span:
    """Find ``quote`` in ``text``: every span when ``occurrence`` is None, else the 1-based one.

    Without ``occurrence`` the result is a tuple of spans, empty when the quote does not occur.
    With ``occurrence`` it is one span; :class:`QuoteNotFound` is raised when the quote does not
    occur and :class:`OccurrenceOutOfRange` when it occurs fewer times than ``occurrence`` (or
    ``occurrence`` is below 1).
    """
    pattern = _pattern(quote)
    spans = _matches(_fold_text(text), pattern) if pattern is not None else ()
    if occurrence is None:
        return spans
    if not spans:
        raise QuoteNotFound(f"quote {quote!r} not found")
    if not 1 <= occurrence <= len(spans):
        raise OccurrenceOutOfRange(occurrence, len(spans))
    return spans[occurrence - 1]


def _agreement_before(folded_text: str, start: int, prefix: str) -> int:
    """How many characters of ``prefix``, read backwards, agree with the text before ``start``."""
    count = 0
    for offset, char in enumerate(reversed(fold(prefix)), start=1):
        if offset > start or folded_text[start - offset] != char:
            break
        count += 1
    return count


def _agreement_after(folded_text: str, end: int, suffix: str) -> int:
    """How many characters of ``suffix``, read forwards, agree with the text from ``end`` on."""
    count = 0
    for offset, char in enumerate(fold(suffix)):
        if end + offset >= len(folded_text) or folded_text[end + offset] != char:
            break
        count += 1
    return count


def reanchor(
    text: str,
    start: int | None,
    end: int | None,
    quote: str,
    prefix: str = "",
    suffix: str = "",
) -> Span | None:
    """Return the span of ``text`` a client meant by ``start``, ``end`` and ``quote``, or None.

    The rule, in order:

    1. If ``start`` and ``end`` lie inside the text and the slice they cut matches the quote
       (folded, as in :func:`find_quote`), the client's offsets stand.
    2. Otherwise every occurrence of the quote is a candidate. The one whose surroundings agree
       with most characters of ``prefix`` (the text just before the quote, as the client saw it)
       and ``suffix`` (the text just after) wins; ties go to the one nearest ``start``, then to the
       earliest.
    3. None when the quote is blank or does not occur at all.

    ``start`` and ``end`` may be None, for a client that knows only the quote (a form without
    JavaScript); candidates are then chosen by ``prefix`` and ``suffix`` alone.
    """
    if start is not None and end is not None and 0 <= start < end <= len(text) and text[start:end] == quote:
        # The slice is the quote itself, which its pattern always matches: no pattern to compile.
        return Span(start, end) if quote.strip() else None
    pattern = _pattern(quote)
    if pattern is None:
        return None
    if (
        start is not None
        and end is not None
        and 0 <= start < end <= len(text)
        and pattern.fullmatch(fold(text[start:end]))
    ):
        return Span(start, end)
    folded_text = _fold_text(text)
    candidates = _matches(folded_text, pattern)
    if not candidates:
        return None

    def rank(span: Span) -> tuple[int, int, int]:
        context = _agreement_before(folded_text, span.start, prefix) + _agreement_after(folded_text, span.end, suffix)
        distance = abs(span.start - start) if start is not None else 0
        return (-context, distance, span.start)

    return min(candidates, key=rank)
