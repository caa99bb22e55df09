"""Changing a trainee's flags: adding (idempotently by client id), updating, deleting, and adding
one from a quote typed without JavaScript.

Each change is checked (``flag_requests``), bumps the attempt's revision and leaves the commit to
the caller. Offsets are code points into an article's stored text.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, func, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningInsert

from app.models import Attempt, Flag, User, flag_links, utcnow
from app.trainee import standing
from app.trainee.attempts import bump_revision, current_revision, ensure_editable
from app.trainee.flag_requests import CheckedChange, CheckedFlag, InvalidFlag, grouped_categories
from app.trainee.open_exercises import flag_count
from scoring.anchoring import find_quote

MAX_FLAGS = 300


def find_flag(attempt: Attempt, client_id: str) -> Flag | None:
    """The attempt's flag with ``client_id``, or None."""
    return next((flag for flag in attempt.flags if flag.client_id == client_id), None)


def _link_targets(attempt: Attempt, flag_client_id: str, links: list[str]) -> list[Flag]:
    problems: list[str] = []
    targets = []
    for client_id in links:
        if client_id == flag_client_id:
            problems.append("A flag cannot link to itself.")
            continue
        target = find_flag(attempt, client_id)
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

    flag: Flag | None
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


def _new_flag(new: CheckedFlag, text: str, links: list[Flag]) -> Flag:
    return Flag(
        client_id=new.client_id,
        article_ref=new.article,
        start=new.start,
        end=new.end,
        quote=text[new.start : new.end],
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
    existing = find_flag(attempt, new.client_id)
    if existing is not None:
        if not _same_flag(existing, new):
            raise InvalidFlag(
                {"client_id": [f"client_id {new.client_id!r} is already used by a different flag in this attempt."]},
                "A different flag was already saved with this client_id; nothing was changed.",
            )
        return Outcome(existing, current_revision(db, attempt), changed=False)
    ensure_editable(db, user, attempt)
    links = _link_targets(attempt, new.client_id, new.links)
    text = standing.texts_of(db, attempt).texts[new.article]
    # The revision update locks the attempt's row until commit, so concurrent creates count one
    # after another, each seeing the flags the others committed: the limit holds under a race.
    revision = bump_revision(db, attempt)
    moment = utcnow()
    flag = db.scalar(
        _insert_below_limit(),
        {
            "attempt_id": attempt.id,
            "client_id": new.client_id,
            "article_ref": new.article,
            "start": new.start,
            "end": new.end,
            "quote": text[new.start : new.end],
            "category": new.category,
            "note": new.note,
            "confidence": new.confidence,
            "created_at": moment,
            "updated_at": moment,
            "most": MAX_FLAGS,
        },
    )
    if flag is None:
        raise InvalidFlag({}, f"This attempt already has {MAX_FLAGS} flags, the most allowed.")
    if links:
        db.execute(insert(flag_links), [{"flag_id": flag.id, "target_id": target.id} for target in links])
    set_committed_value(flag, "links", links)
    if "flags" not in inspect(attempt).unloaded:
        # Later changes in this session (a replay, a flag linking to it) find the flag in the
        # attempt's flags; an unloaded collection reads it from the database when loaded.
        set_committed_value(attempt, "flags", [*attempt.flags, flag])
    return Outcome(flag, revision, changed=True)


def create_flags(db: Session, user: User, attempt: Attempt, new: list[CheckedFlag]) -> int:
    """Add several new flags to an attempt with no flags of those client ids, as one change (the
    demo seeder's batch path); a link may point at a flag earlier in ``new``. Returns the revision."""
    ensure_editable(db, user, attempt)
    texts = standing.texts_of(db, attempt).texts
    revision = bump_revision(db, attempt)
    if flag_count(db, attempt) + len(new) > MAX_FLAGS:
        raise InvalidFlag({}, f"An attempt has at most {MAX_FLAGS} flags.")
    for checked in new:
        if find_flag(attempt, checked.client_id) is not None:
            raise InvalidFlag({"client_id": [f"client_id {checked.client_id!r} is already used in this attempt."]})
        links = _link_targets(attempt, checked.client_id, checked.links)
        attempt.flags.append(_new_flag(checked, texts[checked.article], links))
    db.flush()
    return revision


@functools.cache
def _insert_below_limit() -> ReturningInsert[Flag]:
    """INSERT of one flag (its columns bound at execution) while the attempt holds fewer than
    ``most`` flags, returning it; nothing when full.

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
    held = select(func.count()).select_from(Flag).where(Flag.attempt_id == bindparam("attempt_id")).scalar_subquery()
    values = select(*(bindparam(column.key, type_=column.type) for column in columns)).where(
        held < bindparam("most", type_=Integer)
    )
    # "orm": the parameters are the statement's own bound values, not rows of an ORM bulk insert,
    # and the new flag comes back as an object in the session.
    return insert(Flag).from_select(columns, values).returning(Flag).execution_options(dml_strategy="orm")


def update_flag(db: Session, user: User, attempt: Attempt, flag: Flag, change: CheckedChange) -> Outcome:
    """Apply ``change`` to ``flag``."""
    ensure_editable(db, user, attempt)
    links = _link_targets(attempt, flag.client_id, change.links) if change.links is not None else None
    revision = bump_revision(db, attempt)
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
    return Outcome(flag, revision, changed=True)


def delete_flag(db: Session, user: User, attempt: Attempt, flag: Flag) -> Outcome:
    """Remove ``flag`` and every link to it."""
    ensure_editable(db, user, attempt)
    revision = bump_revision(db, attempt)
    # Links from other flags to this one go with it: flag_links cascades on delete.
    attempt.flags.remove(flag)
    db.flush()
    return Outcome(None, revision, changed=True)


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
        category=category,
        note=note,
        links=[],
        confidence=confidence,
    )
    outcome = create_flag(db, user, attempt, new)
    assert outcome.flag is not None
    return outcome.flag
