"""Quoting a span in its sentence, for the at-a-glance lists and the key gaps."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

SENTENCE_LIMIT = 240
"""Characters of context kept on each side of a span when its sentence is long."""


@dataclass(frozen=True)
class Sentence:
    """A span shown in its sentence: the words before it, the span itself and the words after."""

    before: str
    span: str
    after: str

    @property
    def text(self) -> str:
        return f"{self.before}{self.span}{self.after}"


_SENTENCE_END = re.compile(r"[.!?…][\"”’')]*\s|\n")


@functools.lru_cache(maxsize=64)
def _sentence_starts(text: str) -> tuple[int, ...]:
    """Where each sentence of ``text`` after the first begins (just past a sentence end), in order."""
    return tuple(match.end() for match in _SENTENCE_END.finditer(text))


def sentence_of(text: str, start: int, end: int, *, limit: int = SENTENCE_LIMIT) -> Sentence:
    """The sentence(s) around ``text[start:end]``, cut at ``limit`` characters a side."""
    # The sentence ends are found once per text: the heatmap asks for hundreds of sentences of
    # one article, and scanning from its beginning each time made that quadratic.
    starts = _sentence_starts(text)
    left = starts[bisect.bisect_right(starts, start) - 1] if starts and starts[0] <= start else 0
    found = _SENTENCE_END.search(text, max(end - 1, start))
    right = found.end() if found else len(text)
    before, after = text[left:start].lstrip(), text[end:right].rstrip()
    if len(before) > limit:
        before = "…" + before[-limit:].split(" ", 1)[-1]
    if len(after) > limit:
        after = after[:limit].rsplit(" ", 1)[0] + "…"
    return Sentence(before, text[start:end], after)


def word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``–``end`` widened to whole words: no word is cut in two."""
    while start > 0 and (text[start - 1].isalnum() and text[start].isalnum()):
        start -= 1
    while end < len(text) and (text[end - 1].isalnum() and text[end].isalnum()):
        end += 1
    return start, end


def chosen_span(spans: Mapping[tuple[int, int], int]) -> tuple[int, int]:
    """The span most of these flags chose: the commonest exact span when at least half the flags
    chose it, else the median start to the median end (each flag's end lies past its start, so
    the median end lies past the median start): scattered one-word flags give the phrase they
    share, not the one word that happened to come up most."""
    total = sum(spans.values())
    common, count = max(spans.items(), key=lambda pair: (pair[1], -pair[0][0], -pair[0][1]))
    if 2 * count >= total:
        return common
    starts = sorted(start for (start, _), n in spans.items() for _ in range(n))
    ends = sorted(end for (_, end), n in spans.items() for _ in range(n))
    middle = (total - 1) // 2
    return starts[middle], ends[middle]
