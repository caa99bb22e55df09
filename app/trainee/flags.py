"""A trainee's exercises, attempts and flags: what is open, starting, flagging and submitting.

Views parse the request and call these functions; they validate what they are given, change the
session and leave the commit to the caller. Offsets are code points into an article's stored text.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.deadlines import as_utc, close_overdue, deadline_for, now
from app.grading import score_attempt
from app.models import (
    Assignment,
    Attempt,
    AttemptGrant,
    Cohort,
    Exercise,
    ExerciseState,
    Flag,
    Score,
    SourceRating,
    User,
    cohort_trainees,
    utcnow,
)
from exercises.storable import is_storable
from scoring.anchoring import find_quote, reanchor
from scoring.types import SourceRating as GivenRating

MAX_FLAGS = 300
MAX_NOTE = 1000
MAX_CONTEXT = 200
MAX_QUOTE = 5000
MAX_LINKS = 50
MAX_REASON = 300
"""Characters of a source rating's one-line reason."""
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SPAN_FIELDS = ("start", "end", "quote")
CREATE_FIELDS = frozenset(
    {"client_id", "article", "start", "end", "quote", "prefix", "suffix", "category", "note", "links"}
)
UPDATE_FIELDS = frozenset({"start", "end", "quote", "prefix", "suffix", "category", "note", "links"})


class InvalidFlag(ValueError):
    """A flag the trainee sent does not fit: nothing was changed."""

    def __init__(
        self, fields: dict[str, list[str]], message: str = "The flag was not saved: check the fields."
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class AttemptClosed(Exception):
    """The attempt can no longer change: it was submitted, or its exercise closed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoAttemptsLeft(Exception):
    """Every attempt the trainee is allowed has been submitted."""


# --- which exercises a trainee can see ------------------------------------------------------


def _is_open(now: datetime) -> Any:
    """SQL condition: published and inside its availability window."""
    return and_(
        Exercise.state == ExerciseState.PUBLISHED,
        or_(Exercise.available_from.is_(None), Exercise.available_from <= now),
        or_(Exercise.available_until.is_(None), Exercise.available_until > now),
    )


def open_exercise(db: Session, user: User, exercise_id: int) -> Exercise | None:
    """The exercise if it is set for one of ``user``'s cohorts and open now, else None."""
    return db.scalar(
        select(Exercise)
        .join(Assignment, Assignment.exercise_id == Exercise.id)
        .join(cohort_trainees, cohort_trainees.c.cohort_id == Assignment.cohort_id)
        .where(Exercise.id == exercise_id, cohort_trainees.c.user_id == user.id, _is_open(utcnow()))
        .limit(1)
    )


def attempts_allowed(db: Session, user: User, exercise: Exercise) -> int:
    """The exercise's own number of attempts plus those an instructor granted this trainee."""
    granted = db.scalar(
        select(func.count())
        .select_from(AttemptGrant)
        .where(AttemptGrant.user_id == user.id, AttemptGrant.exercise_id == exercise.id)
    )
    return max(1, exercise.attempts_allowed or 1) + int(granted or 0)


@dataclass(frozen=True)
class ExerciseStatus:
    """One exercise on a trainee's list, with where they are in it."""

    exercise: Exercise
    deadline: datetime | None
    attempts: list[Attempt]
    allowed: int
    flag_count: int = 0
    score: Score | None = None

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def state(self) -> str:
        """not_started, in_progress or submitted (the latest attempt)."""
        if self.latest is None:
            return "not_started"
        return "in_progress" if self.latest.submitted_at is None else "submitted"

    @property
    def can_start_new(self) -> bool:
        return self.state == "submitted" and len(self.attempts) < self.allowed

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and as_utc(self.deadline) <= now()


@dataclass(frozen=True)
class CohortExercises:
    cohort: Cohort
    exercises: list[ExerciseStatus] = field(default_factory=list)


def my_exercises(db: Session, user: User) -> list[CohortExercises]:
    """Each of ``user``'s cohorts with its open exercises and the trainee's status in each."""
    close_overdue(db, now(), Attempt.user_id == user.id)
    rows = db.execute(
        select(Assignment.cohort_id, Exercise, Assignment.deadline)
        .join(Exercise, Exercise.id == Assignment.exercise_id)
        .join(cohort_trainees, cohort_trainees.c.cohort_id == Assignment.cohort_id)
        .where(cohort_trainees.c.user_id == user.id, _is_open(utcnow()))
        .order_by(Exercise.title)
    ).all()
    exercise_ids = {exercise.id for _, exercise, _ in rows}
    attempts: dict[int, list[Attempt]] = {}
    for attempt in db.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.exercise_id.in_(exercise_ids))
        .order_by(Attempt.number)
    ):
        attempts.setdefault(attempt.exercise_id, []).append(attempt)
    statuses: dict[int, ExerciseStatus] = {}
    for exercise_id in exercise_ids:
        exercise = next(exercise for _, exercise, _ in rows if exercise.id == exercise_id)
        mine = attempts.get(exercise_id, [])
        statuses[exercise_id] = ExerciseStatus(
            exercise=exercise,
            deadline=None,
            attempts=mine,
            allowed=attempts_allowed(db, user, exercise),
            flag_count=_flag_count(db, mine[-1]) if mine else 0,
            score=submitted_score(db, mine[-1]) if mine else None,
        )
    result = []
    for cohort in sorted(user.cohorts, key=lambda cohort: cohort.name):
        listed = [
            dataclasses.replace(statuses[exercise.id], deadline=deadline)
            for cohort_id, exercise, deadline in rows
            if cohort_id == cohort.id
        ]
        result.append(CohortExercises(cohort, listed))
    return result


def _flag_count(db: Session, attempt: Attempt) -> int:
    return int(db.scalar(select(func.count()).select_from(Flag).where(Flag.attempt_id == attempt.id)) or 0)


def submitted_score(db: Session, attempt: Attempt) -> Score | None:
    """The current score of a submitted attempt; None before submission, when nothing may show the key."""
    if attempt.submitted_at is None:
        return None
    return db.scalar(select(Score).where(Score.attempt_id == attempt.id, Score.is_current.is_(True)).limit(1))


# --- attempts ---------------------------------------------------------------------------------


def own_attempt(db: Session, user: User, attempt_id: int, *, with_links: bool = True) -> Attempt | None:
    """The attempt if it is ``user``'s; None otherwise, so others' attempts look missing.

    Its flags come loaded, with their links unless ``with_links`` is False: a change to one flag
    needs only that flag's links, and loading every flag's makes each autosave slower as flags add up.
    """
    close_overdue(db, now(), Attempt.id == attempt_id, Attempt.user_id == user.id)
    flags = selectinload(Attempt.flags)
    return db.scalar(
        select(Attempt)
        .where(Attempt.id == attempt_id, Attempt.user_id == user.id)
        .options(flags.selectinload(Flag.links) if with_links else flags)
    )


def assigning_cohort(db: Session, user: User, exercise_id: int) -> int | None:
    """The cohort a new attempt at the exercise is made for: the lowest-numbered of ``user``'s
    cohorts that set it (the same rule the migration used for older work)."""
    return db.scalar(
        select(func.min(Assignment.cohort_id))
        .join(cohort_trainees, cohort_trainees.c.cohort_id == Assignment.cohort_id)
        .where(cohort_trainees.c.user_id == user.id, Assignment.exercise_id == exercise_id)
    )


def start_or_resume(db: Session, user: User, exercise: Exercise) -> Attempt:
    """The trainee's open attempt at ``exercise``, or a new one (for their assigning cohort) if another is allowed.

    Raises NoAttemptsLeft when every allowed attempt has been submitted, AttemptClosed when the
    deadline has passed.
    """
    cohort_id = assigning_cohort(db, user, exercise.id)
    for _ in range(2):
        attempts = list(
            db.scalars(
                select(Attempt)
                .where(Attempt.user_id == user.id, Attempt.exercise_id == exercise.id)
                .order_by(Attempt.number)
            )
        )
        open_attempt = next((attempt for attempt in attempts if attempt.submitted_at is None), None)
        if open_attempt is not None:
            return open_attempt
        if len(attempts) >= attempts_allowed(db, user, exercise):
            raise NoAttemptsLeft
        deadline = deadline_for(db, user.id, cohort_id, exercise.id)
        if deadline.closes(now()):
            raise AttemptClosed(f"The deadline for this exercise passed at {deadline.at:%Y-%m-%d %H:%M} UTC.")
        attempt = Attempt(user_id=user.id, exercise_id=exercise.id, cohort_id=cohort_id, number=len(attempts) + 1)
        db.add(attempt)
        try:
            db.commit()
        except IntegrityError:
            # Another tab started the same attempt a moment ago: resume that one.
            db.rollback()
            continue
        return attempt
    raise AttemptClosed("The attempt could not be started; reload the page.")


def can_start_new(db: Session, user: User, exercise: Exercise) -> bool:
    """Whether the trainee may start another attempt now: all submitted, one more allowed, still open."""
    submitted = list(
        db.scalars(select(Attempt.submitted_at).where(Attempt.user_id == user.id, Attempt.exercise_id == exercise.id))
    )
    if any(moment is None for moment in submitted) or len(submitted) >= attempts_allowed(db, user, exercise):
        return False
    return open_exercise(db, user, exercise.id) is not None


def ensure_editable(db: Session, user: User, attempt: Attempt) -> None:
    """Raise AttemptClosed unless the attempt is in progress, before its deadline, and its exercise open."""
    deadline = deadline_for(db, user.id, attempt.cohort_id, attempt.exercise_id)
    if deadline.closes(now()):
        raise AttemptClosed(
            f"The deadline passed at {deadline.at:%Y-%m-%d %H:%M} UTC: nothing more can change, and "
            "your work was submitted as it stood at your last save."
        )
    if attempt.submitted_at is not None:
        raise AttemptClosed("This attempt was submitted; a submission is final.")
    if open_exercise(db, user, attempt.exercise_id) is None:
        raise AttemptClosed("This exercise is closed.")


def _bump_revision(db: Session, attempt: Attempt) -> int:
    """Count one change to the attempt, atomically, and only while it is unsubmitted."""
    result = db.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(revision=Attempt.revision + 1, last_activity_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AttemptClosed("This attempt was submitted; a submission is final.")
    revision = db.scalar(select(Attempt.revision).where(Attempt.id == attempt.id))
    assert revision is not None
    return revision


def current_revision(db: Session, attempt: Attempt) -> int:
    """The attempt's revision as stored now (another tab may have moved it on)."""
    return int(db.scalar(select(Attempt.revision).where(Attempt.id == attempt.id)) or 0)


# --- validating flags -------------------------------------------------------------------------


class _Errors:
    """Collects per-field messages; raises them together."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def raise_if_any(self, message: str | None = None) -> None:
        if self.fields:
            raise InvalidFlag(self.fields, message or "The flag was not saved: check the fields.")


def _integer(errors: _Errors, payload: dict[str, Any], name: str) -> int | None:
    if name not in payload:
        errors.add(name, f"{name} is required.")
        return None
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(name, f"{name} must be a whole number (a code-point offset).")
        return None
    if value < 0:
        errors.add(name, f"{name} must not be negative.")
        return None
    return value


def _text(errors: _Errors, payload: dict[str, Any], name: str, *, limit: int, required: bool = False) -> str | None:
    if name not in payload:
        if required:
            errors.add(name, f"{name} is required.")
            return None
        return ""
    value = payload[name]
    if not isinstance(value, str):
        errors.add(name, f"{name} must be text.")
        return None
    if not is_storable(value):
        errors.add(name, f"{name} must not contain a null character or a lone surrogate.")
        return None
    if required and not value.strip():
        errors.add(name, f"{name} must not be empty.")
        return None
    if len(value) > limit:
        errors.add(name, f"{name} is too long: at most {limit} characters.")
        return None
    return value


def _category(errors: _Errors, exercise: Exercise, value: object) -> str | None:
    ids = [category["id"] for category in exercise.categories]
    if value is None:
        errors.add("category", "category is required.")
        return None
    if not isinstance(value, str) or value not in ids:
        errors.add("category", f"Unknown category {value!r}; expected one of: {', '.join(ids)}.")
        return None
    return value


def _links(errors: _Errors, value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.add("links", "links must be a list of flag client ids.")
        return None
    if len(value) > MAX_LINKS:
        errors.add("links", f"A flag can link to at most {MAX_LINKS} others.")
        return None
    return list(dict.fromkeys(value))


def _unknown_fields(errors: _Errors, payload: dict[str, Any], allowed: frozenset[str]) -> None:
    for name in sorted(set(payload) - allowed):
        errors.add(name, "Unknown field.")


def grouped_categories(exercise: Exercise) -> set[str]:
    """Categories whose flags may link to others (conflicting figures)."""
    return {category["id"] for category in exercise.categories if category.get("grouped")}


def _category_names(exercise: Exercise, ids: set[str]) -> str:
    return " or ".join(category["name"] for category in exercise.categories if category["id"] in ids)


@dataclass(frozen=True)
class SpanInput:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


def _span(errors: _Errors, payload: dict[str, Any], text: str | None) -> SpanInput | None:
    """Check the offsets and quote; the span is re-anchored later, when the text is known."""
    start = _integer(errors, payload, "start")
    end = _integer(errors, payload, "end")
    quote = _text(errors, payload, "quote", limit=MAX_QUOTE, required=True)
    prefix = _text(errors, payload, "prefix", limit=MAX_CONTEXT)
    suffix = _text(errors, payload, "suffix", limit=MAX_CONTEXT)
    if start is not None and end is not None:
        if start >= end:
            errors.add("end", "end must be greater than start.")
        elif text is not None and end > len(text):
            errors.add("end", f"end is past the end of the article ({len(text)} characters).")
    if None in (start, end, quote, prefix, suffix) or errors.fields:
        return None
    assert start is not None and end is not None and quote is not None
    return SpanInput(start, end, quote, prefix or "", suffix or "")


def _anchor(errors: _Errors, text: str, span: SpanInput) -> tuple[int, int] | None:
    """The one step that turns what the browser sent into stored offsets."""
    anchored = reanchor(text, span.start, span.end, span.quote, span.prefix, span.suffix)
    if anchored is None:
        errors.add("quote", "The quote was not found in the article; select the text again.")
        return None
    return anchored.start, anchored.end


def _payload(payload: object) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidFlag({}, "The body must be a JSON object.")
    return payload


@dataclass(frozen=True)
class NewFlag:
    client_id: str
    article: str
    start: int
    end: int
    category: str
    note: str
    links: list[str]


def parse_new_flag(payload: object, exercise: Exercise) -> NewFlag:
    """Validate a create request; raise InvalidFlag with a message per bad field."""
    data = _payload(payload)
    errors = _Errors()
    _unknown_fields(errors, data, CREATE_FIELDS)
    client_id = data.get("client_id")
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        errors.add("client_id", "client_id must be 1-64 letters, digits, dashes or underscores.")
    texts = {article.ref: article.text for article in exercise.articles}
    article = data.get("article")
    if not isinstance(article, str) or article not in texts:
        errors.add("article", f"Unknown article {article!r}; expected one of: {', '.join(texts)}.")
    text = texts.get(article) if isinstance(article, str) else None
    span = _span(errors, data, text)
    category = _category(errors, exercise, data.get("category"))
    note = _text(errors, data, "note", limit=MAX_NOTE)
    links = _links(errors, data.get("links", []))
    if category is not None and links and category not in grouped_categories(exercise):
        names = _category_names(exercise, grouped_categories(exercise)) or "no category"
        errors.add("links", f"Only a {names} flag can be linked to others.")
    errors.raise_if_any()
    assert text is not None and span is not None and category is not None and note is not None and links is not None
    anchored = _anchor(errors, text, span)
    errors.raise_if_any()
    assert anchored is not None
    return NewFlag(str(client_id), str(article), anchored[0], anchored[1], category, note, links)


@dataclass(frozen=True)
class FlagChange:
    """The fields an update sets; None leaves a field as it is."""

    span: tuple[int, int] | None = None
    category: str | None = None
    note: str | None = None
    links: list[str] | None = None


def parse_flag_change(payload: object, exercise: Exercise, flag: Flag) -> FlagChange:
    """Validate an update request against ``flag``; raise InvalidFlag with a message per bad field."""
    data = _payload(payload)
    errors = _Errors()
    _unknown_fields(errors, data, UPDATE_FIELDS)
    if not set(data) & UPDATE_FIELDS and not errors.fields:
        raise InvalidFlag({}, f"Nothing to change: send one or more of {', '.join(sorted(UPDATE_FIELDS))}.")
    text = next(article.text for article in exercise.articles if article.ref == flag.article_ref)
    span = None
    if set(data) & {*SPAN_FIELDS, "prefix", "suffix"}:
        # A new span comes whole: start, end and quote together.
        span = _span(errors, data, text)
    category = _category(errors, exercise, data["category"]) if "category" in data else None
    note = _text(errors, data, "note", limit=MAX_NOTE) if "note" in data else None
    links = _links(errors, data["links"]) if "links" in data else None
    final_category = category or flag.category
    if links and final_category not in grouped_categories(exercise):
        names = _category_names(exercise, grouped_categories(exercise)) or "no category"
        errors.add("links", f"Only a {names} flag can be linked to others.")
    errors.raise_if_any()
    anchored = _anchor(errors, text, span) if span is not None else None
    errors.raise_if_any()
    return FlagChange(span=anchored, category=category, note=note, links=links)


# --- changing flags ---------------------------------------------------------------------------


def find_flag(attempt: Attempt, client_id: str) -> Flag | None:
    return next((flag for flag in attempt.flags if flag.client_id == client_id), None)


def _link_targets(attempt: Attempt, flag_client_id: str, links: list[str]) -> list[Flag]:
    errors = _Errors()
    targets = []
    for client_id in links:
        if client_id == flag_client_id:
            errors.add("links", "A flag cannot link to itself.")
            continue
        target = find_flag(attempt, client_id)
        if target is None:
            errors.add("links", f"No flag {client_id!r} in this attempt.")
            continue
        targets.append(target)
    errors.raise_if_any()
    return targets


@dataclass(frozen=True)
class Outcome:
    """What a change did: the flag (None after a delete), the revision now, and whether anything changed."""

    flag: Flag | None
    revision: int
    changed: bool


def _same_flag(flag: Flag, new: NewFlag) -> bool:
    """Whether a replayed create describes the stored flag."""
    stored = (
        flag.article_ref,
        flag.start,
        flag.end,
        flag.category,
        flag.note,
        {target.client_id for target in flag.links},
    )
    return stored == (new.article, new.start, new.end, new.category, new.note, set(new.links))


def create_flag(db: Session, user: User, attempt: Attempt, new: NewFlag) -> Outcome:
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
    article = next(article for article in attempt.exercise.articles if article.ref == new.article)
    # The revision update locks the attempt's row until commit, so concurrent creates count one
    # after another, each seeing the flags the others committed: the limit holds under a race.
    revision = _bump_revision(db, attempt)
    if _flag_count(db, attempt) >= MAX_FLAGS:
        raise InvalidFlag({}, f"This attempt already has {MAX_FLAGS} flags, the most allowed.")
    flag = Flag(
        client_id=new.client_id,
        article_ref=new.article,
        start=new.start,
        end=new.end,
        quote=article.text[new.start : new.end],
        category=new.category,
        note=new.note,
        links=links,
    )
    attempt.flags.append(flag)
    db.flush()
    return Outcome(flag, revision, changed=True)


def update_flag(db: Session, user: User, attempt: Attempt, flag: Flag, change: FlagChange) -> Outcome:
    """Apply ``change`` to ``flag``."""
    ensure_editable(db, user, attempt)
    links = _link_targets(attempt, flag.client_id, change.links) if change.links is not None else None
    revision = _bump_revision(db, attempt)
    if change.span is not None:
        text = next(article.text for article in attempt.exercise.articles if article.ref == flag.article_ref)
        flag.start, flag.end = change.span
        flag.quote = text[flag.start : flag.end]
    if change.category is not None:
        flag.category = change.category
        if change.category not in grouped_categories(attempt.exercise) and links is None:
            links = []
    if change.note is not None:
        flag.note = change.note
    if links is not None:
        flag.links = links
    flag.updated_at = utcnow()
    db.flush()
    return Outcome(flag, revision, changed=True)


def delete_flag(db: Session, user: User, attempt: Attempt, flag: Flag) -> Outcome:
    """Remove ``flag`` and every link to it."""
    ensure_editable(db, user, attempt)
    revision = _bump_revision(db, attempt)
    # Links from other flags to this one go with it: flag_links cascades on delete.
    attempt.flags.remove(flag)
    db.flush()
    return Outcome(None, revision, changed=True)


def add_quoted_flag(
    db: Session, user: User, attempt: Attempt, article_ref: str, quote: str, category: str, note: str
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
    new = NewFlag(
        client_id=f"form-{uuid.uuid4().hex}",
        article=article.ref,
        start=spans[0].start,
        end=spans[0].end,
        category=category,
        note=note,
        links=[],
    )
    outcome = create_flag(db, user, attempt, new)
    assert outcome.flag is not None
    return outcome.flag


# --- submitting -------------------------------------------------------------------------------


def submit(db: Session, user: User, attempt: Attempt, ratings: Sequence[GivenRating] = ()) -> Score:
    """Make the attempt final (late if past a deadline that takes late work), store the trainee's
    source ratings and score it; the caller commits it all at once."""
    ensure_editable(db, user, attempt)
    _bump_revision(db, attempt)
    attempt.ratings.extend(
        SourceRating(
            article_ref=rating.article,
            reliability=rating.reliability,
            credibility=rating.credibility,
            reason=rating.reason,
        )
        for rating in ratings
    )
    attempt.submitted_at = now()
    attempt.late = deadline_for(db, user.id, attempt.cohort_id, attempt.exercise_id).passed(attempt.submitted_at)
    db.flush()
    return score_attempt(db, attempt)


def flags_per_category(exercise: Exercise, flags: list[Flag]) -> list[tuple[dict[str, Any], int]]:
    """Each category of the exercise with the number of flags in it, in the exercise's order."""
    return [(category, sum(1 for flag in flags if flag.category == category["id"])) for category in exercise.categories]
