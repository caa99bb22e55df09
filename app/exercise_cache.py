"""Exercise texts and prepared keys, kept per process by what makes them immutable.

A save checks the flag against the article's text and the exercise's categories; a submit scores
against a prepared key built from the texts and a key version. Loading the texts and rebuilding
the key on every request was most of a save's and a submit's work. They change only with the
exercise row (its ``updated_at`` moves whenever its categories, policy or package — and so its
texts — change) or with a new key version, so they are cached under (exercise id, updated_at) and
(exercise id, updated_at, key version id): a stale entry is never found, and each worker process
builds its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

import scoring
from app.models import Article, Exercise, KeyVersion
from exercises.types import Category

ENTRIES = 32
"""Exercises (and key versions) kept per process; a class works on a few at a time."""

Value = TypeVar("Value")


class BoundedCache(Generic[Value]):
    """A thread-safe mapping that forgets its least recently used entries beyond ``size``."""

    def __init__(self, size: int = ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Value] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Value]) -> Value:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        # Built outside the lock: two threads may both build on a miss, and either result is right.
        value = build()
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class ArticleText(NamedTuple):
    ref: str
    text: str


@dataclass(frozen=True)
class ExerciseText:
    """What a flag is checked against: the articles' texts (in order) and the categories, as an
    exercise has them."""

    id: int
    articles: tuple[ArticleText, ...]
    categories: tuple[Category, ...]
    asks_confidence: bool = False
    """Whether a flag may carry a confidence (scoring.calibration.CONFIDENCE_SCALE)."""

    @property
    def texts(self) -> dict[str, str]:
        return {article.ref: article.text for article in self.articles}


_texts: BoundedCache[ExerciseText] = BoundedCache()
_keys: BoundedCache[SharedKey] = BoundedCache()


VERSIONS_KEY = "crosscheck.texts_versions"


def note_version(db: Session, exercise_id: int, version: datetime) -> None:
    """Remember for the rest of this request (its session) the exercise's ``updated_at``, read
    with something else; only requests that change no exercise may note it."""
    db.info.setdefault(VERSIONS_KEY, {})[exercise_id] = version


def texts_version(db: Session, exercise_id: int) -> datetime:
    """The exercise's ``updated_at``, which names the version of its texts."""
    noted: dict[int, datetime] = db.info.get(VERSIONS_KEY, {})
    if exercise_id in noted:
        return noted[exercise_id]
    version = db.scalar(select(Exercise.updated_at).where(Exercise.id == exercise_id))
    if version is None:
        raise LookupError(f"no exercise {exercise_id}")
    return version


def exercise_text(db: Session, exercise_id: int) -> ExerciseText:
    """The exercise's texts and categories."""
    version = texts_version(db, exercise_id)

    def build() -> ExerciseText:
        categories, asks_confidence = db.execute(
            select(Exercise.categories, Exercise.asks_confidence).where(Exercise.id == exercise_id)
        ).one()
        rows = db.execute(
            select(Article.ref, Article.text).where(Article.exercise_id == exercise_id).order_by(Article.position)
        ).all()
        return ExerciseText(
            exercise_id, tuple(ArticleText(ref, text) for ref, text in rows), tuple(categories or ()), asks_confidence
        )

    return _texts.get((exercise_id, version), build)


@dataclass(frozen=True)
class SharedKey:
    """A prepared key and the lock its users score under: it keeps memos as it scores."""

    key: scoring.PreparedKey
    lock: threading.Lock


def shared_key(
    db: Session,
    exercise_id: int,
    texts: datetime,
    version_id: int,
    prepare: Callable[[Exercise, KeyVersion], scoring.PreparedKey],
) -> SharedKey:
    """The exercise's key version ``version_id``, prepared (by ``prepare``) once per process."""

    def build() -> SharedKey:
        return SharedKey(
            prepare(db.get_one(Exercise, exercise_id), db.get_one(KeyVersion, version_id)), threading.Lock()
        )

    return _keys.get((exercise_id, texts, version_id), build)
