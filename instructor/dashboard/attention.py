"""At a glance: the most missed items, the most flagged false positives and who needs attention."""

from __future__ import annotations

import bisect
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.orm import Session

from app.cohort_figures.scope import Scope
from app.cohort_figures.sentences import Sentence, chosen_span, sentence_of, word_span
from app.cohort_figures.tallies import overlap_runs
from instructor.dashboard.outcomes import ItemOutcome, OutlyingCount
from instructor.dashboard.standing import Standing
from instructor.dashboard.trainees import TRAINEES_PER_PAGE, TraineePage, TraineeRow, page_of, trainee_rows_of
from scoring.report import FlagOutcome
from scoring.types import KeyItem

LOW_SCORE = 40
"""A whole score below this needs the instructor's attention."""

MANY_FALSE_POSITIVES = 3
"""At least this many false positives, and at least twice the cohort's median, needs attention."""

AT_A_GLANCE = 3
"""How many missed items and false positives the first screen names."""

NAMED = 8
"""How many trainees the first screen names for each reason they need attention."""


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
class AttentionGroup:
    """Trainees who need attention for one reason: how many, and the first `NAMED` of them."""

    total: int
    first: list[TraineeRow]

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Attention:
    """Trainees the instructor should look at first, by reason."""

    not_started: AttentionGroup
    low_score: AttentionGroup
    many_false_positives: AttentionGroup
    false_positive_bar: int

    def __bool__(self) -> bool:
        return bool(self.not_started or self.low_score or self.many_false_positives)


def most_missed(items: Sequence[ItemOutcome], texts: dict[str, str], limit: int = AT_A_GLANCE) -> list[MissedItem]:
    """The items the most submissions missed (ties: the least credit), each in its sentence."""
    ranked = sorted((o for o in items if o.missed), key=lambda o: (-o.missed, o.credit_share, o.item.id))
    return [
        MissedItem(outcome, sentence_of(texts[outcome.item.article], outcome.item.start, outcome.item.end))
        for outcome in ranked[:limit]
    ]


GapReader = Callable[[Collection[str]], Iterable[OutlyingCount]]
"""Reads the outlying tallies of some articles that count gaps alone (`outcomes.outlying_gaps`)."""


def most_flagged_false_positives(
    outlying: Iterable[OutlyingCount],
    texts: dict[str, str],
    key_items: Sequence[KeyItem],
    gaps_in: GapReader,
    limit: int = AT_A_GLANCE,
) -> list[FalsePositive]:
    """Stretches flagged by the most submissions for no credit: decoys by item, other false
    positives as runs of overlapping flags, each shown at the span most of those flags chose.

    ``outlying`` holds the tallies that count flags or groups opened (`outcomes.outlying_tallies`);
    the gaps of the articles where they can change which stretches are shown are read with ``gaps_in``.
    """
    decoys = {item.id: item for item in key_items if item.decoy}
    # Each submission's flags on a decoy open one group: the decoy's submissions are its groups.
    on_decoys: Counter[tuple[str, str]] = Counter()
    loose: dict[str, list[OutlyingCount]] = defaultdict(list)
    for row in outlying:
        if row.outcome == FlagOutcome.DECOY and row.item_id in decoys:
            on_decoys[(row.article, row.item_id)] += row.opened
        elif row.outcome == FlagOutcome.NOT_IN_KEY and row.article in texts:
            loose[row.article].append(row)
    runs = {article: _runs_flagged(rows) for article, rows in loose.items()}
    # A run's submissions are the groups opened in it less the gaps inside it, and at least the
    # groups opened on any one span of it. Most of a large cohort's tallies are gaps between runs:
    # they are read only for the articles with a run that could be shown and is not yet settled.
    fewest = [submissions for submissions in on_decoys.values() if submissions]
    fewest += [most for flagged in runs.values() for most in flagged.most]
    shown_at_least = heapq.nlargest(limit, fewest)[-1] if 0 < limit < len(fewest) else 0
    unsettled = [article for article, flagged in runs.items() if flagged.unsettled(shown_at_least)]
    if unsettled:
        for row in gaps_in(unsettled):
            runs[row.article].take_gap(row)
    counts = [submissions for submissions in on_decoys.values() if submissions]
    counts += [submissions for flagged in runs.values() for submissions in flagged.submissions]
    # A large cohort flags thousands of stretches: only those flagged by at least as many
    # submissions as the last one shown can be shown, so only they are placed at their chosen
    # span (which breaks ties among them).
    bar = heapq.nlargest(limit, counts)[-1] if 0 < limit < len(counts) else min(counts, default=0)
    # Decoys by article and id (the tallies come in no order): the sort below keeps it for two at one start.
    found = [
        _flagged_stretch(texts, article, {(decoys[item_id].start, decoys[item_id].end): 1}, submissions, decoy=True)
        for (article, item_id), submissions in sorted(on_decoys.items())
        if submissions and submissions >= bar
    ]
    for article, flagged in runs.items():
        for spans, submissions in flagged.spans_of_runs(loose[article], bar):
            found.append(_flagged_stretch(texts, article, spans, submissions, decoy=False))
    found.sort(key=lambda stretch: (-stretch.submissions, stretch.article, stretch.start))
    # Only the few shown are quoted in their sentence.
    return [
        FalsePositive(*stretch, sentence=sentence_of(texts[stretch.article], stretch.start, stretch.end))
        for stretch in found[:limit]
    ]


@dataclass
class RunsFlagged:
    """The runs of overlapping flags of one article's tallies: where each starts and reaches, how
    many submissions flagged in it (less the gaps inside it taken so far), and the most groups
    opened on one of its spans (which no gap takes away)."""

    starts: list[int]
    reaches: list[int]
    submissions: list[int]
    most: list[int]

    def unsettled(self, shown_at_least: int) -> bool:
        """Whether a run that could reach ``shown_at_least`` submissions may still have gaps to take."""
        return any(
            submissions >= shown_at_least and submissions != most
            for submissions, most in zip(self.submissions, self.most, strict=True)
        )

    def take_gap(self, row: OutlyingCount) -> None:
        """Take away ``row``'s gaps if they lie inside a run: a gap from one run's reach to the
        next run's start, both of the same submission, that other trainees' flags join."""
        run = bisect.bisect_left(self.starts, row.start) - 1
        if run >= 0 and row.end < self.reaches[run]:
            self.submissions[run] -= row.gaps

    def spans_of_runs(self, rows: Sequence[OutlyingCount], bar: int) -> list[tuple[Counter[tuple[int, int]], int]]:
        """The runs flagged by at least ``bar`` submissions: each run's flags by span, and its submissions."""
        chosen = {run: Counter[tuple[int, int]]() for run, count in enumerate(self.submissions) if count >= bar}
        if chosen:
            for row in rows:
                if row.flags or row.opened:
                    spans = chosen.get(bisect.bisect_right(self.starts, row.start) - 1)
                    if spans is not None:
                        spans[(row.start, row.end)] += row.flags
        return [(spans, self.submissions[run]) for run, spans in chosen.items()]


def _runs_flagged(rows: Sequence[OutlyingCount]) -> RunsFlagged:
    """The runs of overlapping flags of one article's tallies, each with the groups that open in
    it, less the gaps of these rows that lie inside it (see `RunsFlagged.take_gap`)."""
    spans = sorted({(row.start, row.end) for row in rows if row.flags})
    runs = overlap_runs(spans)
    flagged = RunsFlagged(
        [spans[first][0] for first, _ in runs], [reach for _, reach in runs], [0] * len(runs), [0] * len(runs)
    )
    for row in rows:
        if row.opened:
            run = bisect.bisect_right(flagged.starts, row.start) - 1
            flagged.submissions[run] += row.opened
            flagged.most[run] = max(flagged.most[run], row.opened)
        if row.gaps:
            flagged.take_gap(row)
    return flagged


class FlaggedStretch(NamedTuple):
    """A false positive before it is quoted in its sentence."""

    article: str
    start: int
    end: int
    submissions: int
    decoy: bool


def _flagged_stretch(
    texts: dict[str, str],
    article: str,
    spans: Mapping[tuple[int, int], int],
    submissions: int,
    *,
    decoy: bool,
) -> FlaggedStretch:
    start, end = word_span(texts[article], *chosen_span(spans))
    return FlaggedStretch(article, start, end, submissions, decoy)


def trainees_and_attention(
    db: Session,
    scope: Scope,
    standing: Sequence[Standing],
    page: int,
    median_false_positives: float | None,
    *,
    per_page: int = TRAINEES_PER_PAGE,
) -> tuple[TraineePage, Attention]:
    """One page of the trainee table by name, and who needs attention: not started, scored below
    `LOW_SCORE`, or many false positives (at least `MANY_FALSE_POSITIVES` and twice the cohort's
    median): of the whole cohort, the first few of each reason and how many there are.

    Chosen from the cohort's ``standing`` (in the table's order); only the trainees shown are read
    whole, in one statement."""
    page, pages = page_of(len(standing), page, per_page=per_page)
    bar = MANY_FALSE_POSITIVES
    if median_false_positives is not None:
        bar = max(MANY_FALSE_POSITIVES, 2 * math.ceil(median_false_positives))
    reasons = {
        "not_started": [trainee for trainee in standing if not trainee.counted and not trainee.in_progress],
        # A whole score below LOW_SCORE is a score below LOW_SCORE - 0.5: scores round half up.
        # Sorted stably, so trainees of one score stay in the table's order, by name.
        "low_score": sorted(
            (t for t in standing if t.counted and t.score is not None and t.score < LOW_SCORE - 0.5),
            key=lambda trainee: trainee.score or 0.0,
        ),
        "many_false_positives": sorted(
            (t for t in standing if t.counted and (t.false_positives or 0) >= bar),
            key=lambda trainee: -(trainee.false_positives or 0),
        ),
    }
    listed = standing[(page - 1) * per_page : page * per_page]
    shown = [trainee.user_id for trainee in listed]
    shown += [trainee.user_id for trainees in reasons.values() for trainee in trainees[:NAMED]]
    rows = {row.user_id: row for row in trainee_rows_of(db, scope, shown)}

    def read(trainees: Iterable[Standing]) -> list[TraineeRow]:
        # A trainee taken out of the cohort between the two statements is left out, not an error.
        return [rows[trainee.user_id] for trainee in trainees if trainee.user_id in rows]

    groups = {reason: AttentionGroup(len(trainees), read(trainees[:NAMED])) for reason, trainees in reasons.items()}
    table = TraineePage(read(listed), page, pages, len(standing))
    return table, Attention(**groups, false_positive_bar=bar)
