"""What a loaded exercise package is made of: articles, categories, conflict groups and the key."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exercises.problems import Problem
from scoring.engine import PreparedKey
from scoring.types import Flag, KeyItem, Policy, RatingKey, SourceRating


@dataclass(frozen=True, slots=True)
class Article:
    """One article as stored, with what is known of its origin."""

    id: str
    title: str
    """A neutral descriptive title (the texts themselves may have no headline)."""
    byline: str | None
    """The byline as the text shows it; None when the text is unsigned."""
    outlet: str | None
    """The outlet as far as the text shows it; None when nothing at all is known."""
    event_date: datetime.date
    """The date of the event the text reports (not when it was published)."""
    language: str
    provenance: str
    """What the text itself tells about where it comes from."""
    text: str
    """The text exactly as stored; key offsets index into it."""
    published: datetime.date | None = None
    """When the text was published; None when it does not say."""
    tracing: str = ""
    """How a professional would trace the text to its origin (lateral reading), for the debrief."""


@dataclass(frozen=True, slots=True)
class Category:
    """A kind of problem trainees flag, as defined by one exercise."""

    id: str
    name: str
    """Trainee-facing name."""
    definition: str
    example: str
    """An example of the category that is not taken from the key."""
    grouped: bool = False
    """Items of this category belong to conflict groups (figures that disagree)."""

    def to_record(self) -> dict[str, Any]:
        """Return the category's JSON form, as the app stores it with an exercise."""
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Category:
        """Rebuild a category from its JSON form, passing over keys it does not have."""
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in record.items() if name in known})


@dataclass(frozen=True, slots=True)
class ConflictGroup:
    """Every figure that states one quantity, across the exercise's articles."""

    id: str
    description: str
    agree: tuple[tuple[str, str, str], ...] = ()
    """Pairs of its figures that can both be true: (item id, item id, why they agree)."""


@dataclass(frozen=True, slots=True)
class CalibrationSet:
    """Answers to the exercise by someone who had not seen the key, to read grades against."""

    name: str
    flags: tuple[Flag, ...]
    ratings: tuple[SourceRating, ...]
    source: str
    """The answers file as written (JSON), kept so the set can be exported unchanged."""


@dataclass(frozen=True, slots=True)
class ExercisePackage:
    """A validated exercise: what trainees read and the key their flags are scored against."""

    slug: str
    title: str
    briefing: str
    instructions: str
    suggested_minutes: int
    attempts: int
    articles: tuple[Article, ...]
    """In reading order."""
    categories: tuple[Category, ...]
    groups: tuple[ConflictGroup, ...]
    policy: Policy
    key: tuple[KeyItem, ...]
    """Every key item, decoys included (``decoy=True``)."""
    rating_key: tuple[RatingKey, ...]
    """The instructor's source ratings, one per rated article (none: trainees rate nothing)."""
    content_hash: str
    """SHA-256 (hex) over the package's files and the article files it uses."""
    calibration: tuple[CalibrationSet, ...] = ()
    """Blind answer sets the package carries (``calibration/<name>.json``)."""
    warnings: tuple[Problem, ...] = ()
    """What loads but deserves the author's look, e.g. key items whose core was derived."""

    def prepared_key(self) -> PreparedKey:
        """The package's key, ready to score submissions: its categories, policy and texts."""
        return PreparedKey(
            self.key,
            self.policy,
            categories=[category.id for category in self.categories],
            texts={article.id: article.text for article in self.articles},
            rating_key=self.rating_key,
        )

    def article(self, article_id: str) -> Article:
        """Return the article with this id; KeyError if the package has none."""
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)
