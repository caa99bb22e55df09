"""Authoring exercises in the app: create, edit the key, version, publish, share and import.

Who may do what (the views enforce it through :func:`exercise_for_viewer` and
:func:`exercise_for_editor`):

- An exercise made in the app (or imported from a zip or SemEval files) belongs to its creator
  (``Exercise.created_by_id``). The creator and admins edit it: details, key, publishing.
- Other instructors see it once it is published or closed (a draft stays private: 404), and may
  preview it, export it and set it for cohorts they teach; they may not edit it (403). A
  co-instructor of a cohort it is set for gets no edit right either: one key serves every cohort
  the exercise is set for, so a change would rescore other instructors' trainees.
- An exercise shipped as a package (``created_by_id`` None) is the instance's shared material:
  every instructor may view, preview, export and assign it, and only admins edit it in the app
  (the package file is the place to change it; an in-app edit marks it ``edited_in_app`` so
  ``load-exercises`` does not overwrite it).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import abort
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from app import audit, grading
from app.exercise_import import ImportOutcome, import_package
from app.models import (
    Article,
    Assignment,
    Attempt,
    Cohort,
    Exercise,
    ExerciseState,
    KeyVersion,
    User,
    utcnow,
)
from exercises import semeval
from exercises.keyfile import declared_groups, validate_key, which_occurrence
from exercises.loader import EXERCISE_FILE, PACKAGES_DIR
from exercises.package_zip import export_zip, load_zip
from exercises.problems import PackageError, Problem
from exercises.types import Article as PackageArticle
from exercises.types import Category, ConflictGroup, ExercisePackage
from scoring.anchoring import find_quote, reanchor
from scoring.types import Policy

MAX_ARTICLES = 4
DEFAULT_MINUTES = 30
SEED_PACKAGE = PACKAGES_DIR / "deir-ez-zor-2018"
"""The package whose three categories a new exercise starts from."""


@cache
def default_categories() -> tuple[Category, ...]:
    """The standard three categories, as the seed exercise defines them."""
    table = tomllib.loads((SEED_PACKAGE / EXERCISE_FILE).read_text(encoding="utf-8"))
    return tuple(
        Category(
            id=entry["id"],
            name=entry["name"],
            definition=entry["definition"].strip(),
            example=entry["example"].strip(),
            grouped=bool(entry.get("grouped", False)),
        )
        for entry in table["categories"]
    )


# ---------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------


def can_edit(user: User, exercise: Exercise) -> bool:
    """The creator and admins edit an app-made exercise; only admins edit a package-shipped one."""
    return user.is_admin or (exercise.created_by_id is not None and exercise.created_by_id == user.id)


def can_view(user: User, exercise: Exercise) -> bool:
    """Editors see every state; other instructors see published and closed exercises."""
    return can_edit(user, exercise) or exercise.state != ExerciseState.DRAFT


def exercise_for_viewer(db: Session, user: User, exercise_id: int) -> Exercise:
    """The exercise if ``user`` may see it; 404 otherwise, so a draft's id reveals nothing."""
    exercise = db.get(Exercise, exercise_id)
    if exercise is None or not can_view(user, exercise):
        abort(404, "No such exercise among those you can see.")
    return exercise


def exercise_for_editor(db: Session, user: User, exercise_id: int) -> Exercise:
    """The exercise if ``user`` may edit it; 404 if they cannot see it, 403 if they only see it."""
    exercise = exercise_for_viewer(db, user, exercise_id)
    if not can_edit(user, exercise):
        if exercise.created_by_id is None:
            abort(403, "Exercises shipped as packages are changed by an admin (or in their package files).")
        abort(403, "Only the instructor who made this exercise, or an admin, can change it.")
    return exercise


def visible_exercises(db: Session, user: User) -> list[Exercise]:
    """Every exercise ``user`` may see, newest first."""
    query = (
        select(Exercise)
        .options(selectinload(Exercise.created_by), selectinload(Exercise.articles))
        .order_by(Exercise.created_at.desc(), Exercise.id.desc())
    )
    if not user.is_admin:
        query = query.where((Exercise.state != ExerciseState.DRAFT) | (Exercise.created_by_id == user.id))
    return list(db.scalars(query))


# ---------------------------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleDraft:
    """An article as the instructor entered it."""

    title: str
    text: str
    event_date: datetime.date
    language: str
    provenance: str
    byline: str = ""
    outlet: str = ""


def slugify(title: str, *, limit: int = 60) -> str:
    """A lower-case id from a title: letters and digits joined by dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:limit].strip("-")
    return slug or "exercise"


def unique_slug(db: Session, title: str) -> str:
    """A slug for ``title`` that no exercise has yet."""
    base = slugify(title)
    taken = set(db.scalars(select(Exercise.slug).where(Exercise.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def article_refs(titles: Sequence[str]) -> list[str]:
    """Ids for articles from their titles, unique within the exercise."""
    refs: list[str] = []
    for position, title in enumerate(titles, start=1):
        ref = slugify(title, limit=40) if slugify(title, limit=40) != "exercise" else f"article-{position}"
        candidate, number = ref, 2
        while candidate in refs:
            candidate, number = f"{ref}-{number}", number + 1
        refs.append(candidate)
    return refs


def create_exercise(
    db: Session,
    user: User,
    *,
    title: str,
    briefing: str,
    instructions: str,
    suggested_minutes: int,
    attempts: int,
    categories: Sequence[Category],
    articles: Sequence[ArticleDraft],
    origin_note: str = "created in the app",
) -> Exercise:
    """Store a new draft exercise with its articles and an empty key version 1. The caller commits."""
    if not 1 <= len(articles) <= MAX_ARTICLES:
        raise ValueError(f"an exercise has one to {MAX_ARTICLES} articles")
    refs = article_refs([article.title for article in articles])
    exercise = Exercise(
        slug=unique_slug(db, title),
        title=title,
        briefing=briefing,
        instructions=instructions,
        suggested_minutes=suggested_minutes,
        attempts_allowed=attempts,
        categories=[dataclasses.asdict(category) for category in categories],
        groups={},
        policy=dataclasses.asdict(Policy()),
        state=ExerciseState.DRAFT,
        edited_in_app=True,
        created_by_id=user.id,
    )
    exercise.articles = [
        Article(
            ref=ref,
            position=position,
            title=draft.title,
            byline=draft.byline,
            outlet=draft.outlet,
            event_date=draft.event_date.isoformat(),
            language=draft.language,
            provenance=draft.provenance,
            text=draft.text,
        )
        for position, (ref, draft) in enumerate(zip(refs, articles, strict=True))
    ]
    exercise.key_versions = [KeyVersion(number=1, items=[], origin="editor", note=origin_note, created_by_id=user.id)]
    db.add(exercise)
    db.flush()
    audit.record(db, user, "exercise.created", exercise=exercise, detail={"slug": exercise.slug, "origin": origin_note})
    return exercise


@dataclass(frozen=True)
class ArticleMetadata:
    """What an instructor may change about an article after creating it: everything but the text."""

    title: str
    byline: str
    outlet: str
    event_date: datetime.date
    language: str
    provenance: str


@dataclass(frozen=True)
class CategoryWording:
    """A category's trainee-facing words; its id and grouping stay, since key items rely on them."""

    name: str
    definition: str
    example: str


def update_details(
    exercise: Exercise,
    *,
    title: str,
    briefing: str,
    instructions: str,
    suggested_minutes: int,
    attempts: int,
    articles: Sequence[ArticleMetadata],
    categories: Sequence[CategoryWording] | None = None,
) -> None:
    """Change the exercise's details, its articles' metadata and (on a draft) its categories' words.

    Article texts never change here: key offsets and trainees' flags point into them. Raises
    ValueError when the lists do not match the exercise's articles or categories, or when
    categories are given for an exercise that is no longer a draft. The caller commits.
    """
    if len(articles) != len(exercise.articles):
        raise ValueError(f"expected metadata for {len(exercise.articles)} article(s), got {len(articles)}")
    if categories is not None:
        if exercise.state != ExerciseState.DRAFT:
            raise ValueError("Categories can be reworded only while the exercise is a draft.")
        if len(categories) != len(exercise.categories):
            raise ValueError(f"expected {len(exercise.categories)} categories, got {len(categories)}")
        exercise.categories = [
            {**entry, "name": wording.name, "definition": wording.definition, "example": wording.example}
            for entry, wording in zip(exercise.categories, categories, strict=True)
        ]
    exercise.title = title
    exercise.briefing = briefing
    exercise.instructions = instructions
    exercise.suggested_minutes = suggested_minutes
    exercise.attempts_allowed = attempts
    for article, metadata in zip(exercise.articles, articles, strict=True):
        article.title = metadata.title
        article.byline = metadata.byline
        article.outlet = metadata.outlet
        article.event_date = metadata.event_date.isoformat()
        article.language = metadata.language
        article.provenance = metadata.provenance
    exercise.edited_in_app = True


# ---------------------------------------------------------------------------------------------
# The key
# ---------------------------------------------------------------------------------------------


def categories_of(exercise: Exercise) -> tuple[Category, ...]:
    known = {field.name for field in dataclasses.fields(Category)}
    return tuple(Category(**{k: v for k, v in entry.items() if k in known}) for entry in exercise.categories)


def has_submissions(db: Session, exercise_id: int) -> bool:
    """Whether any trainee has submitted an attempt at the exercise."""
    return bool(
        db.scalar(select(exists().where(Attempt.exercise_id == exercise_id, Attempt.submitted_at.is_not(None))))
    )


def editor_state(db: Session, exercise: Exercise) -> dict[str, Any]:
    """What the key editor page hands to its script: articles, categories, groups and the current key."""
    version = grading.current_key_version(db, exercise.id)
    return {
        "articles": [{"ref": a.ref, "title": a.title, "text": a.text} for a in exercise.articles],
        "categories": list(exercise.categories),
        "groups": dict(exercise.groups),
        "items": [_editor_item(record) for record in version.items],
        "version": version.number,
        "submitted": has_submissions(db, exercise.id),
        "dismissed": dismissed_suggestions(exercise),
    }


def _editor_item(record: dict[str, Any]) -> dict[str, Any]:
    """A stored key item as the editor shows it: its core as text (None for the whole span)."""
    item = grading.key_item_from_record(record)
    if item.core == (item.start, item.end):
        return {**record, "core": None}
    return {**record, "core": item.core_quote, "core_start": item.core[0]}


# The key editor keeps the suggestions an instructor dismissed in the exercise's policy JSON,
# under a name that is not a Policy field: grading reads only Policy's fields from it (see
# grading.exercise_policy) and a package export writes the Policy, so no schema change is needed.
DISMISSED = "dismissed_suggestions"
SUGGESTION_KEY = re.compile(r"[A-Za-z0-9_.-]{1,80}:\d{1,9}:\d{1,9}:[a-z0-9_-]{1,64}")
MAX_DISMISSED = 5000


def dismissed_suggestions(exercise: Exercise) -> list[str]:
    """The keys (``article:start:end:category``) of the suggestions dismissed in the key editor."""
    return list(exercise.policy.get(DISMISSED, []))


def set_dismissed(exercise: Exercise, keys: Sequence[str], dismissed: bool) -> list[str]:
    """Dismiss (or bring back) suggestions by key and return the dismissed keys.

    Raises ValueError naming a key that is not ``article:start:end:category``. The caller commits.
    """
    for key in keys:
        if not isinstance(key, str) or not SUGGESTION_KEY.fullmatch(key):
            raise ValueError(f"{key!r} is not a suggestion key (article:start:end:category)")
    current = set(dismissed_suggestions(exercise))
    current = current | set(keys) if dismissed else current - set(keys)
    if len(current) > MAX_DISMISSED:
        raise ValueError(f"at most {MAX_DISMISSED} suggestions can be dismissed")
    # A new dict, so SQLAlchemy sees the JSON column change.
    exercise.policy = {**exercise.policy, DISMISSED: sorted(current)}
    return sorted(current)


_ITEM_KEYS = ("id", "core", "category", "also", "points", "group", "decoy", "explanation")


def items_from_editor(exercise: Exercise, payload: Sequence[Any]) -> list[dict[str, Any]]:
    """Turn the editor's items (spans with offsets) into key-file items (quote and occurrence).

    The span is re-anchored on the server (offsets stand if they cut the quote, else the quote
    is found again); an item whose span cannot be found keeps its quote so that the validator
    reports it on the item's ``quote`` field.
    """
    texts = {article.ref: article.text for article in exercise.articles}
    items: list[dict[str, Any]] = []
    for raw in payload:
        if not isinstance(raw, Mapping):
            items.append({"id": None, "quote": None})
            continue
        item: dict[str, Any] = {key: raw[key] for key in _ITEM_KEYS if key in raw and raw[key] not in (None, "", [])}
        if item.get("decoy") is False:
            del item["decoy"]
        if isinstance(item.get("points"), str):
            try:
                item["points"] = float(item["points"])
            except ValueError:
                pass
        article, quote = raw.get("article"), raw.get("quote")
        item["article"] = article
        item["quote"] = quote
        text = texts.get(article) if isinstance(article, str) else None
        if text is not None and isinstance(quote, str):
            start, end = raw.get("start"), raw.get("end")
            span = reanchor(
                text,
                start if isinstance(start, int) else None,
                end if isinstance(end, int) else None,
                quote,
                str(raw.get("prefix") or ""),
                str(raw.get("suffix") or ""),
            )
            if span is not None:
                stored = text[span.start : span.end]
                item["quote"] = stored
                occurrence = which_occurrence(text, stored, span.start, span.end)
                if occurrence is not None:
                    item["occurrence"] = occurrence
                core_start = raw.get("core_start")
                if isinstance(item.get("core"), str) and isinstance(core_start, int):
                    core_end = core_start + len(item["core"])
                    inside = which_occurrence(stored, item["core"], core_start - span.start, core_end - span.start)
                    if inside is not None:
                        item["core_occurrence"] = inside
        items.append(item)
    return items


def groups_from_editor(payload: Any) -> tuple[ConflictGroup, ...]:
    """Conflict groups from the editor: ``{id: description}``; bad entries become a problem."""
    if payload is None:
        return ()
    if not isinstance(payload, Mapping):
        raise PackageError((Problem("key", "groups must be an object of id → description", field="groups"),))
    problems, groups = [], []
    for group_id, description in payload.items():
        if not isinstance(description, str) or not description.strip():
            problems.append(
                Problem("key", "a conflict group needs a description", item=f"groups.{group_id}", field="description")
            )
        elif not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(group_id)):
            problems.append(
                Problem(
                    "key",
                    f"{group_id!r} is not an id (lower-case letters, digits, '-' and '_')",
                    item=f"groups.{group_id}",
                )
            )
        else:
            groups.append(ConflictGroup(id=group_id, description=description.strip()))
    if problems:
        raise PackageError(tuple(problems))
    return tuple(groups)


@dataclass(frozen=True)
class KeySaved:
    version: KeyVersion
    new_version: bool
    rescored: int


def save_key(
    db: Session,
    user: User,
    exercise: Exercise,
    items: Sequence[Any],
    groups: Any,
    *,
    note: str = "",
) -> KeySaved:
    """Validate the editor's key exactly as the loader does and store it.

    Before any submission the current version is updated in place; once trainees have
    submitted, a new version is added and every submission rescored (earlier scores stay as
    history). Raises :class:`PackageError` listing every problem. The caller commits.
    """
    current = grading.current_key_version(db, exercise.id)
    # The editor has no place for agreeing figures: they stay as the key had them.
    descriptions = {group.id: group.description for group in groups_from_editor(groups)}
    declared = declared_groups(descriptions, grading.key_items(current))
    raw_items = items_from_editor(exercise, items)
    texts = {article.ref: article.text for article in exercise.articles}
    resolved = validate_key(raw_items, texts, categories_of(exercise), declared, source="key")
    records = [item.to_record() for item in resolved]
    exercise.groups = descriptions
    exercise.edited_in_app = True
    if not has_submissions(db, exercise.id):
        current.items = records
        current.created_by_id = user.id
        current.created_at = utcnow()
        if note:
            current.note = note
        db.flush()
        audit.record(
            db,
            user,
            "exercise.key_saved",
            exercise=exercise,
            detail={"version": current.number, "origin": "editor", "in_place": True},
        )
        return KeySaved(current, False, 0)
    version, rescored = grading.add_key_version(
        db, exercise, records, origin="editor", note=note or "edited in the key editor", user=user
    )
    return KeySaved(version, True, rescored)


def save_ratings(
    db: Session, user: User, exercise: Exercise, ratings: list[dict[str, Any]], note: str = ""
) -> KeySaved:
    """Store the exercise's source ratings (`scoring.RatingKey` records; empty: none asked).

    Before any submission the current key version changes in place; afterwards a new version
    keeps the items and every submission is rescored. The caller commits.
    """
    exercise.edited_in_app = True
    current = grading.current_key_version(db, exercise.id)
    if not has_submissions(db, exercise.id):
        current.ratings = ratings
        if note:
            current.note = note
        db.flush()
        audit.record(
            db, user, "exercise.ratings_saved", exercise=exercise, detail={"version": current.number, "in_place": True}
        )
        return KeySaved(current, False, 0)
    version, rescored = grading.add_key_version(
        db,
        exercise,
        list(current.items),
        ratings=ratings,
        origin="editor",
        note=note or "source ratings changed",
        user=user,
    )
    return KeySaved(version, True, rescored)


def problem_records(error: PackageError) -> list[dict[str, str | None]]:
    """Problems as the editor shows them, next to the item and field they concern."""
    return [{"item": p.item, "field": p.field, "message": p.message, "text": str(p)} for p in error.problems]


# ---------------------------------------------------------------------------------------------
# Publishing and assigning
# ---------------------------------------------------------------------------------------------


def set_publishing(
    db: Session,
    exercise: Exercise,
    state: str,
    available_from: datetime.datetime | None,
    available_until: datetime.datetime | None,
) -> None:
    """Change the state and availability window; ValueError says why a change is refused."""
    if available_from and available_until and available_until <= available_from:
        raise ValueError("The window must end after it starts.")
    if state == ExerciseState.PUBLISHED:
        items = grading.current_key_version(db, exercise.id).items
        if not any(not item["decoy"] for item in items):
            raise ValueError(
                "Add at least one key item (not a decoy) before publishing: trainees are scored against it."
            )
    exercise.state = ExerciseState(state)
    exercise.available_from = available_from
    exercise.available_until = available_until


def assignable_cohorts(db: Session, user: User, exercise: Exercise) -> list[Cohort]:
    """Cohorts ``user`` teaches (all for an admin) that the exercise is not set for yet."""
    query = select(Cohort).order_by(Cohort.name)
    if not user.is_admin:
        query = query.where(Cohort.instructors.any(User.id == user.id))
    assigned = {assignment.cohort_id for assignment in exercise.assignments}
    return [cohort for cohort in db.scalars(query) if cohort.id not in assigned]


def assign(
    db: Session,
    actor: User,
    exercise: Exercise,
    cohort: Cohort,
    deadline: datetime.datetime | None,
    *,
    allow_late: bool = False,
    cohort_view: bool = False,
) -> Assignment:
    """Set a published exercise for a cohort. The caller checked that ``actor`` teaches it."""
    if exercise.state != ExerciseState.PUBLISHED:
        raise ValueError("Publish the exercise before setting it for a cohort.")
    assignment = Assignment(
        cohort_id=cohort.id,
        exercise_id=exercise.id,
        deadline=deadline,
        allow_late=allow_late,
        cohort_view=cohort_view,
    )
    db.add(assignment)
    detail = {
        "deadline": deadline.isoformat() if deadline else None,
        "allow_late": allow_late,
        "cohort_view": cohort_view,
    }
    audit.record(db, actor, "cohort.exercise_assigned", cohort=cohort, exercise=exercise, detail=detail)
    return assignment


# ---------------------------------------------------------------------------------------------
# Sharing
# ---------------------------------------------------------------------------------------------


def package_of(db: Session, exercise: Exercise) -> ExercisePackage:
    """The exercise and its current key as a validated package, ready to write out.

    Raises :class:`PackageError` when something a package needs is missing (an empty key, an
    article without a date).
    """
    problems: list[Problem] = []
    articles = []
    for article in exercise.articles:
        try:
            event_date = datetime.date.fromisoformat(article.event_date)
        except ValueError:
            problems.append(
                Problem(
                    f"articles/{article.ref}.toml",
                    "the article has no event date",
                    item=article.ref,
                    field="event_date",
                )
            )
            continue
        articles.append(
            PackageArticle(
                id=article.ref,
                title=article.title,
                byline=article.byline or None,
                outlet=article.outlet or None,
                event_date=event_date,
                published=datetime.date.fromisoformat(article.published) if article.published else None,
                language=article.language,
                provenance=article.provenance,
                tracing=article.tracing,
                text=article.text,
            )
        )
    version = grading.current_key_version(db, exercise.id)
    key = grading.key_items(version)
    if not key:
        problems.append(Problem("key.toml", "the key is empty: add items before exporting", field="items"))
    if problems:
        raise PackageError(tuple(problems))
    return ExercisePackage(
        slug=exercise.slug,
        title=exercise.title,
        briefing=exercise.briefing,
        instructions=exercise.instructions,
        suggested_minutes=exercise.suggested_minutes or DEFAULT_MINUTES,
        attempts=exercise.attempts_allowed,
        articles=tuple(articles),
        categories=categories_of(exercise),
        groups=declared_groups(exercise.groups, key),
        policy=grading.exercise_policy(exercise),
        key=key,
        rating_key=grading.rating_key(version),
        content_hash=exercise.package_hash or "",
    )


def export_exercise(db: Session, exercise: Exercise, actor: User | None) -> bytes:
    """The exercise as a package zip; ``actor`` (None: a command) is recorded as having taken it."""
    data = export_zip(package_of(db, exercise))
    audit.record(db, actor, "exercise.exported", exercise=exercise, detail={"slug": exercise.slug})
    return data


def import_zip(db: Session, data: bytes, user: User | None = None) -> ImportOutcome:
    """Create or update an exercise from a package zip, as ``load-exercises`` does for a folder.

    An exercise the zip creates through the app (``user`` given) starts as the user's draft;
    from the command line it is published like a shipped package. An existing exercise of the
    same slug is updated only if ``user`` may edit it. Raises :class:`PackageError`. The caller
    commits.
    """
    package = load_zip(data)
    existing = db.scalar(select(Exercise).where(Exercise.slug == package.slug))
    if existing is not None and user is not None and not can_edit(user, existing):
        raise PackageError(
            (
                Problem(
                    EXERCISE_FILE,
                    f"an exercise with slug {package.slug!r} exists and is not yours to change",
                    field="slug",
                ),
            )
        )
    outcome = import_package(db, package, actor=user)
    if outcome.action == "created" and user is not None:
        db.flush()
        created = db.scalar(select(Exercise).where(Exercise.slug == package.slug))
        assert created is not None
        created.state = ExerciseState.DRAFT
        created.created_by_id = user.id
        created.edited_in_app = True
        created.key_versions[0].created_by_id = user.id
        created.key_versions[0].note = "imported from a package zip"
    return outcome


def create_semeval_draft(
    db: Session,
    user: User,
    *,
    title: str,
    event_date: datetime.date,
    language: str,
    files: Mapping[str, str],
    labels_text: str,
) -> tuple[Exercise, list[semeval.Label]]:
    """A draft exercise from SemEval article files (``article<ID>.txt`` → text) and their labels.

    Raises ValueError (or :class:`exercises.semeval.LabelsError`) with what is wrong.
    """
    texts: dict[str, str] = {}
    for filename, text in files.items():
        ref = semeval.article_id(filename)
        if ref is None:
            raise ValueError(f"{filename}: SemEval articles are named article<ID>.txt")
        texts[ref] = text
    if not 1 <= len(texts) <= MAX_ARTICLES:
        raise ValueError(f"Choose one to {MAX_ARTICLES} article files (an exercise has at most {MAX_ARTICLES}).")
    labels = semeval.parse_labels(labels_text, texts)
    exercise = create_exercise(
        db,
        user,
        title=title,
        briefing="Articles from the SemEval-2020 Task 11 propaganda corpus.",
        instructions="Flag what a careful analyst would check before passing the text on.",
        suggested_minutes=DEFAULT_MINUTES,
        attempts=1,
        categories=default_categories(),
        articles=[
            ArticleDraft(
                title=ref.replace("article", "Article "),
                text=text,
                event_date=event_date,
                language=language,
                provenance=f"SemEval-2020 Task 11 corpus, {ref}.txt",
            )
            for ref, text in texts.items()
        ],
        origin_note="imported from SemEval-2020 Task 11 files",
    )
    # The article ids stay the corpus's, so the labels file keeps pointing at them.
    for article, ref in zip(exercise.articles, texts, strict=True):
        article.ref = ref
    return exercise, labels


def apply_semeval_mapping(
    db: Session, user: User, exercise: Exercise, labels: Sequence[semeval.Label], mapping: Mapping[str, str | None]
) -> KeySaved:
    """Turn the labels into the exercise's key through the instructor's technique → category mapping."""
    texts = {article.ref: article.text for article in exercise.articles}
    raw = semeval.key_items(labels, texts, mapping)
    items = []
    for item in raw:
        span = find_quote(texts[item["article"]], item["quote"], item.get("occurrence") or 1)
        items.append({**item, "start": span.start, "end": span.end})
    return save_key(db, user, exercise, items, {}, note="mapped from SemEval-2020 Task 11 labels")
