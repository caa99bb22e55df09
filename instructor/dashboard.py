"""The figures of the instructor dashboard, aggregated in SQL from stored scores.

Nothing here scores: the dashboard reads what ``app.grading`` stored (current scores, their
``score_items`` rows and the flags), so a page load costs a few grouped queries however large the
cohort. Every query is scoped to one cohort and one exercise through `counted_attempts`: each
trainee of the cohort counts with their latest submitted attempt.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import Float, Select, Subquery, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from app.admiralty import CREDIBILITY_WORDS, RELIABILITY_WORDS
from app.formatting import whole_score
from app.models import (
    Assignment,
    Attempt,
    Cohort,
    Exercise,
    FeedbackPoints,
    Flag,
    Score,
    ScoreItem,
    SourceRating,
    User,
    cohort_trainees,
)
from scoring.metrics import detection
from scoring.report import MATCHED_STATUSES, ItemStatus
from scoring.types import RatingKey

HISTOGRAM_BINS = 10
"""Score bins of ten points: 0–9, 10–19, …, 90–100 (100 falls in the last bin)."""

HEAT_LEVELS = 8
"""Heatmap intensities heat-1 … heat-8 (heat-0: nobody flagged the text)."""

TRAINEES_PER_PAGE = 500
"""Trainees in one page of the table: the table sorts and filters in the browser, so a cohort
should fit on one page; larger ones page on the server (sorted by name)."""

LOW_SCORE = 40
"""A whole score below this needs the instructor's attention."""

MANY_FALSE_POSITIVES = 3
"""At least this many false positives, and at least twice the cohort's median, needs attention."""

HARDEST_SHOWN = 10
"""Key items the item table shows until "show all"."""

AT_A_GLANCE = 3
"""How many missed items and false positives the first screen names."""

SENTENCE_LIMIT = 240
"""Characters of context kept on each side of a span when its sentence is long."""


class seconds_between(GenericFunction[float]):
    """Seconds from the first timestamp to the second, computed by the database."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@dataclass(frozen=True)
class Scope:
    """One exercise as set for one cohort: what every dashboard figure is about."""

    cohort: Cohort
    exercise: Exercise


def scope_for(db: Session, cohort: Cohort, exercise_id: int) -> Scope:
    """The cohort × exercise scope; 404 unless the exercise is set for the cohort."""
    assignment = db.get(Assignment, (cohort.id, exercise_id))
    if assignment is None:
        abort(404, "This exercise is not set for this cohort.")
    return Scope(cohort, assignment.exercise)


def counted_attempts(scope: Scope) -> Subquery:
    """The attempt that counts for each trainee of the cohort: their latest submitted one."""
    return (
        select(func.max(Attempt.id).label("attempt_id"), Attempt.user_id.label("user_id"))
        .join(cohort_trainees, cohort_trainees.c.user_id == Attempt.user_id)
        .where(
            cohort_trainees.c.cohort_id == scope.cohort.id,
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
            Attempt.submitted_at.is_not(None),
        )
        .group_by(Attempt.user_id)
        .subquery("counted")
    )


def current_scores(scope: Scope) -> Subquery:
    """The current score of each counted attempt, with the attempt's times."""
    counted = counted_attempts(scope)
    return (
        select(
            Score.id.label("score_id"),
            Score.attempt_id,
            counted.c.user_id,
            Score.score,
            Score.precision,
            Score.recall,
            Score.f1,
            Attempt.started_at,
            Attempt.submitted_at,
            Attempt.late,
            seconds_between(Attempt.started_at, Attempt.submitted_at).label("seconds"),
        )
        .join(counted, counted.c.attempt_id == Score.attempt_id)
        .join(Attempt, Attempt.id == Score.attempt_id)
        .where(Score.is_current.is_(True))
        .subquery("current")
    )


@dataclass(frozen=True)
class Completion:
    """How far the cohort's trainees got with the exercise."""

    trainees: int
    not_started: int
    in_progress: int
    submitted: int


def completion(db: Session, scope: Scope) -> Completion:
    """Count trainees who have not started, are working, or have submitted at least once."""
    per_trainee = (
        select(
            Attempt.user_id,
            func.max(case((Attempt.submitted_at.is_not(None), 1), else_=0)).label("submitted"),
        )
        .join(cohort_trainees, cohort_trainees.c.user_id == Attempt.user_id)
        .where(
            cohort_trainees.c.cohort_id == scope.cohort.id,
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
        )
        .group_by(Attempt.user_id)
        .subquery()
    )
    started, submitted = db.execute(select(func.count(), func.coalesce(func.sum(per_trainee.c.submitted), 0))).one()
    trainees = (
        db.scalar(
            select(func.count()).select_from(cohort_trainees).where(cohort_trainees.c.cohort_id == scope.cohort.id)
        )
        or 0
    )
    return Completion(trainees, trainees - started, started - submitted, submitted)


@dataclass(frozen=True)
class ScoreSummary:
    """The distribution of current scores and of time on task over counted attempts."""

    submissions: int
    mean: float | None
    median: float | None
    histogram: tuple[int, ...]
    """Counts per bin of `HISTOGRAM_BINS`."""
    mean_seconds: float | None
    median_seconds: float | None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    """The middle half of the scores lies between the quartiles (the spread shown)."""

    @property
    def histogram_labels(self) -> list[str]:
        width = 100 // HISTOGRAM_BINS
        return [f"{low}–{low + width - 1 if low + width < 100 else 100}" for low in range(0, 100, width)]


def score_summary(db: Session, scope: Scope) -> ScoreSummary:
    """Mean, median and histogram of scores; mean and median time on task."""
    current = current_scores(scope)
    width = 100 / HISTOGRAM_BINS
    score_bin = case(
        *((current.c.score >= width * index, index) for index in range(HISTOGRAM_BINS - 1, 0, -1)),
        else_=0,
    ).label("bin")
    histogram = [0] * HISTOGRAM_BINS
    for index, count in db.execute(select(score_bin, func.count()).group_by(score_bin)):
        histogram[int(index)] = count
    submissions, mean, mean_seconds = db.execute(
        select(func.count(), func.avg(current.c.score), func.avg(current.c.seconds))
    ).one()
    scores = [float(score) for score in db.scalars(select(current.c.score).order_by(current.c.score))]
    lower, upper = _quartiles(scores)
    return ScoreSummary(
        submissions=submissions,
        mean=float(mean) if mean is not None else None,
        median=_median(db, current.c.score, submissions),
        histogram=tuple(histogram),
        mean_seconds=float(mean_seconds) if mean_seconds is not None else None,
        median_seconds=_median(db, current.c.seconds, submissions),
        lower_quartile=lower,
        upper_quartile=upper,
    )


def _quartiles(ordered: Sequence[float]) -> tuple[float | None, float | None]:
    """The lower and upper quartiles of sorted scores (inclusive method; one score is its own)."""
    if not ordered:
        return None, None
    if len(ordered) == 1:
        return ordered[0], ordered[0]
    lower, _, upper = statistics.quantiles(ordered, n=4, method="inclusive")
    return lower, upper


def _median(db: Session, column: Any, count: int) -> float | None:
    """The median of ``column`` over ``count`` rows: the middle value, or the mean of the two."""
    if count == 0:
        return None
    middle = list(db.scalars(select(column).order_by(column).offset((count - 1) // 2).limit(2 - count % 2)))
    return math.fsum(float(value) for value in middle) / len(middle)


@dataclass(frozen=True)
class StatusCount:
    """How many counted submissions left one key item in one status, with one chosen category."""

    item_id: str
    status: str
    chosen_category: str | None
    count: int
    credit: float


def current_score_ids(scope: Scope) -> Subquery:
    """Only the ids of the counted attempts' current scores (no times): for joins on score rows."""
    counted = counted_attempts(scope)
    return (
        select(Score.id.label("score_id"))
        .join(counted, counted.c.attempt_id == Score.attempt_id)
        .where(Score.is_current.is_(True))
        .subquery("current_ids")
    )


def item_status_counts(db: Session, scope: Scope) -> list[StatusCount]:
    """One grouped scan of ``score_items``: the base of the item, category and confusion figures.

    Items a submission left untouched (missed, decoys avoided) are not counted row by row: they
    are the submissions that remain, which halves the rows to group.
    """
    current = current_score_ids(scope)
    query = (
        select(
            ScoreItem.item_id,
            ScoreItem.status,
            ScoreItem.chosen_category,
            func.count(),
            func.coalesce(func.sum(ScoreItem.credit), 0.0),
        )
        .join(current, current.c.score_id == ScoreItem.score_id)
        .where(ScoreItem.status.not_in((ItemStatus.MISSED.value, ItemStatus.DECOY_AVOIDED.value)))
        .group_by(ScoreItem.item_id, ScoreItem.status, ScoreItem.chosen_category)
    )
    return [
        StatusCount(item, status, chosen, count, float(credit))
        for item, status, chosen, count, credit in db.execute(query)
    ]


@dataclass(frozen=True)
class ItemOutcome:
    """How the cohort did on one key item.

    ``lone_figure`` counts trainees who flagged this figure but none of the figures it conflicts
    with: they spotted the span, yet the scoring rules pay nothing for a lone figure, so it is
    shown as its own share between partial and wrong category, not as found.
    """

    item: dict[str, Any]
    submissions: int
    found: int = 0
    partial: int = 0
    lone_figure: int = 0
    wrong_category: int = 0
    missed: int = 0
    credit: float = 0.0

    @property
    def credit_share(self) -> float:
        """Mean credit earned as a share of the item's points: 0 nobody, 1 everybody in full."""
        possible = self.item["points"] * self.submissions
        return self.credit / possible if possible else 0.0

    def share(self, status: str) -> float:
        return getattr(self, status) / self.submissions if self.submissions else 0.0


@dataclass(frozen=True)
class DecoyOutcome:
    item: dict[str, Any]
    submissions: int
    flagged: int

    @property
    def share(self) -> float:
        return self.flagged / self.submissions if self.submissions else 0.0


def item_outcomes(
    counts: Iterable[StatusCount], key_items: Sequence[dict[str, Any]], submissions: int
) -> tuple[list[ItemOutcome], list[DecoyOutcome]]:
    """Per key item, how many found, half-found or missed it: hardest (least credit) first."""
    by_item: dict[str, Counter[str]] = defaultdict(Counter)
    credit: dict[str, float] = defaultdict(float)
    for row in counts:
        by_item[row.item_id][row.status] += row.count
        credit[row.item_id] += row.credit
    outcomes = []
    decoys = []
    for item in key_items:
        statuses = by_item[item["id"]]
        detected = sum(statuses[status] for status in MATCHED_STATUSES)
        if item["decoy"]:
            decoys.append(DecoyOutcome(item, submissions, statuses[ItemStatus.DECOY_FLAGGED]))
            continue
        outcomes.append(
            ItemOutcome(
                item,
                submissions,
                found=statuses[ItemStatus.FOUND],
                partial=statuses[ItemStatus.PARTIAL],
                lone_figure=statuses[ItemStatus.LONE_FIGURE],
                wrong_category=statuses[ItemStatus.WRONG_CATEGORY],
                missed=submissions - detected,
                credit=credit[item["id"]],
            )
        )
    outcomes.sort(key=lambda outcome: (outcome.credit_share, -outcome.missed, outcome.item["id"]))
    decoys.sort(key=lambda outcome: (-outcome.flagged, outcome.item["id"]))
    return outcomes, decoys


@dataclass(frozen=True)
class CategoryFigures:
    """Pooled detection for one category: every counted submission's flags and items together."""

    category: str
    name: str
    correct: int
    flagged: int
    expected: int
    precision: float
    recall: float


@dataclass(frozen=True)
class SpanCount:
    """How many flags of counted attempts cover exactly one span with one category."""

    article: str
    start: int
    end: int
    category: str
    count: int


def span_counts(db: Session, scope: Scope) -> list[SpanCount]:
    """One grouped scan of the flags: the base of the heatmap, the flag counts and the key gaps."""
    counted = counted_attempts(scope)
    query = (
        select(Flag.article_ref, Flag.start, Flag.end, Flag.category, func.count())
        .join(counted, counted.c.attempt_id == Flag.attempt_id)
        .group_by(Flag.article_ref, Flag.start, Flag.end, Flag.category)
    )
    return [SpanCount(*row) for row in db.execute(query)]


def flag_counts_by_category(spans: Iterable[SpanCount]) -> dict[str, int]:
    """How many flags of counted attempts carry each category."""
    counts: Counter[str] = Counter()
    for span in spans:
        counts[span.category] += span.count
    return dict(counts)


def category_figures(
    counts: Iterable[StatusCount],
    flagged: dict[str, int],
    key_items: Sequence[dict[str, Any]],
    categories: Sequence[dict[str, Any]],
    submissions: int,
) -> list[CategoryFigures]:
    """Recall and precision per category, pooled over the cohort.

    A flag is correct when it matched a key item of its own category, as the scoring engine
    counts it; recall divides by the key's items of the category times the submissions, precision
    by the flags of the category. The ratios come from ``scoring.metrics.detection``.
    """
    category_of = {item["id"]: item["category"] for item in key_items if not item["decoy"]}
    correct: Counter[str] = Counter()
    for row in counts:
        category = category_of.get(row.item_id)
        if category is not None and row.chosen_category == category:
            correct[category] += row.count
    expected = Counter(category_of.values())
    figures = []
    for category in categories:
        name = category["id"]
        if submissions == 0:
            continue
        measured = detection(name, correct[name], flagged.get(name, 0), expected[name] * submissions)
        figures.append(
            CategoryFigures(
                name,
                category["name"],
                measured.correct,
                measured.flagged,
                measured.expected,
                measured.precision,
                measured.recall,
            )
        )
    return figures


@dataclass(frozen=True)
class Confusion:
    """Key category (rows) × category the trainees chose for that item (columns)."""

    categories: list[tuple[str, str]]
    """(id, name) of every category, in the exercise's order."""
    cells: dict[tuple[str, str | None], int]
    """(key category, chosen category or None for not flagged) → count."""

    def cell(self, key: str, chosen: str | None) -> int:
        return self.cells.get((key, chosen), 0)

    def row_total(self, key: str) -> int:
        return sum(count for (row, _), count in self.cells.items() if row == key)


def confusion_table(
    counts: Iterable[StatusCount],
    key_items: Sequence[dict[str, Any]],
    categories: Sequence[dict[str, Any]],
    submissions: int,
) -> Confusion:
    """Count, per real key item and submission, the key's category against the chosen one."""
    category_of = {item["id"]: item["category"] for item in key_items if not item["decoy"]}
    cells: Counter[tuple[str, str | None]] = Counter()
    for category in category_of.values():
        cells[(category, None)] += submissions
    for row in counts:
        category = category_of.get(row.item_id)
        if category is None or row.status not in MATCHED_STATUSES:
            continue
        cells[(category, row.chosen_category)] += row.count
        cells[(category, None)] -= row.count
    return Confusion([(c["id"], c["name"]) for c in categories], dict(cells))


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
        starts[span.article][span.start] += span.count
        ends[span.article][span.end] += span.count
    return starts, ends


def coverage(
    scope: Scope, spans: Iterable[SpanCount], key_items: Sequence[dict[str, Any]], submissions: int
) -> list[ArticleHeat]:
    """Each article cut into segments with how many flags cover them (a sweep over boundaries)."""
    starts, ends = boundary_counts(spans)
    heats = []
    for article in scope.exercise.articles:
        text = article.text
        items = [item for item in key_items if item["article"] == article.ref]
        cuts = {0, len(text)}
        cuts.update(offset for offset in starts[article.ref] if 0 <= offset <= len(text))
        cuts.update(offset for offset in ends[article.ref] if 0 <= offset <= len(text))
        for item in items:
            cuts.update((item["start"], item["end"]))
        ordered = sorted(cuts)
        segments = []
        running = 0
        peak = 0
        for left, right in zip(ordered, ordered[1:]):
            running += starts[article.ref].get(left, 0) - ends[article.ref].get(left, 0)
            peak = max(peak, running)
            inside = [item for item in items if item["start"] <= left and right <= item["end"]]
            segments.append(
                Segment(
                    start=left,
                    end=right,
                    text=text[left:right],
                    count=running,
                    level=heat_level(running, submissions),
                    key_ids=tuple(item["id"] for item in inside),
                    decoy=bool(inside) and all(item["decoy"] for item in inside),
                    opens_key=any(item["start"] == left for item in inside),
                    closes_key=any(item["end"] == right for item in inside),
                    label=segment_label(text, left, right, running) if running else "",
                )
            )
        heats.append(ArticleHeat(article.ref, article.title, segments, peak))
    return heats


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


@dataclass(frozen=True)
class TraineeRow:
    user_id: int
    username: str
    display_name: str
    is_demo: bool
    attempt_id: int | None
    score: float | None
    precision: float | None
    recall: float | None
    seconds: float | None
    submitted_at: datetime | None
    late: bool | None
    in_progress: bool
    false_positives: int | None = None
    instructor_points: float | None = None
    """The sum of an instructor's discretionary points on the attempt (app.feedback), apart from ``score``."""

    @property
    def status(self) -> str:
        """Submitted, in progress or not started, as the table and its filter say it."""
        return "submitted" if self.attempt_id else "in progress" if self.in_progress else "not started"


@dataclass(frozen=True)
class TraineePage:
    rows: list[TraineeRow]
    page: int
    pages: int
    total: int


def trainee_page(db: Session, scope: Scope, page: int, *, per_page: int = TRAINEES_PER_PAGE) -> TraineePage:
    """One page of the cohort's trainees by name, each with their counted attempt's figures."""
    current = current_scores(scope)
    # Joined once, not a correlated EXISTS: SQLite ran that per trainee over the whole cohort's
    # attempts (10,000 × 10,000 rows for a large cohort).
    working = (
        select(Attempt.user_id)
        .where(
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
            Attempt.submitted_at.is_(None),
        )
        .group_by(Attempt.user_id)
        .subquery("working")
    )
    total = (
        db.scalar(
            select(func.count()).select_from(cohort_trainees).where(cohort_trainees.c.cohort_id == scope.cohort.id)
        )
        or 0
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    query = (
        select(
            User.id,
            User.username,
            User.display_name,
            User.is_demo,
            current.c.attempt_id,
            current.c.score,
            current.c.precision,
            current.c.recall,
            current.c.seconds,
            current.c.submitted_at,
            current.c.late,
            working.c.user_id.is_not(None),
            Score.report[("totals", "false_positives")].as_integer(),
            select(func.sum(FeedbackPoints.points))
            .where(FeedbackPoints.attempt_id == current.c.attempt_id)
            .scalar_subquery(),
        )
        .join(cohort_trainees, cohort_trainees.c.user_id == User.id)
        .outerjoin(current, current.c.user_id == User.id)
        .outerjoin(working, working.c.user_id == User.id)
        .outerjoin(Score, Score.id == current.c.score_id)
        .where(cohort_trainees.c.cohort_id == scope.cohort.id)
        .order_by(User.display_name, User.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    rows = [TraineeRow(*row) for row in db.execute(query)]
    return TraineePage(rows, page, pages, total)


def submitted_attempts(scope: Scope, user_id: int) -> Select[tuple[Attempt]]:
    """A trainee's submitted attempts at the exercise for the scope's cohort, newest first."""
    return (
        select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.cohort_id == scope.cohort.id,
            Attempt.exercise_id == scope.exercise.id,
            Attempt.submitted_at.is_not(None),
        )
        .order_by(Attempt.number.desc(), Attempt.id.desc())
    )


@dataclass(frozen=True)
class GradeCount:
    """How many counted submissions gave one grade, and how the key regards that grade."""

    grade: str
    words: str
    count: int
    is_key: bool
    accepted: bool


@dataclass(frozen=True)
class RatingSpread:
    """The cohort's source ratings of one article beside the key's."""

    article: str
    title: str
    reliability: tuple[GradeCount, ...]
    credibility: tuple[GradeCount, ...]
    unrated: int
    """Counted submissions without a rating of the article (closed at a deadline)."""


def rating_spreads(db: Session, scope: Scope, ratings: Sequence[RatingKey], submissions: int) -> list[RatingSpread]:
    """Per article the key rates, how many counted submissions gave each grade (one grouped query)."""
    if not ratings:
        return []
    counted = counted_attempts(scope)
    reliability: dict[str, Counter[str]] = defaultdict(Counter)
    credibility: dict[str, Counter[str]] = defaultdict(Counter)
    query = (
        select(SourceRating.article_ref, SourceRating.reliability, SourceRating.credibility, func.count())
        .join(counted, counted.c.attempt_id == SourceRating.attempt_id)
        .group_by(SourceRating.article_ref, SourceRating.reliability, SourceRating.credibility)
    )
    for article, given_reliability, given_credibility, count in db.execute(query):
        reliability[article][given_reliability] += count
        credibility[article][given_credibility] += count
    titles = {article.ref: article.title for article in scope.exercise.articles}
    return [
        RatingSpread(
            article=key.article,
            title=titles.get(key.article, key.article),
            reliability=tuple(
                GradeCount(
                    grade,
                    words,
                    reliability[key.article][grade],
                    grade == key.reliability,
                    grade in key.accept_reliability,
                )
                for grade, words in RELIABILITY_WORDS.items()
            ),
            credibility=tuple(
                GradeCount(
                    grade,
                    words,
                    credibility[key.article][grade],
                    grade == key.credibility,
                    grade in key.accept_credibility,
                )
                for grade, words in CREDIBILITY_WORDS.items()
            ),
            unrated=submissions - sum(reliability[key.article].values()),
        )
        for key in ratings
    ]


@dataclass(frozen=True)
class CurrentScore:
    """A counted submission's current score as the history and the ceiling need it."""

    score: float
    span_f1: float
    """SemEval span F1 regardless of category, from the stored report."""
    note: str
    created_at: datetime
    previous: float | None
    """The score it replaced; None for a first score."""


def current_score_history(db: Session, scope: Scope) -> list[CurrentScore]:
    """Every counted submission's current score with the score it replaced, in one query.

    The span F1 is read out of the stored report by the database, so no report is loaded whole.
    """
    counted = counted_attempts(scope)
    earlier = aliased(Score)
    previous_id = (
        select(func.max(earlier.id))
        .where(earlier.attempt_id == Score.attempt_id, earlier.id < Score.id)
        .scalar_subquery()
    )
    previous = aliased(Score)
    query = (
        select(
            Score.score,
            Score.report[("spans", "category_blind", "f1")].as_float(),
            Score.note,
            Score.created_at,
            previous.score,
        )
        .join(counted, counted.c.attempt_id == Score.attempt_id)
        .outerjoin(previous, previous.id == previous_id)
        .where(Score.is_current.is_(True))
    )
    return [CurrentScore(*row) for row in db.execute(query)]


@dataclass(frozen=True)
class Rescore:
    """Scores one rescore changed: when, why, and the median of those submissions before and after."""

    note: str
    on: datetime
    submissions: int
    median_before: float
    median_after: float


def rescores(history: Iterable[CurrentScore]) -> list[Rescore]:
    """The rescores behind the current scores, newest first (scores with a note replaced an earlier one)."""
    by_note: dict[str, list[CurrentScore]] = defaultdict(list)
    for row in history:
        if row.note and row.previous is not None:
            by_note[row.note].append(row)
    found = [
        Rescore(
            note=note,
            on=max(row.created_at for row in rows),
            submissions=len(rows),
            median_before=statistics.median(row.previous for row in rows if row.previous is not None),
            median_after=statistics.median(row.score for row in rows),
        )
        for note, rows in by_note.items()
    ]
    return sorted(found, key=lambda rescore: rescore.on, reverse=True)


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


def sentence_of(text: str, start: int, end: int, *, limit: int = SENTENCE_LIMIT) -> Sentence:
    """The sentence(s) around ``text[start:end]``, cut at ``limit`` characters a side."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
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


@dataclass(frozen=True)
class FlagOutcomeRow:
    """One flag of a counted submission with what its current score made of it."""

    attempt_id: int
    user_id: int
    article: str
    start: int
    end: int
    category: str
    outcome: str
    item_id: str | None


def flag_outcomes(db: Session, scope: Scope) -> list[FlagOutcomeRow]:
    """Every flag of the counted submissions as its current score judged it (from the stored reports)."""
    current = current_scores(scope)
    rows = []
    query = select(current.c.attempt_id, current.c.user_id, Score.report["flags"]).join(
        Score, Score.id == current.c.score_id
    )
    for attempt_id, user_id, flags in db.execute(query):
        for flag in flags or ():
            rows.append(
                FlagOutcomeRow(
                    attempt_id,
                    user_id,
                    flag["article"],
                    flag["start"],
                    flag["end"],
                    flag["category"],
                    flag["outcome"],
                    flag.get("item_id"),
                )
            )
    return rows


@dataclass(frozen=True)
class MissedItem:
    """A key item many missed, for the first screen."""

    outcome: ItemOutcome
    sentence: Sentence


@dataclass(frozen=True)
class FalsePositive:
    """A stretch many flagged that earned nothing (a decoy or no key item), for the first screen."""

    article: str
    start: int
    end: int
    submissions: int
    decoy: bool
    sentence: Sentence


@dataclass(frozen=True)
class AttentionRow:
    user_id: int
    display_name: str
    reason: str


@dataclass(frozen=True)
class Attention:
    """Trainees the instructor should look at first, by reason."""

    not_started: list[TraineeRow]
    low_score: list[TraineeRow]
    many_false_positives: list[TraineeRow]
    false_positive_bar: int

    def __bool__(self) -> bool:
        return bool(self.not_started or self.low_score or self.many_false_positives)


FALSE_POSITIVE_OUTCOMES = ("not_in_key", "decoy", "duplicate")


def most_missed(items: Sequence[ItemOutcome], texts: dict[str, str], limit: int = AT_A_GLANCE) -> list[MissedItem]:
    """The items the most submissions missed (ties: the least credit), each in its sentence."""
    ranked = sorted((o for o in items if o.missed), key=lambda o: (-o.missed, o.credit_share, o.item["id"]))
    return [
        MissedItem(outcome, sentence_of(texts[outcome.item["article"]], outcome.item["start"], outcome.item["end"]))
        for outcome in ranked[:limit]
    ]


def most_flagged_false_positives(
    outcomes: Iterable[FlagOutcomeRow],
    texts: dict[str, str],
    key_items: Sequence[dict[str, Any]],
    limit: int = AT_A_GLANCE,
) -> list[FalsePositive]:
    """Stretches flagged by the most submissions for no credit: decoys by item, other false
    positives as runs of overlapping flags, each shown at the span most of those flags chose."""
    decoys = {item["id"]: item for item in key_items if item["decoy"]}
    groups: dict[tuple[str, Any], tuple[set[int], Counter[tuple[int, int]]]] = {}
    loose: dict[str, list[FlagOutcomeRow]] = defaultdict(list)
    for row in outcomes:
        if row.outcome == "decoy" and row.item_id in decoys:
            attempts, spans = groups.setdefault((row.article, row.item_id), (set(), Counter()))
            attempts.add(row.attempt_id)
            spans[(decoys[row.item_id]["start"], decoys[row.item_id]["end"])] += 1
        elif row.outcome == "not_in_key" and row.article in texts:
            loose[row.article].append(row)
    for article, rows in loose.items():
        rows.sort(key=lambda row: (row.start, row.end))
        reach = -1
        key: tuple[str, Any] = (article, -1)
        for row in rows:
            if row.start >= reach:
                key = (article, row.start)
            reach = max(reach, row.end)
            attempts, spans = groups.setdefault(key, (set(), Counter()))
            attempts.add(row.attempt_id)
            spans[(row.start, row.end)] += 1
    found = []
    for (article, ident), (attempts, spans) in groups.items():
        start, end = word_span(texts[article], *chosen_span(spans))
        found.append(
            FalsePositive(
                article, start, end, len(attempts), isinstance(ident, str), sentence_of(texts[article], start, end)
            )
        )
    found.sort(key=lambda fp: (-fp.submissions, fp.article, fp.start))
    return found[:limit]


def needs_attention(db: Session, scope: Scope) -> Attention:
    """Not started, scored below `LOW_SCORE`, or many false positives (at least
    `MANY_FALSE_POSITIVES` and twice the cohort's median): the whole cohort, by name."""
    rows = trainee_page(db, scope, 1, per_page=10**9).rows
    counts = sorted(row.false_positives or 0 for row in rows if row.attempt_id)
    bar = max(MANY_FALSE_POSITIVES, 2 * math.ceil(statistics.median(counts))) if counts else MANY_FALSE_POSITIVES
    return Attention(
        not_started=[row for row in rows if row.status == "not started"],
        low_score=sorted(
            (row for row in rows if row.attempt_id and row.score is not None and whole_score(row.score) < LOW_SCORE),
            key=lambda row: (row.score, row.display_name),
        ),
        many_false_positives=sorted(
            (row for row in rows if row.attempt_id and (row.false_positives or 0) >= bar),
            key=lambda row: (-(row.false_positives or 0), row.display_name),
        ),
        false_positive_bar=bar,
    )


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one cohort × exercise."""

    scope: Scope
    completion: Completion
    summary: ScoreSummary
    items: list[ItemOutcome]
    decoys: list[DecoyOutcome]
    categories: list[CategoryFigures]
    confusion: Confusion
    heat: list[ArticleHeat]
    trainees: TraineePage
    status_counts: list[StatusCount]
    spans: list[SpanCount]
    ratings: list[RatingSpread]
    history: list[CurrentScore]
    rescores: list[Rescore]
    flag_outcomes: list[FlagOutcomeRow]
    missed: list[MissedItem]
    false_positives: list[FalsePositive]
    attention: Attention

    @property
    def hardest(self) -> list[ItemOutcome]:
        """The ten hardest items, which the item table shows before "show all"."""
        return self.items[:HARDEST_SHOWN]

    def chart_data(self) -> dict[str, Any]:
        """What dashboard.js draws, handed over as JSON."""
        return {
            "histogram": {"labels": self.summary.histogram_labels, "counts": list(self.summary.histogram)},
        }


def build_dashboard(
    db: Session, scope: Scope, key_items: list[dict[str, Any]], ratings: Sequence[RatingKey] = (), *, page: int = 1
) -> Dashboard:
    """Run the dashboard's queries for ``scope`` under the given (current) key items and ratings."""
    done = completion(db, scope)
    summary = score_summary(db, scope)
    counts = item_status_counts(db, scope)
    spans = span_counts(db, scope)
    items, decoys = item_outcomes(counts, key_items, summary.submissions)
    categories = scope.exercise.categories
    history = current_score_history(db, scope)
    texts = {article.ref: article.text for article in scope.exercise.articles}
    outcomes = flag_outcomes(db, scope)
    return Dashboard(
        scope=scope,
        completion=done,
        summary=summary,
        items=items,
        decoys=decoys,
        categories=category_figures(counts, flag_counts_by_category(spans), key_items, categories, summary.submissions),
        confusion=confusion_table(counts, key_items, categories, summary.submissions),
        heat=coverage(scope, spans, key_items, summary.submissions),
        trainees=trainee_page(db, scope, page),
        status_counts=counts,
        spans=spans,
        ratings=rating_spreads(db, scope, ratings, summary.submissions),
        history=history,
        rescores=rescores(history),
        flag_outcomes=outcomes,
        missed=most_missed(items, texts),
        false_positives=most_flagged_false_positives(outcomes, texts, key_items),
        attention=needs_attention(db, scope),
    )
