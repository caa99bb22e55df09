"""Where in the articles the cohort flagged: span counts, the coverage heatmap and the flags at a spot."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope, counted_attempts
from app.cohort_figures.sentences import sentence_of
from app.models import Article, Exercise, Flag, SpanTally, User
from scoring.types import KeyItem

HEAT_LEVELS = 8
"""Heatmap intensities heat-1 … heat-8 (heat-0: nobody flagged the text)."""

INLINE_HEATMAP_CHARACTERS = 20_000
"""The most characters an exercise's texts may have for the dashboard to show every heatmap inline.

A heatmap costs its page time and bytes by the length of its text: the seed exercise (8,112
characters in two articles) renders inline as it always has, while 50 articles of 5,000
characters (17,080 segments for 500 trainees) took most of a second, so larger exercises show a
line per article and load one heatmap when it is opened (about four such articles at most inline).
"""


class SpanCount(NamedTuple):
    """How many flags of counted attempts cover exactly one span with one category.

    A named tuple, not a dataclass: a large cohort has tens of thousands, built from rows at a
    fraction of a dataclass's cost.
    """

    article: str
    start: int
    end: int
    category: str
    flags: int


def span_counts(db: Session, scope: Scope, *, article_ref: str | None = None) -> list[SpanCount]:
    """The cohort's span tallies (of one article if given): the base of the heatmap, the flag counts and the key gaps."""
    return list(map(SpanCount._make, db.connection().execute(_span_tallies(scope, article_ref)).all()))


def _span_tallies(scope: Scope, article_ref: str | None = None) -> Select[str, int, int, str, int]:
    query = select(SpanTally.article_ref, SpanTally.start, SpanTally.end, SpanTally.category, SpanTally.flags).where(
        SpanTally.cohort_id == scope.cohort.id, SpanTally.exercise_id == scope.exercise.id, SpanTally.flags > 0
    )
    if article_ref is not None:
        query = query.where(SpanTally.article_ref == article_ref)
    return query


@dataclass
class SpanSums:
    """The cohort's span tallies summed as they are read (`read_spans`): the flags of each
    category, and each article's flags and changes of the running count at its spans' ends."""

    by_category: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    changes: dict[str, dict[int, int]] = field(default_factory=dict)

    def glances(self, articles: Iterable[Article]) -> list[ArticleGlance]:
        """Each article's flags and its peak, from the boundaries alone (no segments, no labels)."""
        lines = []
        for article in articles:
            change = self.changes.get(article.ref, {})
            peak = max(accumulate((change[offset] for offset in sorted(change)), initial=0))
            lines.append(ArticleGlance(article.ref, article.title, self.flags.get(article.ref, 0), peak))
        return lines


def read_spans(
    db: Session, scope: Scope, *, leave_out: Callable[[str, int, int], bool] | None = None
) -> tuple[list[SpanCount], SpanSums]:
    """The cohort's span tallies but those ``leave_out`` (article, start, end) accepts, and the
    `SpanSums` of them all, in one pass.

    A large cohort has tens of thousands of spans: a dashboard whose heatmaps load one at a time
    needs only the sums and the few spans its key gaps read, and keeps no object for the others.
    """
    spans: list[SpanCount] = []
    sums = SpanSums()
    by_category, flags, changes = sums.by_category, sums.flags, sums.changes
    for article, start, end, category, count in db.connection().execute(_span_tallies(scope)):
        by_category[category] = by_category.get(category, 0) + count
        flags[article] = flags.get(article, 0) + count
        change = changes.setdefault(article, {})
        change[start] = change.get(start, 0) + count
        change[end] = change.get(end, 0) - count
        if leave_out is None or not leave_out(article, start, end):
            spans.append(SpanCount(article, start, end, category, count))
    return spans, sums


@dataclass(frozen=True)
class Segment:
    """A run of an article's text covered by the same number of flags and the same key items."""

    start: int
    end: int
    text: str
    count: int
    level: int
    key_ids: tuple[str, ...]
    decoy: bool
    opens_key: bool
    closes_key: bool
    label: str = ""
    """The accessible name of a flagged segment: its count, its words and its sentence."""

    @property
    def classes(self) -> str:
        names = [f"heat-{self.level}"]
        if self.key_ids:
            names.append("key-decoy" if self.decoy else "key-item")
            if self.opens_key:
                names.append("key-start")
            if self.closes_key:
                names.append("key-end")
        return " ".join(names)


@dataclass(frozen=True)
class ArticleHeat:
    ref: str
    title: str
    segments: list[Segment]
    peak: int


HEAT_LABEL_CONTEXT = 50
"""Characters of the sentence kept on each side of a heatmap segment in its accessible name."""


def segment_label(text: str, start: int, end: int, count: int) -> str:
    """A heatmap segment's name: "3 flags: “a” in “… killed a soldier …”" (not just "a")."""
    words = " ".join(text[start:end].split()) or "the space"
    sentence = sentence_of(text, start, end, limit=HEAT_LABEL_CONTEXT)
    context = " ".join(sentence.text.split())
    flags = f"{count} flag{'s' if count != 1 else ''}"
    return f"{flags}: “{words}” in “{context}”" if context != words else f"{flags}: “{words}”"


def heat_level(count: int, submissions: int) -> int:
    """Intensity class for ``count`` flags over ``submissions``: 0 none, up to `HEAT_LEVELS` all."""
    if count <= 0 or submissions <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * count / submissions)))


def boundary_counts(spans: Iterable[SpanCount]) -> tuple[dict[str, Counter[int]], dict[str, Counter[int]]]:
    """How many flags start, and end, at each offset of each article."""
    starts: dict[str, Counter[int]] = defaultdict(Counter)
    ends: dict[str, Counter[int]] = defaultdict(Counter)
    for span in spans:
        starts[span.article][span.start] += span.flags
        ends[span.article][span.end] += span.flags
    return starts, ends


def coverage(
    articles: Iterable[Article], spans: Iterable[SpanCount], key_items: Sequence[KeyItem], submissions: int
) -> list[ArticleHeat]:
    """Each article cut into segments with how many flags cover them (a sweep over boundaries)."""
    starts, ends = boundary_counts(spans)
    items_of: dict[str, list[KeyItem]] = defaultdict(list)
    for item in key_items:
        items_of[item.article].append(item)
    return [
        ArticleHeat(
            article.ref,
            article.title,
            *_segments(article.text, starts[article.ref], ends[article.ref], items_of[article.ref], submissions),
        )
        for article in articles
    ]


def heatmaps_inline(exercise: Exercise) -> bool:
    """Whether the dashboard shows every article's heatmap in the page (see `INLINE_HEATMAP_CHARACTERS`)."""
    return sum(len(article.text) for article in exercise.articles) <= INLINE_HEATMAP_CHARACTERS


@dataclass(frozen=True)
class ArticleGlance:
    """An article's line on a dashboard whose heatmaps load one at a time: its flags and its hottest spot."""

    ref: str
    title: str
    flags: int
    peak: int
    """The most flags covering one character: the `ArticleHeat.peak` its heatmap would have."""


def _segments(
    text: str, starts: Counter[int], ends: Counter[int], items: Sequence[KeyItem], submissions: int
) -> tuple[list[Segment], int]:
    """One article's segments, and the most flags covering any of them."""
    cuts = {0, len(text)}
    cuts.update(offset for offset in starts if 0 <= offset <= len(text))
    cuts.update(offset for offset in ends if 0 <= offset <= len(text))
    for item in items:
        cuts.update((item.start, item.end))
    segments = []
    running = 0
    peak = 0
    for left, right in pairwise(sorted(cuts)):
        running += starts.get(left, 0) - ends.get(left, 0)
        peak = max(peak, running)
        # The cuts include every item's ends, so an item either covers the whole segment or none of it.
        inside = [item for item in items if item.start <= left and right <= item.end] if items else []
        segments.append(
            Segment(
                start=left,
                end=right,
                text=text[left:right],
                count=running,
                level=heat_level(running, submissions),
                key_ids=tuple(item.id for item in inside),
                decoy=bool(inside) and all(item.decoy for item in inside),
                opens_key=bool(inside) and any(item.start == left for item in inside),
                closes_key=bool(inside) and any(item.end == right for item in inside),
                label=segment_label(text, left, right, running) if running else "",
            )
        )
    return segments, peak


@dataclass(frozen=True)
class SpotFlag:
    trainee: str
    quote: str
    category: str
    note: str
    start: int
    end: int


def flags_at(
    db: Session, scope: Scope, article_ref: str, offset: int, *, limit: int = 50
) -> tuple[int, list[SpotFlag]]:
    """The flags of counted attempts covering ``offset``: their number and the first ``limit``."""
    counted = counted_attempts(scope)
    covering = (
        select(Flag, User.display_name)
        .join(counted, counted.c.attempt_id == Flag.attempt_id)
        .join(User, User.id == counted.c.user_id)
        .where(Flag.article_ref == article_ref, Flag.start <= offset, Flag.end > offset)
    )
    total = db.scalar(select(func.count()).select_from(covering.subquery())) or 0
    rows = db.execute(covering.order_by((Flag.note == "").asc(), Flag.id).limit(limit))
    flags = [SpotFlag(name, flag.quote, flag.category, flag.note, flag.start, flag.end) for flag, name in rows]
    return total, flags
