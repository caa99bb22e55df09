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
