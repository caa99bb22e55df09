"""The inputs of the scoring engine: key items, trainee flags and a scoring policy.

Offsets are Python ``str`` indices (code points) into an article's text as stored;
``end`` is exclusive.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Agreement:
    """Another figure of the same conflict group that can be true together with this one."""

    item: str
    """The other item's id."""
    reason: str
    """Why the two figures agree, for the debrief (e.g. "100 killed and 200 injured are 300 killed
    or wounded")."""


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
    core_start: int | None = None
    """Start of the item's core: the words that carry the problem, which a flag must cover.

    The core lies inside the item's span (``start``–``end``, its *extent*: the widest selection
    that still counts fully). None, with ``core_end`` None: the core is the whole extent.
    """
    core_end: int | None = None
    agrees_with: tuple[Agreement, ...] = ()
    """Figures of the item's conflict group that agree with it, so linking them shows no conflict."""

    @property
    def core(self) -> tuple[int, int]:
        """The core's (start, end): the words a flag must cover to earn the item in full."""
        if self.core_start is None or self.core_end is None:
            return self.start, self.end
        return self.core_start, self.core_end

    @property
    def core_quote(self) -> str:
        """The words of the core, as the text has them."""
        # Read on every link judged: the fields directly rather than through `core`.
        core_start, core_end = self.core_start, self.core_end
        if core_start is None or core_end is None:
            return self.quote[: self.end - self.start]
        return self.quote[core_start - self.start : core_end - self.start]

    def to_record(self) -> dict[str, Any]:
        """Return the item's JSON form, as ``crosscheck key --json`` prints it and the app stores it."""
        return {
            "id": self.id,
            "article": self.article,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "core_start": self.core_start,
            "core_end": self.core_end,
            "category": self.category,
            "also": list(self.also),
            "points": self.points,
            "group": self.group,
            "agrees_with": [{"item": a.item, "reason": a.reason} for a in self.agrees_with],
            "decoy": self.decoy,
            "explanation": self.explanation,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> KeyItem:
        """Rebuild an item from its JSON form; records stored before cores existed have none."""
        return cls(
            **{
                **record,
                "also": tuple(record.get("also") or ()),
                "agrees_with": tuple(Agreement(**a) for a in record.get("agrees_with") or ()),
            }
        )


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


RELIABILITY = ("A", "B", "C", "D", "E", "F")
"""Admiralty (NATO) source reliability: A completely reliable … E unreliable, F cannot be judged."""
CREDIBILITY = ("1", "2", "3", "4", "5", "6")
"""Admiralty information credibility: 1 confirmed … 5 improbable, 6 cannot be judged."""


@dataclass(frozen=True, slots=True)
class RatingKey:
    """The instructor's Admiralty rating of one article's source, with the range accepted."""

    article: str
    reliability: str
    credibility: str
    accept_reliability: tuple[str, ...]
    """Reliability grades that earn the reliability half (the instructor's own among them)."""
    accept_credibility: tuple[str, ...]
    reasoning: str
    """Why, for the debrief."""

    def to_record(self) -> dict[str, Any]:
        """Return the rating's JSON form, as the app stores it with a key version."""
        return {
            "article": self.article,
            "reliability": self.reliability,
            "credibility": self.credibility,
            "accept_reliability": list(self.accept_reliability),
            "accept_credibility": list(self.accept_credibility),
            "reasoning": self.reasoning,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RatingKey:
        """Rebuild a rating from its JSON form."""
        return cls(
            **{
                **record,
                "accept_reliability": tuple(record["accept_reliability"]),
                "accept_credibility": tuple(record["accept_credibility"]),
            }
        )


@dataclass(frozen=True, slots=True)
class SourceRating:
    """A trainee's Admiralty rating of one article: how reliable its source, how credible its
    information, and why in a line."""

    article: str
    reliability: str
    credibility: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    """How flags earn and lose points; an exercise's ``[policy]`` table sets these fields."""

    min_boundary_factor: float = 0.2
    """Lowest boundary factor (see `scoring.matching.boundary_factor`) at which a flag that covers
    part of an item's core still matches it: a flag that runs far past the item matches nothing."""
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
    lone_figure_credit: float = 0.5
    """Share of its credit a figure earns when none of the figures it conflicts with was matched."""
    rating_points: float = 1.0
    """Points for each article the key rates (see `RatingKey`): half for a source reliability within
    the accepted range, half for an information credibility within it."""
    instructor_points_per_flag: float = 2.0
    """Most points an instructor may add or take away by hand on one flag, beside the automatic
    score (the engine never reads it: the app keeps such points apart and adds them at the end)."""
    instructor_points_per_attempt: float = 10.0
    """Most points an instructor may add or take away by hand on one submission in all."""

    def __post_init__(self) -> None:
        for name in ("instructor_points_per_flag", "instructor_points_per_attempt"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)!r}")

    def to_record(self) -> dict[str, Any]:
        """Return the policy's JSON form, as the app stores it and a package's ``[policy]`` table holds it."""
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Policy:
        """Build a policy from its JSON form, passing over keys it no longer has."""
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in record.items() if name in known})
