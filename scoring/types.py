"""The inputs of the scoring engine: key items, trainee flags and a scoring policy.

Offsets are Python ``str`` indices (code points) into an article's text as stored;
``end`` is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KeyItem:
    """One item of an instructor key: a span the trainee should flag, or a decoy they should not."""

    id: str
    article: str
    start: int
    end: int
    quote: str
    category: str
    points: float = 1.0
    also: tuple[str, ...] = ()
    """Accepted alternative categories, earning partial credit."""
    group: str | None = None
    """Conflict group: every figure stating the same quantity differently."""
    decoy: bool = False
    """A span that looks suspicious but is sound; flagging it costs points."""
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class Flag:
    """A span a trainee flagged, with the category they chose."""

    id: str
    article: str
    start: int
    end: int
    category: str
    note: str = ""
    links: tuple[str, ...] = ()
    """Ids of other flags this one conflicts with (conflicting numbers)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """How flags earn and lose points; an exercise's ``[policy]`` table sets these fields."""

    min_key_overlap: float = 0.5
    """Share of the key span a flag must cover to match it."""
    min_flag_overlap: float = 0.3
    """Share of the flag that must lie inside the key span to match it."""
    alternative_credit: float = 0.5
    """Credit, as a share of the item's points, for an accepted alternative category."""
    other_category_credit: float = 0.25
    """Credit for the right span flagged with a category that is neither the key's nor accepted."""
    false_positive_penalty: float = 0.5
    """Points lost for a flag that matches no key item."""
    decoy_penalty: float = 1.0
    """Points lost for flagging a decoy."""
    link_bonus: float = 0.5
    """Points for each correct link between two figures of one conflict group."""
