"""Creating an exercise in the app and changing its details, articles' metadata and categories' words."""

from __future__ import annotations

import dataclasses
import datetime
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.models import Article, Exercise, ExerciseState, KeyVersion, User
from exercises.loader import EXERCISE_FILE, PACKAGES_DIR
from exercises.types import Category
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
        categories=tuple(categories),
        groups={},
        policy=Policy(),
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
    exercise.key_versions = [KeyVersion(number=1, items=(), origin="editor", note=origin_note, created_by_id=user.id)]
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
    asks_confidence: bool | None = None,
) -> None:
    """Change the exercise's details (whether it asks for confidence, unless None), its articles' metadata and (on a draft) its categories' words.

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
        exercise.categories = tuple(
            dataclasses.replace(category, name=wording.name, definition=wording.definition, example=wording.example)
            for category, wording in zip(exercise.categories, categories, strict=True)
        )
    exercise.title = title
    exercise.briefing = briefing
    exercise.instructions = instructions
    exercise.suggested_minutes = suggested_minutes
    exercise.attempts_allowed = attempts
    if asks_confidence is not None:
        exercise.asks_confidence = asks_confidence
    for article, metadata in zip(exercise.articles, articles, strict=True):
        article.title = metadata.title
        article.byline = metadata.byline
        article.outlet = metadata.outlet
        article.event_date = metadata.event_date.isoformat()
        article.language = metadata.language
        article.provenance = metadata.provenance
    exercise.edited_in_app = True
