"""Discernment: does a trainee find problems, or flag everything?

A grade that counts hits rewards flagging more. Discernment is the signal-detection sensitivity
d′ of one submission, taken from a scored `Report`, so it needs no rescoring and reads the same
from a stored report as from a fresh one.

Signal and noise
----------------
Problems (signal) are the key's real items; a *hit* is an item a flag matched, whatever its
category or boundaries (found, partial, wrong category, lone figure), a *miss* an item no flag
matched. Sound passages (noise) are the key's decoys: spans that look suspicious but are sound.
A *false alarm* is a decoy one or more flags hit (counted once however many flags hit it); a
*correct rejection* a decoy left alone. Flags that hit neither an item nor a decoy do not enter
d′: the key does not say the rest of the text is sound, only that the decoys are.

The measure
-----------
With hit rate H = hits / problems and false-alarm rate F = false alarms / sound passages,
d′ = z(H) − z(F), z the inverse of the standard normal distribution function. A rate of 0 or 1
has no finite z, and with the few items of one exercise such rates are common (every problem
found, no decoy flagged). So both rates get the log-linear correction (Hautus 1995) before z,
for every submission alike so that scores compare: H = (hits + 0.5) / (problems + 1) and
F = (false alarms + 0.5) / (sound passages + 1). The correction pulls d′ towards 0: with 12
problems and 4 decoys, finding all and flagging none gives d′ = z(12.5/13) − z(0.5/5) ≈ 3.05,
not infinity. The criterion c = −(z(H) + z(F)) / 2 says which way a trainee leans: below 0 they
flag liberally, above 0 sparingly.

Reading d′: about 0 is no better than flagging at random (sound passages are flagged as often
as problems); 1 is some discernment; 2 or more is clear discernment.

Degenerate cases
----------------
- A key without decoys (no sound passage to flag) or without real items: not measurable; d′ and
  c are None and ``reason`` says why. The rates that exist are still given.
- Every problem found, or no sound passage flagged, or both: measurable, thanks to the correction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

from scoring.report import MATCHED_STATUSES, ItemResult, ItemStatus

_STANDARD_NORMAL = NormalDist()

CLEAR = 2.0
"""d′ from which discernment is clear."""
SOME = 1.0
"""d′ from which there is some discernment."""
CHANCE = 0.5
"""d′ below which flagging is hardly better than at random."""


@dataclass(frozen=True, slots=True)
class Discernment:
    """How well one submission separates problems from sound passages."""

    problems: int
    """Real key items."""
    hits: int
    """Real items a flag matched."""
    sound_passages: int
    """Decoys of the key."""
    false_alarms: int
    """Decoys one or more flags hit."""
    hit_rate: float | None
    """hits / problems, uncorrected; None without problems."""
    false_alarm_rate: float | None
    """false alarms / sound passages, uncorrected; None without sound passages."""
    d_prime: float | None
    """z(H) − z(F) with log-linear corrected rates; None when not measurable."""
    criterion: float | None
    """−(z(H) + z(F)) / 2: below 0 flags liberally, above 0 sparingly; None when not measurable."""
    reason: str
    """Why d′ is not measurable; empty when it is."""

    @property
    def measurable(self) -> bool:
        """Whether the key has both problems and sound passages, so d′ exists."""
        return self.d_prime is not None


def corrected_rate(count: int, total: int) -> float:
    """The log-linear corrected rate (count + 0.5) / (total + 1), never 0 or 1."""
    return (count + 0.5) / (total + 1)


def d_prime(hits: int, problems: int, false_alarms: int, sound_passages: int) -> tuple[float, float]:
    """Return (d′, c) from counts, with log-linear corrected rates; raise ValueError on impossible counts."""
    for name, count, total in (("hits", hits, problems), ("false alarms", false_alarms, sound_passages)):
        if total < 1 or not 0 <= count <= total:
            raise ValueError(f"{name} {count} out of {total}: need 0 <= {name} <= total and total >= 1")
    z_hit = _STANDARD_NORMAL.inv_cdf(corrected_rate(hits, problems))
    z_false_alarm = _STANDARD_NORMAL.inv_cdf(corrected_rate(false_alarms, sound_passages))
    return z_hit - z_false_alarm, -(z_hit + z_false_alarm) / 2


def measure_discernment(items: Iterable[ItemResult]) -> Discernment:
    """Return the discernment of one scored submission from its item results (`Report.items`)."""
    return measure_from_statuses(item.status for item in items)


def measure_from_statuses(statuses: Iterable[str]) -> Discernment:
    """Return the discernment of one scored submission from its items' statuses: `ItemStatus`
    members or their values, as the rows of `scoring.report_to_dict` hold them."""
    problems = hits = sound_passages = false_alarms = 0
    for status in statuses:
        if status in (ItemStatus.DECOY_FLAGGED, ItemStatus.DECOY_AVOIDED):
            sound_passages += 1
            false_alarms += status == ItemStatus.DECOY_FLAGGED
        else:
            problems += 1
            hits += status in MATCHED_STATUSES
    return measure_from_counts(problems, hits, sound_passages, false_alarms)


def measure_from_counts(problems: int, hits: int, sound_passages: int, false_alarms: int) -> Discernment:
    """Return the discernment from counts of problems found and sound passages flagged."""
    hit_rate = hits / problems if problems else None
    false_alarm_rate = false_alarms / sound_passages if sound_passages else None
    if not problems:
        reason = "The key has no problems to find, only sound passages."
    elif not sound_passages:
        reason = "The key marks no sound passages (decoys), so flagging everything cannot be told apart."
    else:
        sensitivity, criterion = d_prime(hits, problems, false_alarms, sound_passages)
        return Discernment(
            problems, hits, sound_passages, false_alarms, hit_rate, false_alarm_rate, sensitivity, criterion, ""
        )
    return Discernment(problems, hits, sound_passages, false_alarms, hit_rate, false_alarm_rate, None, None, reason)


def describe(discernment: Discernment) -> str:
    """A plain-language reading of a discernment, for the trainee's debrief."""
    if discernment.hit_rate is None or discernment.false_alarm_rate is None:
        return discernment.reason
    found = f"You found {_share(discernment.hit_rate, 'the problems')}"
    if discernment.false_alarm_rate == 0:
        flagged = "and flagged none of the sound passages"
    else:
        flagged = f"but also flagged {_share(discernment.false_alarm_rate, 'the sound passages')}"
    assert discernment.d_prime is not None
    if discernment.d_prime >= CLEAR:
        verdict = "You told problems from sound passages clearly."
    elif discernment.d_prime >= SOME:
        verdict = "You told problems from sound passages fairly well."
    elif discernment.d_prime >= CHANCE:
        verdict = "You told problems from sound passages only a little better than by chance."
    else:
        verdict = "Your flags did not tell problems from sound passages: you flagged both about as often."
    return f"{found} {flagged}. {verdict}"


def _share(rate: float, what: str) -> str:
    """Words for a share: "none of", "a quarter of", "half of", "most of", "all of" ``what``."""
    if rate == 0:
        return f"none of {what}"
    if rate == 1:
        return f"all of {what}"
    for limit, words in ((0.2, "a few of"), (0.4, "about a third of"), (0.6, "about half of"), (0.85, "most of")):
        if rate < limit:
            return f"{words} {what}"
    return f"nearly all of {what}"
