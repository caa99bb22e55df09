"""The words of the Admiralty (NATO) scale, as the rating form, the debrief and the dashboard print them."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.types import CREDIBILITY, RELIABILITY

RELIABILITY_WORDS = dict(
    zip(
        RELIABILITY,
        (
            "completely reliable",
            "usually reliable",
            "fairly reliable",
            "not usually reliable",
            "unreliable",
            "reliability cannot be judged",
        ),
        strict=True,
    )
)
"""Source reliability, A to F."""

CREDIBILITY_WORDS = dict(
    zip(
        CREDIBILITY,
        ("confirmed", "probably true", "possibly true", "doubtful", "improbable", "truth cannot be judged"),
        strict=True,
    )
)
"""Information credibility, 1 to 6."""


def rating_words(reliability: str, credibility: str) -> str:
    """A rating as the debrief reads it: "C2 (fairly reliable; probably true)"."""
    return f"{reliability}{credibility} ({RELIABILITY_WORDS[reliability]}; {CREDIBILITY_WORDS[credibility]})"


def either(grades: Sequence[str]) -> str:
    """Accepted grades as a phrase: "B, C or F"."""
    if len(grades) < 2:
        return "".join(grades)
    return f"{', '.join(grades[:-1])} or {grades[-1]}"
