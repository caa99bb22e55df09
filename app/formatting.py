"""How scores and dates read on the pages: one rule for each, registered as template filters."""

from __future__ import annotations

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask

NOT_STATED = "not stated"
_EXACT_HALVES = 2.0**52
"""Below this magnitude a float's whole part and its whole part plus a half are floats too."""


def whole_score(value: float) -> int:
    """A score rounded half up to a whole number (62.5 → 63), the one rule for every score shown.

    Python's ``round`` and ``%.0f`` round half to even (62.5 → 62), so two pages could disagree.
    The rule is the decimal one, rounding the number as written (its ``repr``) half away from zero.
    """
    number = float(value)
    magnitude = abs(number)
    if not magnitude < _EXACT_HALVES:  # also NaN and infinities, which the decimal rule refuses
        return int(Decimal(repr(number)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # The same result as the decimal rule, without a Decimal (a table of 500 trainees rounds 1,500
    # figures): whole + 0.5 is a float, so the shortest decimal that reads back as the number lies
    # on the same side of it as the number itself.
    whole = math.floor(magnitude)
    rounded = whole + 1 if magnitude - whole >= 0.5 else whole
    return rounded if number >= 0 else -rounded


def points(value: float) -> str:
    """Points to two decimals, rounded half up like `whole_score` (1.925 → "1.93")."""
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def whole_percent(share: float) -> int:
    """A share between 0 and 1 as a whole percentage, rounded half up (0.625 → 63)."""
    return whole_score(float(Decimal(repr(float(share))) * 100))


def percent(share: float | None) -> str:
    """A share between 0 and 1 as "63%" (its hundredfold rounded like a score), or "–" without one."""
    return "–" if share is None else f"{whole_score(share * 100)}%"


def duration(seconds: float | None) -> str:
    """Time on task as "45 s", "12 min" or "1 h 05 min", or "–" without one."""
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{round(seconds)} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{int(seconds // 3600)} h {round((seconds % 3600) / 60) % 60:02d} min"


def long_date(value: str | datetime.date | None) -> str:
    """A date as "7 Feb 2018"; an ISO date string is read first, and an empty one is not stated."""
    if not value:
        return NOT_STATED
    moment = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.day} {moment:%b %Y}"


def init_app(app: Flask) -> None:
    app.add_template_filter(whole_score, "whole_score")
    app.add_template_filter(points, "points")
    app.add_template_filter(whole_percent, "whole_percent")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(long_date, "long_date")
