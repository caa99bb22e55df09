"""Possible gaps in an exercise's key, and the two key changes the dashboard offers to close them.

Two kinds of gap are looked for among the counted submissions of a cohort:

* **Unkeyed spans**: text that a share of the cohort flagged (``DEFAULT_SHARE``, 20% by default)
  although the flags overlap no key item at all, decoys included. They are found by the same
  boundary sweep as the heatmap, over those flags only: a cluster is a run of text covered by at
  least that many flags. Flags that touch a key item without matching it (too little overlap, a
  duplicate) are boundary questions, not gaps, and are left out. The offered change is "add to
  key": a new item for the span most of those flags chose.
* **Near misses**: a key item where that share of the cohort placed a flag that touches the
  item without matching it (outcome ``insufficient_overlap``: none of its core, or running too far
  past its extent). The offered change is "accept as alternative extent" for the span most of
  those flags chose (see `accept_extent` for the rule).
* **Category disagreements**: a key item whose span that share of the cohort found but flagged
  with a category the key does not accept. The offered change is "accept as alternative": add the
  category to the item's ``also``.

Each change writes a new key version (origin ``dashboard``, who and why), checks it with the same
validator the package loader applies to ``key.toml``, marks the exercise as edited in the app and
rescores every submission; the earlier scores stay as history.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from app import grading
from app.cohort_figures.heatmap import SpanCount
from app.cohort_figures.scope import Scope, counted_attempts
from app.cohort_figures.sentences import Sentence, chosen_span, sentence_of, word_span
from app.models import Exercise, Flag, KeyVersion, User
from exercises import PackageError, validate_key
from exercises.keyfile import declared_groups, item_table, which_occurrence
from instructor.dashboard.outcomes import OutlyingCount, StatusCount
from scoring.report import FlagOutcome, ItemStatus
from scoring.types import KeyItem

DEFAULT_SHARE = 0.2
"""Share of submissions that must agree before a false positive counts as a possible gap."""

SAMPLE_NOTES = 5
KEY_SOURCE = "key (dashboard)"
"""How validation problems name an in-app key."""


class KeyChangeError(ValueError):
    """The changed key did not pass validation; ``problems`` says why, item by item."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class UnkeyedCluster:
    """A stretch of text flagged by many trainees where the key has nothing."""

    article_ref: str
    article_title: str
    start: int
    end: int
    """The stretch covered by at least the threshold number of flags."""
    submissions: int
    """Counted submissions with a flag overlapping the stretch."""
    share: float
    proposed_start: int
    proposed_end: int
    proposed_quote: str
    proposed_category: str
    categories: list[tuple[str, int]]
    """Categories chosen by the overlapping flags, most frequent first."""
    notes: list[str]
    sentence: Sentence | None = None
    """The proposed span in its sentence."""


@dataclass(frozen=True)
class NearMiss:
    """A key item many trainees flagged beside: touching it without matching it."""

    item: KeyItem
    submissions: int
    """Counted submissions with a near-miss flag on the item."""
    share: float
    flags: int
    start: int
    end: int
    """The span most of those flags chose."""
    chosen_by: int
    """Flags on exactly that span."""
    sentence: Sentence
    """The chosen span in its sentence."""
    item_sentence: Sentence
    """The key item's extent in its sentence."""


@dataclass(frozen=True)
class CategoryDisagreement:
    """A key item many trainees found but flagged with a category the key does not accept."""

    item: KeyItem
    category: str
    count: int
    share: float


def threshold(share: float, submissions: int) -> int:
    """How many submissions make ``share`` of ``submissions`` (at least one)."""
    return max(1, math.ceil(share * submissions - 1e-9))


class KeyExtents:
    """The extents of the key items (decoys included) by article, for asking whether a span touches one."""

    def __init__(self, key_items: Iterable[KeyItem]) -> None:
        self._by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for item in key_items:
            self._by_article[item.article].append((item.start, item.end))
        # Per article, the starts in order and the furthest end among the items up to each: a
        # span's check is then a bisection, not a pass over the article's items (a large cohort
        # asks it for tens of thousands of spans).
        self._reach: dict[str, tuple[list[int], list[int]]] = {}
        for article, extents in self._by_article.items():
            ordered = sorted(extents)
            self._reach[article] = ([start for start, _ in ordered], list(accumulate((end for _, end in ordered), max)))

    def __iter__(self) -> Iterator[tuple[str, int, int]]:
        """Each key item's article, start and end."""
        for article, extents in self._by_article.items():
            for start, end in extents:
                yield article, start, end

    def touch(self, article: str, start: int, end: int) -> bool:
        """Whether the span overlaps any key item of its article."""
        starts, furthest = self._reach.get(article, ([], []))
        before_end = bisect.bisect_left(starts, end)
        return before_end > 0 and furthest[before_end - 1] > start

    def around(self, article: str, start: int, end: int) -> tuple[int | None, int | None]:
        """For a span no key item touches: where the nearest key item before it ends and where
        the nearest one after it starts (None where there is none)."""
        extents = self._by_article.get(article, ())
        before = max((item_end for _, item_end in extents if item_end <= start), default=None)
        after = min((item_start for item_start, _ in extents if item_start >= end), default=None)
        return before, after


def unkeyed_clusters(
    db: Session,
    scope: Scope,
    key_items: Sequence[KeyItem],
    spans: Iterable[SpanCount],
    submissions: int,
    share: float = DEFAULT_SHARE,
) -> list[UnkeyedCluster]:
    """Stretches covered by at least ``share`` of the submissions' flags that no key item touches."""
    if submissions == 0:
        return []
    needed = threshold(share, submissions)
    extents = KeyExtents(key_items)
    unkeyed = [span for span in spans if not extents.touch(span.article, span.start, span.end)]
    deltas: dict[str, Counter[int]] = defaultdict(Counter)
    for span in unkeyed:
        deltas[span.article][span.start] += span.flags
        deltas[span.article][span.end] -= span.flags
    articles = {article.ref: article for article in scope.exercise.articles}
    regions = [
        (ref, start, end)
        for ref, changes in deltas.items()
        if ref in articles
        for start, end in _runs_at_least(changes, needed)
    ]
    if not regions:
        return []
    flags_in = _flags_in_regions(db, scope, regions, extents)
    clusters = []
    for ref, start, end in regions:
        inside = [span for span in unkeyed if span.article == ref and span.start < end and start < span.end]
        boundaries: Counter[tuple[int, int]] = Counter()
        for span in inside:
            boundaries[(span.start, span.end)] += span.flags
        proposed_start, proposed_end = word_span(articles[ref].text, *chosen_span(boundaries))
        categories: Counter[str] = Counter()
        for span in inside:
            categories[span.category] += span.flags
        attempts, notes = flags_in[(ref, start, end)]
        clusters.append(
            UnkeyedCluster(
                article_ref=ref,
                article_title=articles[ref].title,
                start=start,
                end=end,
                submissions=attempts,
                share=attempts / submissions,
                proposed_start=proposed_start,
                proposed_end=proposed_end,
                proposed_quote=articles[ref].text[proposed_start:proposed_end],
                proposed_category=max(categories, key=lambda category: (categories[category], category)),
                categories=sorted(categories.items(), key=lambda pair: (-pair[1], pair[0])),
                notes=notes,
                sentence=sentence_of(articles[ref].text, proposed_start, proposed_end),
            )
        )
    clusters.sort(key=lambda cluster: (-cluster.share, cluster.article_ref, cluster.start))
    return clusters


def _runs_at_least(changes: Counter[int], needed: int) -> list[tuple[int, int]]:
    """Maximal [start, end) runs where the running sum of ``changes`` is at least ``needed``."""
    runs = []
    running = 0
    opened: int | None = None
    for offset in sorted(changes):
        running += changes[offset]
        if running >= needed and opened is None:
            opened = offset
        elif running < needed and opened is not None:
            runs.append((opened, offset))
            opened = None
    return runs


def _flags_in_regions(
    db: Session, scope: Scope, regions: Sequence[tuple[str, int, int]], extents: KeyExtents
) -> dict[tuple[str, int, int], tuple[int, list[str]]]:
    """Per region: how many counted attempts have an unkeyed flag overlapping it, and up to `SAMPLE_NOTES` notes."""
    counted = counted_attempts(scope)

    def unkeyed_overlap(ref: str, start: int, end: int) -> ColumnElement[bool]:
        # Every character of a region is covered by flags that touch no key item, so each key
        # item lies wholly before or after it, and a flag overlapping it touches one only by
        # starting before the nearest one's end or ending past the next one's start: two terms
        # per region rather than one per key item for every flag (0.23 s of PostgreSQL's time at
        # 10,000, which tested those first). Offsets compared before the article: SQLite tests
        # the terms in order, and most fail on a number sooner than on a string.
        assert not extents.touch(ref, start, end)
        before, after = extents.around(ref, start, end)
        bounds = [Flag.start >= before] if before is not None else []
        if after is not None:
            bounds.append(Flag.end <= after)
        return and_(Flag.start < end, Flag.end > start, *bounds, Flag.article_ref == ref)

    # Counted by the database in one statement, each region a column: reading every overlapping
    # flag of a large cohort into Python was most of the key gaps' time.
    unkeyed = [unkeyed_overlap(*region) for region in regions]
    attempts = db.execute(
        select(*(func.count(distinct(case((condition, Flag.attempt_id)))) for condition in unkeyed))
        .join(counted, counted.c.attempt_id == Flag.attempt_id)
        .where(or_(*unkeyed))
    ).one()
    # A few notes per region, the trainees' in the order of their ids: the sample stays the same
    # from one page load to the next, whichever index the database reads the flags from.
    found: dict[tuple[str, int, int], tuple[int, list[str]]] = {}
    for region, condition, count in zip(regions, unkeyed, attempts, strict=True):
        notes = db.scalars(
            select(Flag.note)
            .join(counted, counted.c.attempt_id == Flag.attempt_id)
            .where(condition, Flag.note != "")
            .order_by(counted.c.user_id, Flag.start, Flag.end, Flag.category, Flag.id)
            .limit(SAMPLE_NOTES)
        ).all()
        found[region] = (int(count), list(notes))
    return found


def near_misses(
    outlying: Iterable[OutlyingCount],
    key_items: Sequence[KeyItem],
    texts: dict[str, str],
    submissions: int,
    share: float = DEFAULT_SHARE,
) -> list[NearMiss]:
    """Key items where at least ``share`` of the submissions flagged beside the item (outcome
    ``insufficient_overlap``), with the span most of those flags chose: most submissions first."""
    if submissions == 0:
        return []
    needed = threshold(share, submissions)
    items = {item.id: item for item in key_items if not item.decoy}
    attempts: Counter[str] = Counter()
    spans: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for row in outlying:
        if row.outcome == FlagOutcome.INSUFFICIENT_OVERLAP and row.item_id in items:
            # Each submission's near misses on an item open one group: its submissions are the groups.
            attempts[row.item_id] += row.opened
            if row.flags:
                spans[row.item_id][(row.start, row.end)] += row.flags
    found = []
    for item_id, who in attempts.items():
        if who < needed:
            continue
        item = items[item_id]
        text = texts[item.article]
        start, end = chosen_span(spans[item_id])
        found.append(
            NearMiss(
                item=item,
                submissions=who,
                share=who / submissions,
                flags=sum(spans[item_id].values()),
                start=start,
                end=end,
                chosen_by=spans[item_id][(start, end)],
                sentence=sentence_of(text, start, end),
                item_sentence=sentence_of(text, item.start, item.end),
            )
        )
    found.sort(key=lambda miss: (-miss.submissions, miss.item.id))
    return found


def category_disagreements(
    counts: Iterable[StatusCount], key_items: Sequence[KeyItem], submissions: int, share: float = DEFAULT_SHARE
) -> list[CategoryDisagreement]:
    """Key items that at least ``share`` of submissions found with one category the key rejects."""
    if submissions == 0:
        return []
    needed = threshold(share, submissions)
    items = {item.id: item for item in key_items if not item.decoy}
    found = []
    for row in counts:
        item = items.get(row.item_id)
        if item is None or row.status != ItemStatus.WRONG_CATEGORY or row.chosen_category is None:
            continue
        if row.count >= needed:
            found.append(CategoryDisagreement(item, row.chosen_category, row.count, row.count / submissions))
    found.sort(key=lambda gap: (-gap.count, gap.item.id, gap.category))
    return found


def key_file_items(exercise: Exercise, items: Iterable[KeyItem]) -> list[dict[str, Any]]:
    """Key items written back as ``key.toml`` items (quote and occurrence, no offsets)."""
    texts = {article.ref: article.text for article in exercise.articles}
    return [item_table(item, texts[item.article]) for item in items]


def new_item_id(quote: str, taken: Iterable[str]) -> str:
    """An id for a new key item made from the first words of its quote, unique in the key."""
    words = re.findall(r"[a-z0-9]+", quote.lower())[:4]
    base = "-".join(["added", *words]) if words else "added"
    used = set(taken)
    candidate = base
    suffix = 2
    while candidate in used:
        candidate = f"{base}-{suffix}"
        suffix += 1
    return candidate


def save_key_version(
    db: Session, exercise: Exercise, items: Sequence[dict[str, Any]], user: User, note: str
) -> tuple[KeyVersion, int]:
    """Validate ``items`` (key-file form) as the loader does, store them as the next key version and rescore.

    Returns the new version and how many submissions were rescored. The caller commits.
    """
    articles = {article.ref: article.text for article in exercise.articles}
    current = grading.current_key_version(db, exercise.id).items
    groups = declared_groups(exercise.groups, current)
    try:
        checked = validate_key(items, articles, exercise.categories, groups, source=KEY_SOURCE)
    except PackageError as error:
        raise KeyChangeError([str(problem) for problem in error.problems]) from error
    exercise.edited_in_app = True
    return grading.add_key_version(db, exercise, checked, origin="dashboard", note=note, user=user)


def add_to_key(
    db: Session,
    exercise: Exercise,
    user: User,
    *,
    article: str,
    start: int,
    end: int,
    category: str,
    points: float,
    explanation: str,
    note: str = "",
) -> tuple[KeyVersion, int]:
    """Add the span ``[start, end)`` of ``article`` to the key as a new item; rescore."""
    current = grading.current_key_version(db, exercise.id).items
    texts = {a.ref: a.text for a in exercise.articles}
    if article not in texts or not 0 <= start < end <= len(texts[article]):
        raise KeyChangeError([f"{KEY_SOURCE}: the span {start}–{end} is not in article {article!r}"])
    quote = texts[article][start:end]
    item: dict[str, Any] = {
        "id": new_item_id(quote, (item.id for item in current)),
        "article": article,
        "quote": quote,
        "category": category,
        "points": points,
        "decoy": False,
        "explanation": explanation,
    }
    occurrence = which_occurrence(texts[article], quote, start, end)
    if occurrence is not None:
        item["occurrence"] = occurrence
    summary = f"added {item['id']!r} ({category}, {points:g} points)"
    return save_key_version(db, exercise, [*key_file_items(exercise, current), item], user, _note(summary, note))


def accept_alternative(
    db: Session, exercise: Exercise, user: User, *, item_id: str, category: str, note: str = ""
) -> tuple[KeyVersion, int]:
    """Accept ``category`` for the key item ``item_id`` (added to its ``also``); rescore."""
    items = key_file_items(exercise, grading.current_key_version(db, exercise.id).items)
    for item in items:
        if item["id"] == item_id:
            if category in item.get("also", ()):
                raise KeyChangeError([f"{KEY_SOURCE}: item {item_id!r} already accepts {category!r}"])
            item["also"] = [*item.get("also", ()), category]
            break
    else:
        raise KeyChangeError([f"{KEY_SOURCE}: no item {item_id!r} in the current key"])
    return save_key_version(db, exercise, items, user, _note(f"{item_id!r} also accepts {category!r}", note))


def widened_extent(item: KeyItem, start: int, end: int) -> tuple[int, int, int, int]:
    """The extent and core an item takes when ``start``–``end`` is accepted as an alternative extent.

    The rule, so that no flag that matched before stops matching:

    * the extent grows to cover both the old extent and the chosen span, so a flag running past
      the old extent into the chosen span is no longer cut down for it;
    * when the chosen span shares a character with the core, the core stays: the chosen flags
      already touch it and only ran too far;
    * otherwise the core grows to cover both the old core and the chosen span (from the first of
      their words to the last). A flag on the chosen span, or on the old core, then covers a part
      of the core and matches, with the partial credit the boundary rule gives for part of a core.
      (Making the chosen span the whole core instead would turn every flag on the old core into a
      near miss: the trainees who were right before would lose the item.)

    Returns (start, end, core_start, core_end).
    """
    core_start, core_end = item.core
    new_start, new_end = min(item.start, start), max(item.end, end)
    if not (start < core_end and core_start < end):
        core_start, core_end = min(core_start, start), max(core_end, end)
    return new_start, new_end, core_start, core_end


def accept_extent(
    db: Session, exercise: Exercise, user: User, *, item_id: str, start: int, end: int, note: str = ""
) -> tuple[KeyVersion, int]:
    """Accept ``start``–``end`` as an alternative extent of key item ``item_id`` (see
    `widened_extent`), as a new key version; rescore."""
    current = grading.current_key_version(db, exercise.id).items
    item = next((item for item in current if item.id == item_id), None)
    if item is None:
        raise KeyChangeError([f"{KEY_SOURCE}: no item {item_id!r} in the current key"])
    if item.decoy:
        raise KeyChangeError([f"{KEY_SOURCE}: item {item_id!r} is a decoy: its extent is not widened"])
    text = next(a.text for a in exercise.articles if a.ref == item.article)
    if not 0 <= start < end <= len(text):
        raise KeyChangeError([f"{KEY_SOURCE}: the span {start}–{end} is not in article {item.article!r}"])
    if not (start < item.end and item.start < end):
        raise KeyChangeError([f"{KEY_SOURCE}: the span {text[start:end]!r} does not touch item {item_id!r}"])
    widened = widened_extent(item, start, end)
    if widened == (item.start, item.end, *item.core):
        raise KeyChangeError([f"{KEY_SOURCE}: item {item_id!r} already accepts {text[start:end]!r}"])
    new_start, new_end, core_start, core_end = widened
    widened_item = dataclasses.replace(
        item, start=new_start, end=new_end, quote=text[new_start:new_end], core_start=core_start, core_end=core_end
    )
    summary = f"{item_id!r} also accepts {text[start:end]!r} (extent {widened_item.quote!r})"
    items = [widened_item if other.id == item_id else other for other in current]
    return save_key_version(db, exercise, key_file_items(exercise, items), user, _note(summary, note))


def _note(summary: str, note: str) -> str:
    note = note.strip()
    return f"{summary}: {note}" if note else summary
