"""Suggestions an instructor dismissed in the key editor, kept with the exercise."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.models import Exercise

SUGGESTION_KEY = re.compile(r"[A-Za-z0-9_.-]{1,80}:\d{1,9}:\d{1,9}:[a-z0-9_-]{1,64}")

MAX_DISMISSED = 5000


def set_dismissed(exercise: Exercise, keys: Sequence[str], dismissed: bool) -> list[str]:
    """Dismiss (or bring back) suggestions by key and return the dismissed keys.

    Raises ValueError naming a key that is not ``article:start:end:category``. The caller commits.
    """
    for key in keys:
        if not isinstance(key, str) or not SUGGESTION_KEY.fullmatch(key):
            raise ValueError(f"{key!r} is not a suggestion key (article:start:end:category)")
    current = set(exercise.dismissed_suggestions)
    current = current | set(keys) if dismissed else current - set(keys)
    if len(current) > MAX_DISMISSED:
        raise ValueError(f"at most {MAX_DISMISSED} suggestions can be dismissed")
    exercise.dismissed_suggestions = tuple(sorted(current))
    return sorted(current)
