"""How many of a key's items the suggestion helper finds: for the benchmark and its test."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from exercises.suggest import Suggestion, suggest
from exercises.types import ExercisePackage
from scoring.matching import overlap
from scoring.types import KeyItem


@dataclass(frozen=True, slots=True)
class CategoryRecall:
    """Recall for the key items of one category (decoys left out)."""

    category: str
    total: int
    found: int
    found_with_category: int

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True)
class RecallResult:
    key_items: int
    decoys: int
    suggestions: int
    categories: tuple[CategoryRecall, ...]
    per_category: tuple[tuple[str, int], ...]
    decoys_touched: int
    missed: tuple[str, ...]

    def category(self, category_id: str) -> CategoryRecall:
        return next(row for row in self.categories if row.category == category_id)


def finds(suggestion: Suggestion, item: KeyItem) -> bool:
    """Whether a suggestion's span points at the key item: it shares a character with its core."""
    return suggestion.article == item.article and overlap(*item.core, suggestion.start, suggestion.end) > 0


def measure(package: ExercisePackage) -> RecallResult:
    """Run the suggestion helper on the package's articles and compare with its key."""
    suggestions = suggest({article.id: article.text for article in package.articles})
    scored = [item for item in package.key if not item.decoy]
    decoys = [item for item in package.key if item.decoy]
    rows = []
    missed: list[str] = []
    for category in package.categories:
        items = [item for item in scored if item.category == category.id]
        found = [item for item in items if any(finds(s, item) for s in suggestions)]
        right = [
            item
            for item in items
            if any(finds(s, item) and (s.category == item.category or s.category in item.also) for s in suggestions)
        ]
        missed.extend(item.id for item in items if item not in found)
        rows.append(CategoryRecall(category.id, len(items), len(found), len(right)))
    touched = sum(any(finds(s, item) for s in suggestions) for item in decoys)
    return RecallResult(
        key_items=len(scored),
        decoys=len(decoys),
        suggestions=len(suggestions),
        categories=tuple(rows),
        per_category=tuple(sorted(Counter(s.category for s in suggestions).items())),
        decoys_touched=touched,
        missed=tuple(missed),
    )
