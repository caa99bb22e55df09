"""Changing a trainee's flags: adding (idempotently by client id), updating, deleting, and adding
one from a quote typed without JavaScript.

Each change is checked (``flag_requests``), bumps the attempt's revision and leaves the commit to
the caller. Offsets are code points into an article's stored text.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import Integer, Select, bindparam, delete, exists, func, insert, inspect, select
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert

from app.models import Attempt, Flag, User, flag_links, utcnow
from app.trainee import standing
from app.trainee.attempts import bump_revision, current_revision, ensure_editable
from app.trainee.flag_requests import CheckedChange, CheckedFlag, InvalidFlag, grouped_categories
from app.trainee.open_exercises import flag_count
from scoring.anchoring import find_quote

MAX_FLAGS = 300


def find_flag(flags: Iterable[Flag], client_id: str) -> Flag | None:
    """The flag with ``client_id`` among ``flags`` (an attempt's), or None."""
    return next((flag for flag in flags if flag.client_id == client_id), None)


def _link_targets(named: list[Flag], flag_client_id: str, links: list[str]) -> list[Flag]:
    problems: list[str] = []
    targets = []
    for client_id in links:
        if client_id == flag_client_id:
            problems.append("A flag cannot link to itself.")
            continue
        target = find_flag(named, client_id)
        if target is None:
            problems.append(f"No flag {client_id!r} in this attempt.")
            continue
        targets.append(target)
    if problems:
        raise InvalidFlag({"links": problems})
    return targets


@dataclass(frozen=True)
class Outcome:
    """What a change did: the flag (None after a delete), the revision now, and whether anything changed."""

    flag: Flag | CheckedFlag | None
    """As stored; a flag just added on a claimed attempt as it was checked, with the same content."""
    revision: int
    changed: bool


def _same_flag(flag: Flag, new: CheckedFlag) -> bool:
    """Whether a replayed create describes the stored flag."""
    stored = (
        flag.article_ref,
        flag.start,
        flag.end,
        flag.category,
        flag.note,
        {target.client_id for target in flag.links},
        flag.confidence,
    )
    return stored == (new.article, new.start, new.end, new.category, new.note, set(new.links), new.confidence)


def _new_flag(new: CheckedFlag, links: list[Flag]) -> Flag:
    return Flag(
        client_id=new.client_id,
        article_ref=new.article,
        start=new.start,
        end=new.end,
        quote=new.quote,
        category=new.category,
        note=new.note,
        links=links,
        confidence=new.confidence,
    )


def create_flag(db: Session, user: User, attempt: Attempt, new: CheckedFlag) -> Outcome:
    """Add a flag; a client id already used in this attempt returns that flag unchanged (a replay).

    The same client id with different content is refused: answering 200 would tell the client a
    flag was saved that was not.
    """
    existing = find_flag(attempt.flags, new.client_id)
    if existing is not None:
        if not _same_flag(existing, new):
            raise InvalidFlag(
                {"client_id": [f"client_id {new.client_id!r} is already used by a different flag in this attempt."]},
                "A different flag was already saved with this client_id; nothing was changed.",
            )
        return Outcome(existing, current_revision(db, attempt), changed=False)
    ensure_editable(db, user, attempt)
    links = _link_targets(attempt.flags, new.client_id, new.links)
    # The revision update locks the attempt's row until commit, so concurrent creates count one
    # after another, each seeing the flags the others committed: the limit holds under a race.
    revision = bump_revision(db, attempt)
    flag_id = _insert(db, attempt.id, new, links)
    if flag_id is None:
        raise InvalidFlag({}, f"This attempt already has {MAX_FLAGS} flags, the most allowed.")
    flag = _new_flag(new, links)
    flag.id, flag.attempt_id = flag_id, attempt.id
    # Stored as it is: the session holds it like a flag it loaded.
    make_transient_to_detached(flag)
    db.add(flag)
    if "flags" not in inspect(attempt).unloaded:
        # Later changes in this session (a replay, a flag linking to it) find the flag in the
        # attempt's flags; an unloaded collection reads it from the database when loaded.
        set_committed_value(attempt, "flags", [*attempt.flags, flag])
    return Outcome(flag, revision, changed=True)


def add_new_flag(db: Session, claim: standing.Claim, new: CheckedFlag) -> Outcome | None:
    """Add a flag without links to an attempt claimed for the change; None, with nothing added,
    for a flag with links or when the attempt already holds the client id or the most flags
    (``create_flag`` then answers)."""
    if new.links:
        return None
    added = _insert(db, claim.attempt_id, new, [])
    return Outcome(new, claim.revision, changed=True) if added is not None else None


def _insert(db: Session, attempt_id: int, new: CheckedFlag, links: list[Flag]) -> int | None:
    """Insert ``new`` with ``links`` unless the attempt holds its client id or ``MAX_FLAGS`` flags;
    the new flag's id, or None."""
    moment = utcnow()
    flag_id = db.connection().scalar(
        _insert_new(),
        {
            "attempt_id": attempt_id,
            "client_id": new.client_id,
            "article_ref": new.article,
            "start": new.start,
            "end": new.end,
            "quote": new.quote,
            "category": new.category,
            "note": new.note,
            "confidence": new.confidence,
            "created_at": moment,
            "updated_at": moment,
            "most": MAX_FLAGS,
        },
    )
    if flag_id is not None and links:
        db.execute(insert(flag_links), [{"flag_id": flag_id, "target_id": target.id} for target in links])
    return flag_id


def create_flags(db: Session, user: User, attempt: Attempt, new: list[CheckedFlag]) -> int:
    """Add several new flags to an attempt with no flags of those client ids, as one change (the
    demo seeder's batch path); a link may point at a flag earlier in ``new``. Returns the revision."""
    ensure_editable(db, user, attempt)
    revision = bump_revision(db, attempt)
    if flag_count(db, attempt) + len(new) > MAX_FLAGS:
        raise InvalidFlag({}, f"An attempt has at most {MAX_FLAGS} flags.")
    for checked in new:
        if find_flag(attempt.flags, checked.client_id) is not None:
            raise InvalidFlag({"client_id": [f"client_id {checked.client_id!r} is already used in this attempt."]})
        links = _link_targets(attempt.flags, checked.client_id, checked.links)
        attempt.flags.append(_new_flag(checked, links))
    db.flush()
    return revision


@functools.cache
def _insert_new() -> ReturningInsert[int]:
    """INSERT of one flag (its columns bound at execution) while the attempt holds neither its
    client id nor ``most`` flags, returning its id; nothing otherwise.

    Counting in the INSERT saves a round trip; run after the revision update, its snapshot sees
    every flag committed before the lock was granted. Built once, as composing it costs more CPU
    than running it.
    """
    columns = [
        Flag.attempt_id,
        Flag.client_id,
        Flag.article_ref,
        Flag.start,
        Flag.end,
        Flag.quote,
        Flag.category,
        Flag.note,
        Flag.confidence,
        Flag.created_at,
        Flag.updated_at,
    ]
    bound = {column.key: bindparam(column.key, type_=column.type) for column in columns}
    held = select(func.count()).select_from(Flag).where(Flag.attempt_id == bound["attempt_id"]).scalar_subquery()
    taken = exists().where(Flag.attempt_id == bound["attempt_id"], Flag.client_id == bound["client_id"])
    values = select(*bound.values()).where(held < bindparam("most", type_=Integer), ~taken)
    return insert(Flag).from_select(columns, values).returning(Flag.id)


def update_flag(db: Session, user: User, attempt: Attempt, flag: Flag, change: CheckedChange) -> Outcome:
    """Apply ``change`` to ``flag``."""
    ensure_editable(db, user, attempt)
    return _apply(db, attempt, attempt.flags, flag, change, lambda: bump_revision(db, attempt))


def named_flags(db: Session, claim: standing.Claim, client_ids: Collection[str]) -> list[Flag]:
    """The flags of an attempt claimed for a change that have these client ids, with their links."""
    return list(db.scalars(_named(), {"attempt_id": claim.attempt_id, "client_ids": list(client_ids)}).unique())


@functools.cache
def _named() -> Select[Flag]:
    """The attempt's flags of the given client ids with their links; built once."""
    return (
        select(Flag)
        .where(
            Flag.attempt_id == bindparam("attempt_id", type_=Integer),
            Flag.client_id.in_(bindparam("client_ids", expanding=True)),
        )
        .options(joinedload(Flag.links))
    )


def change_flag(db: Session, claim: standing.Claim, named: list[Flag], flag: Flag, change: CheckedChange) -> Outcome:
    """Apply ``change`` to ``flag``, one of the ``named`` flags of an attempt claimed for the change."""
    return _apply(db, claim, named, flag, change, lambda: claim.revision)


def _apply(
    db: Session,
    attempt: Attempt | standing.Claim,
    named: list[Flag],
    flag: Flag,
    change: CheckedChange,
    revision: Callable[[], int],
) -> Outcome:
    links = _link_targets(named, flag.client_id, change.links) if change.links is not None else None
    bumped = revision()
    exercise = standing.texts_of(db, attempt)
    if change.span is not None:
        text = exercise.texts[flag.article_ref]
        flag.start, flag.end = change.span
        flag.quote = text[flag.start : flag.end]
    if change.category is not None:
        flag.category = change.category
        if change.category not in grouped_categories(exercise) and links is None:
            links = []
    if change.note is not None:
        flag.note = change.note
    if change.sets_confidence:
        flag.confidence = change.confidence
    if links is not None:
        flag.links = links
    flag.updated_at = utcnow()
    db.flush()
    return Outcome(flag, bumped, changed=True)


def delete_flag(db: Session, user: User, attempt: Attempt, flag: Flag) -> Outcome:
    """Remove ``flag`` and every link to it."""
    ensure_editable(db, user, attempt)
    revision = bump_revision(db, attempt)
    # Links from other flags to this one go with it: flag_links cascades on delete.
    attempt.flags.remove(flag)
    db.flush()
    return Outcome(None, revision, changed=True)


def remove_flag(db: Session, claim: standing.Claim, client_id: str) -> Outcome | None:
    """Remove the flag with ``client_id`` from an attempt claimed for the change, and every link to
    it; None when the attempt has no such flag."""
    removed = db.connection().scalar(_delete(), {"attempt_id": claim.attempt_id, "client_id": client_id})
    return Outcome(None, claim.revision, changed=True) if removed is not None else None


@functools.cache
def _delete() -> ReturningDelete[int]:
    """DELETE of the attempt's flag with the client id, returning its id; links to it go with it
    (flag_links cascades on delete)."""
    return (
        delete(Flag)
        .where(Flag.attempt_id == bindparam("attempt_id", type_=Integer), Flag.client_id == bindparam("client_id"))
        .returning(Flag.id)
    )


def add_quoted_flag(
    db: Session,
    user: User,
    attempt: Attempt,
    article_ref: str,
    quote: str,
    category: str,
    note: str,
    confidence: str | None = None,
) -> Flag:
    """Add a flag from a quote typed without JavaScript; raise InvalidFlag if it is missing or ambiguous."""
    article = next((article for article in attempt.exercise.articles if article.ref == article_ref), None)
    if article is None:
        raise InvalidFlag({"article": ["Choose one of the articles."]})
    spans = find_quote(article.text, quote)
    if not spans:
        raise InvalidFlag({"quote": ["This text is not in the article. Copy the words exactly as they appear."]})
    if len(spans) > 1:
        raise InvalidFlag(
            {
                "quote": [
                    f"This text occurs {len(spans)} times in the article. Add a few words before or after it so it occurs once."
                ]
            }
        )
    new = CheckedFlag(
        client_id=f"form-{uuid.uuid4().hex}",
        article=article.ref,
        start=spans[0].start,
        end=spans[0].end,
        quote=article.text[spans[0].start : spans[0].end],
        category=category,
        note=note,
        links=[],
        confidence=confidence,
    )
    outcome = create_flag(db, user, attempt, new)
    assert isinstance(outcome.flag, Flag)
    return outcome.flag
