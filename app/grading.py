"""Scoring stored attempts with the scoring engine, and keeping their scores current.

The rules live in ``scoring``; this module only turns rows into the engine's types and stores
what it returns.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple, cast

from blinker import Signal
from sqlalchemy import Column, Insert, Integer, Select, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased, make_transient_to_detached, selectinload
from sqlalchemy.sql.dml import ReturningInsert

import scoring
from app import audit, exercise_cache, judgement
from app.cohort_figures import tallies
from app.models import Attempt, Exercise, Flag, KeyVersion, Score, ScoreItem, User, flag_links, utcnow
from scoring.calibration import measure_calibration
from scoring.discernment import measure_from_statuses
from scoring.report import FlagOutcome
from scoring.types import KeyItem, RatingKey, SourceRating

RESCORE_BATCH = 500

# Inserted as Core tables: the ORM's bulk insert would split the rows by which columns are None.
_SCORES = cast(Table, Score.__table__)
_SCORE_ITEMS = cast(Table, ScoreItem.__table__)

scores_stored = Signal("New current scores, on submit and on every rescore; sent with the session and ``scores``.")
"""Whoever must hear of a new score (the LMS grade passback) connects here; the caller still commits."""


def current_key_version(db: Session, exercise_id: int) -> KeyVersion:
    """The newest key version of an exercise."""
    version = db.scalar(
        select(KeyVersion).where(KeyVersion.exercise_id == exercise_id).order_by(KeyVersion.number.desc()).limit(1)
    )
    if version is None:
        raise LookupError(f"exercise {exercise_id} has no key")
    return version


@functools.cache
def _current_version_id() -> Select[int]:
    """The id of ``exercise_id``'s newest key version; built once, as a submit asks it every time."""
    return (
        select(KeyVersion.id)
        .where(KeyVersion.exercise_id == bindparam("exercise_id", type_=Integer))
        .order_by(KeyVersion.number.desc())
        .limit(1)
    )


def prepared_key(exercise: Exercise, version: KeyVersion) -> scoring.PreparedKey:
    return scoring.PreparedKey(
        version.items,
        exercise.policy,
        categories=exercise.category_ids,
        texts={article.ref: article.text for article in exercise.articles},
        rating_key=version.ratings,
    )


def add_key_version(
    db: Session,
    exercise: Exercise,
    items: tuple[KeyItem, ...],
    *,
    origin: str,
    note: str,
    user: User | None = None,
    ratings: tuple[RatingKey, ...] | None = None,
) -> tuple[KeyVersion, int]:
    """Add a key version (keeping the current source ratings unless given) and rescore every
    submission against it; return the version and how many submissions were rescored."""
    current = current_key_version(db, exercise.id)
    version = KeyVersion(
        number=current.number + 1,
        items=items,
        ratings=current.ratings if ratings is None else ratings,
        origin=origin,
        note=note,
        created_by_id=user.id if user else None,
    )
    exercise.key_versions.append(version)
    db.flush()
    audit.record(
        db,
        user,
        "exercise.key_saved",
        exercise=exercise,
        detail={"version": version.number, "origin": origin, "note": note},
    )
    rescored = rescore_exercise(db, exercise, note=f"Key version {version.number}: {note}", actor=user)
    return version, rescored


class ScoredFlag(NamedTuple):
    """What scoring an attempt and storing its score read of one of its flags."""

    client_id: str
    article_ref: str
    start: int
    end: int
    category: str
    note: str
    confidence: str | None
    links: tuple[str, ...]
    """The client ids of the flags it links to, sorted."""


def flags_of(db: Session, attempt_ids: Sequence[int]) -> dict[int, list[ScoredFlag]]:
    """The flags of each of the attempts (in the order they were made), with their links, in one
    statement: as rows, since building ORM objects for them cost a submit more than scoring them."""
    made: dict[int, tuple[int, ScoredFlag]] = {}
    links: dict[int, list[str]] = defaultdict(list)
    rows = db.connection().execute(_flag_rows(), {"attempt_ids": attempt_ids})
    for flag_id, attempt_id, client_id, article_ref, start, end, category, note, confidence, link in rows:
        if flag_id not in made:
            made[flag_id] = (attempt_id, ScoredFlag(client_id, article_ref, start, end, category, note, confidence, ()))
        if link is not None:
            links[flag_id].append(link)
    flags: dict[int, list[ScoredFlag]] = defaultdict(list)
    for flag_id, (attempt_id, flag) in made.items():
        flags[attempt_id].append(flag._replace(links=tuple(sorted(links[flag_id]))))
    return flags


@functools.cache
def _flag_rows() -> Select[int, int, str, str, int, int, str, str, str | None, str]:
    """Each flag of ``attempt_ids`` once per link (once if none), with the linked flag's client id."""
    target = aliased(Flag)
    return (
        select(
            Flag.id,
            Flag.attempt_id,
            Flag.client_id,
            Flag.article_ref,
            Flag.start,
            Flag.end,
            Flag.category,
            Flag.note,
            Flag.confidence,
            target.client_id,
        )
        .outerjoin(flag_links, flag_links.c.flag_id == Flag.id)
        .outerjoin(target, target.id == flag_links.c.target_id)
        .where(Flag.attempt_id.in_(bindparam("attempt_ids", expanding=True)))
        .order_by(Flag.id)
    )


def engine_flags(flags: Sequence[ScoredFlag]) -> list[scoring.Flag]:
    """The attempt's flags as the engine takes them; flag ids are the client ids."""
    return [
        scoring.Flag(
            id=flag.client_id,
            article=flag.article_ref,
            start=flag.start,
            end=flag.end,
            category=flag.category,
            note=flag.note,
            links=flag.links,
        )
        for flag in flags
    ]


def engine_ratings(attempt: Attempt) -> list[SourceRating]:
    """The attempt's source ratings as the engine takes them."""
    return [
        SourceRating(rating.article_ref, rating.reliability, rating.credibility, rating.reason)
        for rating in attempt.ratings
    ]


def score_columns(
    version_id: int,
    report: scoring.Report,
    categories: Mapping[str, str],
    confidences: Mapping[str, str | None] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The columns of a current score row and of its item rows for ``report`` (ids aside).

    ``categories`` maps each flag's client id to its category: an item records the category of
    the first flag matched to it; ``confidences`` its confidence, if any. The stored report
    carries the submission's discernment and calibration beside the engine's fields, so queries
    can read them without rebuilding the report.
    """
    # The report's plain form, not its result objects: a report the engine made writes it
    # without building them (scoring.report.Deferred), and the rest is read from its rows.
    plain = scoring.report_to_dict(report)
    outcomes = [(row["id"], FlagOutcome(row["outcome"])) for row in plain["flags"]]
    score = {
        "key_version_id": version_id,
        "is_current": True,
        "score": report.score,
        "precision": report.detection.precision,
        "recall": report.detection.recall,
        "f1": report.detection.f1,
        "report": {
            **plain,
            "discernment": judgement.discernment_json(measure_from_statuses(row["status"] for row in plain["items"])),
            "calibration": judgement.calibration_json(measure_calibration(outcomes, confidences or {})),
        },
        "rules": scoring.RULES,
    }
    items = [
        {
            "item_id": row["id"],
            "status": row["status"],
            "chosen_category": categories.get(row["flag_ids"][0]) if row["flag_ids"] else None,
            "credit": row["credit"],
        }
        for row in plain["items"]
    ]
    return score, items


def _store(
    db: Session,
    version_id: int,
    reports: Sequence[tuple[Attempt, Sequence[ScoredFlag], scoring.Report]],
    note: str = "",
    *,
    first: bool = False,
) -> list[Score]:
    """Store each report as its attempt's current score, in one INSERT, with all their items in another.

    Both skip the ORM's unit of work, which cost a submit more than scoring it: each score is
    made persistent with the id its INSERT returned, and its ``items``, never loaded before, are
    read from the database when asked.
    """
    if not first:
        db.execute(
            update(Score)
            .where(Score.attempt_id.in_([attempt.id for attempt, _, _ in reports]), Score.is_current.is_(True))
            .values(is_current=False)
        )
    created_at = utcnow()
    rows: list[dict[str, Any]] = []
    items: list[list[dict[str, Any]]] = []
    for attempt, flags, report in reports:
        columns, score_items = score_columns(
            version_id,
            report,
            {flag.client_id: flag.category for flag in flags},
            {flag.client_id: flag.confidence for flag in flags},
        )
        rows.append({**columns, "attempt_id": attempt.id, "note": note, "created_at": created_at})
        items.append(score_items)
    connection = db.connection()
    stored = [
        Score(id=score_id, **row)
        for score_id, row in zip(connection.scalars(_insert_scores(), rows), rows, strict=True)
    ]
    for score in stored:
        make_transient_to_detached(score)
    db.add_all(stored)
    item_rows = [
        {**item, "score_id": score.id} for score, score_items in zip(stored, items, strict=True) for item in score_items
    ]
    if item_rows and connection.dialect.name == "postgresql":
        connection.execute(_score_items_from_json(), {"rows": item_rows})
    elif item_rows:
        connection.execute(insert(_SCORE_ITEMS), item_rows)
    return stored


@functools.cache
def _insert_scores() -> ReturningInsert[int]:
    """The scores' INSERT, returning their ids in the order of the rows given."""
    return insert(_SCORES).returning(_SCORES.c.id, sort_by_parameter_order=True)


@functools.cache
def _score_items_from_json() -> Insert:
    """PostgreSQL: the score items as one statement over a JSON array of them, read as rows by
    ``json_to_recordset``: psycopg sends each row of an executemany as a statement of its own,
    which cost a submit more than the rest of storing its score."""
    names = ("score_id", "item_id", "status", "chosen_category", "credit")
    rows = (
        func.json_to_recordset(bindparam("rows", type_=postgresql.JSON))
        .table_valued(*(Column(name, _SCORE_ITEMS.c[name].type) for name in names))
        .render_derived(with_types=True)
    )
    return insert(_SCORE_ITEMS).from_select(names, select(*rows.c))


def score_attempt(db: Session, attempt: Attempt) -> Score:
    """Score a just-submitted attempt against the current key and store it as its current score.

    Submitting (and closing at a deadline) makes an attempt final once, guarded in the database,
    so the attempt has no score yet: there is none to mark as replaced.
    """
    # The version and its items are loaded only if the key is not prepared in this process yet.
    version_id = db.execute(_current_version_id(), {"exercise_id": attempt.exercise_id}).scalar_one()
    texts = exercise_cache.texts_version(db, attempt.exercise_id)
    shared = exercise_cache.shared_key(db, attempt.exercise_id, texts, version_id, prepared_key)
    flags = flags_of(db, [attempt.id]).get(attempt.id, [])
    with shared.lock:
        report = shared.key.score(engine_flags(flags), engine_ratings(attempt))
    [stored] = _store(db, version_id, [(attempt, flags, report)], first=True)
    tallies.count_scores(db, [(stored, attempt)])
    scores_stored.send(db, scores=[stored])
    return stored


def rescore_exercise(db: Session, exercise: Exercise, *, note: str, actor: User | None = None) -> int:
    """Rescore every submitted attempt of ``exercise`` against its current key; earlier scores stay as history.

    ``note`` says why, to the trainees and instructors who see the score change; ``actor`` is who
    caused it (None: a command). Returns the number of attempts rescored. The caller commits.
    """
    version = current_key_version(db, exercise.id)
    key = prepared_key(exercise, version)
    count = 0
    for batch in _submitted_batches(db, exercise.id):
        flags = flags_of(db, [attempt.id for attempt in batch])
        reports: list[tuple[Attempt, Sequence[ScoredFlag], scoring.Report]] = []
        for attempt in batch:
            attempt_flags = flags.get(attempt.id, [])
            reports.append((attempt, attempt_flags, key.score(engine_flags(attempt_flags), engine_ratings(attempt))))
        stored = _store(db, version.id, reports, note)
        count += len(stored)
        tallies.count_scores(db, list(zip(stored, batch, strict=True)))
        scores_stored.send(db, scores=stored)
    audit.record(
        db,
        actor,
        "exercise.rescored",
        exercise=exercise,
        detail={"version": version.number, "rescored": count, "note": note},
    )
    return count


def rescore_outdated(db: Session) -> int:
    """Rescore every exercise with a current score made under older scoring rules; return how many
    submissions were rescored. The caller commits."""
    outdated = db.scalars(
        select(Exercise)
        .where(
            Exercise.id.in_(
                select(Attempt.exercise_id)
                .join(Score, Score.attempt_id == Attempt.id)
                .where(Score.is_current.is_(True), Score.rules < scoring.RULES)
            )
        )
        .order_by(Exercise.id)
    )
    note = scoring.RULES_CHANGES[scoring.RULES]
    return sum(rescore_exercise(db, exercise, note=note) for exercise in list(outdated))


def _submitted_batches(db: Session, exercise_id: int) -> Iterator[list[Attempt]]:
    last_id = 0
    while True:
        batch = list(
            db.scalars(
                select(Attempt)
                .where(Attempt.exercise_id == exercise_id, Attempt.submitted_at.is_not(None), Attempt.id > last_id)
                .order_by(Attempt.id)
                .limit(RESCORE_BATCH)
                .options(selectinload(Attempt.ratings))
            )
        )
        if not batch:
            return
        yield batch
        last_id = batch[-1].id
