"""Calibration: are a trainee's stated confidences borne out?

Where an exercise asks for it, a trainee gives each flag a confidence on a short estimative scale
(`CONFIDENCE_SCALE`, the one definition of the words and their probabilities). A flag is *right*
when it matched a key item (`FlagOutcome.MATCHED`); a decoy hit, a duplicate, a near miss or a
flag the key does not know is wrong. Flags without a confidence are counted apart and left out.

The Brier score is the mean of (p − right)² over the rated flags, right being 1 or 0: 0 is
perfect, 0.25 is what always saying "roughly even" earns, 1 is certain and always wrong. The
reliability table says, for each word of the scale, how many flags were given it and how many of
them were right, to set beside the word's probability. A cohort's calibration pools the
submissions' tables (`pool`): every flag of one word has the same p, so the table determines the
Brier score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scoring.report import FlagOutcome, FlagResult


@dataclass(frozen=True, slots=True)
class ConfidenceLevel:
    """One word of the estimative scale and the probability it stands for."""

    id: str
    label: str
    probability: float


CONFIDENCE_SCALE = (
    ConfidenceLevel("almost_certain", "Almost certain", 0.95),
    ConfidenceLevel("likely", "Likely", 0.75),
    ConfidenceLevel("roughly_even", "Roughly even", 0.5),
    ConfidenceLevel("unlikely", "Unlikely", 0.25),
)
"""The confidences a trainee can give a flag, surest first."""

CONFIDENCE_LEVELS = {level.id: level for level in CONFIDENCE_SCALE}


@dataclass(frozen=True, slots=True)
class ReliabilityRow:
    """The flags given one confidence and how many of them were right."""

    level: str
    """The confidence's id (see `CONFIDENCE_SCALE`)."""
    label: str
    probability: float
    flags: int
    right: int

    @property
    def right_share(self) -> float | None:
        """right / flags; None when no flag was given this confidence."""
        return self.right / self.flags if self.flags else None


@dataclass(frozen=True, slots=True)
class Calibration:
    """How well one submission's (or a cohort's) confidences matched what its flags turned out to be."""

    rated: int
    """Flags given a confidence."""
    unrated: int
    """Flags without one, left out."""
    brier: float | None
    """Mean squared gap between confidence and outcome, 0 (perfect) to 1; None without rated flags."""
    rows: tuple[ReliabilityRow, ...]
    """One per word of the scale, in the scale's order, also for words nobody used."""


def measure_calibration(
    outcomes: Iterable[tuple[str, FlagOutcome]], confidences: Mapping[str, str | None]
) -> Calibration:
    """Return the calibration of one submission from each flag's (id, outcome) and confidence id.

    The outcomes are the report's (`outcomes_of`). Raise ValueError for a confidence id that is
    not on the scale.
    """
    counts = {level.id: [0, 0] for level in CONFIDENCE_SCALE}
    unrated = 0
    for flag_id, outcome in outcomes:
        level = confidences.get(flag_id)
        if level is None:
            unrated += 1
            continue
        if level not in counts:
            raise ValueError(f"flag {flag_id!r}: confidence {level!r} is not one of {sorted(counts)}")
        counts[level][0] += 1
        counts[level][1] += outcome is FlagOutcome.MATCHED
    rows = tuple(
        ReliabilityRow(level.id, level.label, level.probability, *counts[level.id]) for level in CONFIDENCE_SCALE
    )
    return _calibration(rows, unrated)


def outcomes_of(flags: Iterable[FlagResult]) -> list[tuple[str, FlagOutcome]]:
    """Each flag result's (id, outcome), as `measure_calibration` takes them."""
    return [(flag.id, flag.outcome) for flag in flags]


def pool(calibrations: Iterable[Calibration]) -> Calibration:
    """Return the calibration of all the given submissions' flags together."""
    counts = {level.id: [0, 0] for level in CONFIDENCE_SCALE}
    unrated = 0
    for calibration in calibrations:
        unrated += calibration.unrated
        for row in calibration.rows:
            counts[row.level][0] += row.flags
            counts[row.level][1] += row.right
    rows = tuple(
        ReliabilityRow(level.id, level.label, level.probability, *counts[level.id]) for level in CONFIDENCE_SCALE
    )
    return _calibration(rows, unrated)


def _calibration(rows: tuple[ReliabilityRow, ...], unrated: int) -> Calibration:
    rated = sum(row.flags for row in rows)
    if not rated:
        return Calibration(0, unrated, None, rows)
    squared_errors = sum(
        row.right * (1 - row.probability) ** 2 + (row.flags - row.right) * row.probability**2 for row in rows
    )
    return Calibration(rated, unrated, squared_errors / rated, rows)
