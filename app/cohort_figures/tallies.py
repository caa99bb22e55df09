"""The dashboard's figures kept as scores are stored, so a page load reads them instead of recounting.

For each cohort × exercise, ``counted_submissions`` holds each trainee's counted submission (their
latest submitted attempt for the cohort) with its current score's figures, ``item_tallies`` the
key item outcomes of those scores, ``span_tallies`` the spans their flags cover and
``outlying_tallies`` their flags that matched no key item (near misses, decoys, not in the key),
grouped per submission as the dashboard groups them for the cohort. `count_scores`
brings them up to date in the transaction that stores new current scores (a submit, a rescore),
in a fixed number of statements whatever the batch: the tallies move by what the replaced score
or attempt counted and what the new one counts (``n = n + delta`` in the database), so several
workers storing scores at once add up, and nothing is held in a process.

The tallies count every attempt made for a cohort: attempts are made for a cohort by its trainees,
and a trainee stays in a cohort once admitted. Migrations 0010 and 0011 fill them from the stored scores.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    inspect,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app.models import Attempt, CountedSubmission, Flag, ItemTally, OutlyingTally, Score, ScoreItem, SpanTally
from scoring.report import MATCHED_STATUSES, FlagOutcome, ItemStatus

UNTALLIED_STATUSES = (ItemStatus.MISSED.value, ItemStatus.DECOY_AVOIDED.value)
"""Statuses the item tallies leave out: they are the counted submissions that remain."""

OUTLYING_OUTCOMES = (FlagOutcome.INSUFFICIENT_OVERLAP.value, FlagOutcome.DECOY.value, FlagOutcome.NOT_IN_KEY.value)
"""Flag outcomes kept with a counted submission (``outlying_flags``): what key gaps and false positives read."""

_DECOY_STATUSES = (ItemStatus.DECOY_FLAGGED.value, ItemStatus.DECOY_AVOIDED.value)
_HIT_STATUSES = tuple(status.value for status in MATCHED_STATUSES)


def report_figures(report: dict[str, Any]) -> dict[str, Any]:
    """The columns of a counted submission read from its stored report."""
    statuses = [item["status"] for item in report["items"]]
    return {
        "false_positives": int(report["totals"]["false_positives"]),
        "span_f1": float(report["spans"]["category_blind"]["f1"]),
        "problems": sum(1 for status in statuses if status not in _DECOY_STATUSES),
        "hits": sum(1 for status in statuses if status in _HIT_STATUSES),
        "sound": sum(1 for status in statuses if status in _DECOY_STATUSES),
        "false_alarms": sum(1 for status in statuses if status == ItemStatus.DECOY_FLAGGED.value),
        "outlying_flags": [
            [flag["article"], flag["start"], flag["end"], flag["category"], flag["outcome"], flag.get("item_id")]
            for flag in report["flags"]
            if flag["outcome"] in OUTLYING_OUTCOMES
        ],
    }


def submission_figures(score: Score, attempt: Attempt) -> dict[str, Any]:
    """The columns of a counted submission for ``score`` of ``attempt`` (``previous_score`` aside)."""
    assert attempt.submitted_at is not None and attempt.cohort_id is not None
    return {
        "cohort_id": attempt.cohort_id,
        "exercise_id": attempt.exercise_id,
        "user_id": attempt.user_id,
        "attempt_id": attempt.id,
        "score_id": score.id,
        "score": score.score,
        "precision": score.precision,
        "recall": score.recall,
        "f1": score.f1,
        "note": score.note,
        "scored_at": score.created_at,
        **report_figures(score.report),
    }


def count_scores(db: Session, scores: Sequence[tuple[Score, Attempt]]) -> None:
    """Bring the tallies up to date for newly stored current ``scores`` (flushed) of submitted attempts.

    A score counts when its attempt is its trainee's latest submitted one for the cohort: it
    replaces the counted submission's score (a rescore) or the trainee's earlier attempt (a
    retry); a rescore of an earlier attempt changes nothing here.
    """
    scored = [(score, attempt) for score, attempt in scores if attempt.cohort_id is not None]
    if not scored:
        return
    # Every statement on the connection, built once: composing them cost a submit more than running them.
    connection = db.connection()
    dialect = connection.dialect.name
    counted = _counted_rows(connection, [attempt for _, attempt in scored])
    connection.execute(_item_tallies_move(dialect), {"score_ids": [score.id for score, _ in scored]})
    connection.execute(_span_tallies_move(dialect), {"attempt_ids": [attempt.id for _, attempt in scored]})
    # One row per trainee: of several attempts of one trainee in a batch, the latest.
    latest: dict[tuple[int, int, int], dict[str, Any]] = {}
    for score, attempt in sorted(scored, key=lambda pair: pair[1].id):
        figures = submission_figures(score, attempt)
        latest[(figures["cohort_id"], figures["exercise_id"], figures["user_id"])] = figures
    connection.execute(
        _counted_submissions_upsert(dialect), [{**figures, "previous_score": None} for figures in latest.values()]
    )
    moves = _outlying_moves(counted, latest)
    if moves:
        connection.execute(_outlying_tallies_move(dialect), moves)


def _counted_rows(
    connection: Connection, attempts: list[Attempt]
) -> dict[tuple[int, int, int], tuple[int, list[list[Any]]]]:
    """The trainees' counted rows (attempt id and outlying flags), locked in one order on
    PostgreSQL before any tally moves.

    The moves are computed from the counted rows; without the lock a submit running beside a rescore
    of the same trainee would take away what its snapshot saw counted, not what the rescore left.
    Once the lock is granted, each later statement of this transaction reads the other's commit.
    SQLite needs no lock: its writers hold the database lock from their first write (the score).
    """
    trainees = sorted({(attempt.cohort_id, attempt.exercise_id, attempt.user_id) for attempt in attempts})
    rows = connection.execute(_counted_rows_locked(), {"trainees": trainees})
    return {
        (cohort_id, exercise_id, user_id): (attempt_id, flags)
        for cohort_id, exercise_id, user_id, attempt_id, flags in rows
    }


@functools.cache
def _counted_rows_locked() -> Select[int, int, int, int, list[list[Any]]]:
    """The counted rows of ``trainees`` (cohort, exercise and user ids), for update."""
    key = (CountedSubmission.cohort_id, CountedSubmission.exercise_id, CountedSubmission.user_id)
    return (
        select(*key, CountedSubmission.attempt_id, CountedSubmission.outlying_flags)
        .where(tuple_(*key).in_(bindparam("trainees", expanding=True)))
        .order_by(*key)
        .with_for_update()
    )


@functools.cache
def _counted_submissions_upsert(dialect: str) -> Executable:
    """Each trainee's counted row set to their newest counted submission, unless a later attempt counts."""
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CountedSubmission)
    return statement.on_conflict_do_update(
        index_elements=[CountedSubmission.cohort_id, CountedSubmission.exercise_id, CountedSubmission.user_id],
        set_={
            **{name: statement.excluded[name] for name in _figure_columns()},
            # A rescore of the counted attempt replaces its score; a retry starts afresh.
            "previous_score": case(
                (CountedSubmission.attempt_id == statement.excluded.attempt_id, CountedSubmission.score),
                else_=None,
            ),
        },
        where=statement.excluded.attempt_id >= CountedSubmission.attempt_id,
    )


def _figure_columns() -> list[str]:
    keys = ("cohort_id", "exercise_id", "user_id", "previous_score")
    return [column.name for column in CountedSubmission.__table__.columns if column.name not in keys]


def _same_trainee(counted: Any) -> Any:
    return and_(
        counted.cohort_id == Attempt.cohort_id,
        counted.exercise_id == Attempt.exercise_id,
        counted.user_id == Attempt.user_id,
    )


def _one_of(column: SQLColumnExpression[int], ids: str, dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the ids bound as ``ids``: on PostgreSQL an array, as an expanding IN's
    statement is rewritten for its values at every execution, which cost a submit more than the move."""
    if dialect == "postgresql":
        return column == any_(bindparam(ids, type_=postgresql.ARRAY(Integer)))
    return column.in_(bindparam(ids, expanding=True))


@functools.cache
def _item_tallies_move(dialect: str) -> Executable:
    """Take away the item outcomes of the scores replaced, add those of the new scores (``score_ids``) that count."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counted = aliased(CountedSubmission)
    later = aliased(CountedSubmission)
    new_score = aliased(Score)
    replaced = (
        select(
            counted.cohort_id,
            counted.exercise_id,
            ScoreItem.item_id,
            ScoreItem.status,
            func.coalesce(ScoreItem.chosen_category, "").label("chosen_category"),
            literal(-1, Integer).label("change"),
            (-ScoreItem.credit).label("credit"),
        )
        .select_from(new_score)
        .join(Attempt, Attempt.id == new_score.attempt_id)
        .join(counted, and_(_same_trainee(counted), counted.attempt_id <= Attempt.id))
        .join(ScoreItem, ScoreItem.score_id == counted.score_id)
        .where(_one_of(new_score.id, "score_ids", dialect), ScoreItem.status.not_in(UNTALLIED_STATUSES))
    )
    added = (
        select(
            Attempt.cohort_id,
            Attempt.exercise_id,
            ScoreItem.item_id,
            ScoreItem.status,
            func.coalesce(ScoreItem.chosen_category, "").label("chosen_category"),
            literal(1, Integer).label("change"),
            ScoreItem.credit.label("credit"),
        )
        .select_from(ScoreItem)
        .join(new_score, new_score.id == ScoreItem.score_id)
        .join(Attempt, Attempt.id == new_score.attempt_id)
        .where(
            _one_of(ScoreItem.score_id, "score_ids", dialect),
            ScoreItem.status.not_in(UNTALLIED_STATUSES),
            ~exists().where(_same_trainee(later), later.attempt_id > Attempt.id),
        )
    )
    moves = union_all(replaced, added).subquery("moves")
    keys = (moves.c.cohort_id, moves.c.exercise_id, moves.c.item_id, moves.c.status, moves.c.chosen_category)
    statement = insert(ItemTally).from_select(
        ["cohort_id", "exercise_id", "item_id", "status", "chosen_category", "submissions", "credit"],
        select(*keys, func.sum(moves.c.change), func.sum(moves.c.credit))
        .where(literal(True))
        .group_by(*keys)
        # Rows locked in one order by every writer: concurrent submits wait, never deadlock.
        .order_by(*keys),
    )
    return statement.on_conflict_do_update(
        index_elements=[
            ItemTally.cohort_id,
            ItemTally.exercise_id,
            ItemTally.item_id,
            ItemTally.status,
            ItemTally.chosen_category,
        ],
        set_={
            "submissions": ItemTally.submissions + statement.excluded.submissions,
            "credit": ItemTally.credit + statement.excluded.credit,
        },
    )


@functools.cache
def _span_tallies_move(dialect: str) -> Executable:
    """Take away the flags of an attempt a newer one replaces as counted, add those of the newer ones (``attempt_ids``)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counted = aliased(CountedSubmission)
    later = aliased(CountedSubmission)
    replaced_flag = aliased(Flag)
    replaced = (
        select(
            counted.cohort_id,
            counted.exercise_id,
            replaced_flag.article_ref,
            replaced_flag.start,
            replaced_flag.end,
            replaced_flag.category,
            literal(-1, Integer).label("change"),
        )
        .select_from(Attempt)
        .join(counted, and_(_same_trainee(counted), counted.attempt_id < Attempt.id))
        .join(replaced_flag, replaced_flag.attempt_id == counted.attempt_id)
        .where(_one_of(Attempt.id, "attempt_ids", dialect))
    )
    added = (
        select(
            Attempt.cohort_id,
            Attempt.exercise_id,
            Flag.article_ref,
            Flag.start,
            Flag.end,
            Flag.category,
            literal(1, Integer).label("change"),
        )
        .select_from(Flag)
        .join(Attempt, Attempt.id == Flag.attempt_id)
        .where(
            _one_of(Flag.attempt_id, "attempt_ids", dialect),
            ~exists().where(_same_trainee(later), later.attempt_id >= Attempt.id),
        )
    )
    moves = union_all(replaced, added).subquery("moves")
    keys = (moves.c.cohort_id, moves.c.exercise_id, moves.c.article_ref, moves.c.start, moves.c.end, moves.c.category)
    statement = insert(SpanTally).from_select(
        ["cohort_id", "exercise_id", "article_ref", "start", "end", "category", "flags"],
        select(*keys, func.sum(moves.c.change)).where(literal(True)).group_by(*keys).order_by(*keys),
    )
    return statement.on_conflict_do_update(
        index_elements=[
            SpanTally.cohort_id,
            SpanTally.exercise_id,
            SpanTally.article_ref,
            SpanTally.start,
            SpanTally.end,
            SpanTally.category,
        ],
        set_={"flags": SpanTally.flags + statement.excluded.flags},
    )


OutlyingKey = tuple[str, str, str, int, int]
"""An outlying tally's outcome, key item ("" for none), article, start and end."""


def overlap_runs(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs of overlapping ``spans`` (sorted by start, then end) as (index of the run's first
    span, furthest end reached): a span opens a run when it starts at or past the reach of those
    before it, so spans that only touch stay apart."""
    runs: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(spans):
        if runs and start < runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], end))
        else:
            runs.append((index, end))
    return runs


def outlying_counts(outlying_flags: Iterable[Sequence[Any]]) -> dict[OutlyingKey, tuple[int, int, int]]:
    """What one submission's outlying flags add to the outlying tallies: (flags, opened, gaps) by key.

    Its near misses and decoys are grouped by key item, its flags in no key item by runs of
    overlapping spans per article (`overlap_runs`): each group opens at its first span, and
    between two consecutive runs lies a gap, from the first one's reach to the next one's start.
    """
    counts: dict[OutlyingKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    groups: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for article, start, end, _category, outcome, item_id in outlying_flags:
        counts[(outcome, item_id or "", article, start, end)][0] += 1
        groups[(outcome, item_id or "", article)].append((start, end))
    for (outcome, item_id, article), spans in groups.items():
        spans.sort()
        if outcome != FlagOutcome.NOT_IN_KEY:
            counts[(outcome, item_id, article, *spans[0])][1] += 1
            continue
        runs = overlap_runs(spans)
        for first, _ in runs:
            counts[(outcome, item_id, article, *spans[first])][1] += 1
        for (_, reach), (following, _) in itertools.pairwise(runs):
            counts[(outcome, item_id, article, reach, spans[following][0])][2] += 1
    return {key: (flags, opened, gaps) for key, (flags, opened, gaps) in counts.items()}


def outlying_rows(submissions: Iterable[tuple[int, int, list[list[Any]], int]]) -> list[dict[str, Any]]:
    """Outlying tally rows from (cohort id, exercise id, outlying flags, +1 or -1) of submissions
    counted or taken away: the `outlying_counts` summed by key, those that change nothing left out."""
    changes: dict[tuple[int, int, OutlyingKey], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cohort_id, exercise_id, flags, sign in submissions:
        for key, counts in outlying_counts(flags).items():
            change = changes[(cohort_id, exercise_id, key)]
            for index, count in enumerate(counts):
                change[index] += sign * count
    columns = ("cohort_id", "exercise_id", "outcome", "item_id", "article_ref", "start", "end")
    # Sorted, so that concurrent writers lock the rows in one order and never deadlock.
    return [
        {
            **dict(zip(columns, (cohort_id, exercise_id, *key), strict=True)),
            "flags": flags,
            "opened": opened,
            "gaps": gaps,
        }
        for (cohort_id, exercise_id, key), (flags, opened, gaps) in sorted(changes.items())
        if flags or opened or gaps
    ]


def _outlying_moves(
    counted: dict[tuple[int, int, int], tuple[int, list[list[Any]]]],
    latest: dict[tuple[int, int, int], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The outlying tallies' changes: each replaced counted submission's counts taken away, each
    new one's added; computed here from the rows `_counted_rows` read (and locked)."""
    moves: list[tuple[int, int, list[list[Any]], int]] = []
    for (cohort_id, exercise_id, user_id), figures in latest.items():
        replaced = counted.get((cohort_id, exercise_id, user_id))
        if replaced is not None:
            attempt_id, flags = replaced
            if figures["attempt_id"] < attempt_id:
                continue  # a rescore of an earlier attempt: the counted one stays
            moves.append((cohort_id, exercise_id, flags, -1))
        moves.append((cohort_id, exercise_id, figures["outlying_flags"], 1))
    return outlying_rows(moves)


@functools.cache
def _outlying_tallies_move(dialect: str) -> Executable:
    """Add the changes `_outlying_moves` computed to the outlying tallies (one row each)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OutlyingTally)
    return statement.on_conflict_do_update(
        index_elements=list(inspect(OutlyingTally).primary_key),
        set_={name: OutlyingTally.__table__.c[name] + statement.excluded[name] for name in ("flags", "opened", "gaps")},
    )
