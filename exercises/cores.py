"""The core of a key item that names none: the rule that derives it from the item's quote.

A key item's *core* is the words a flag must cover (see `scoring.types.KeyItem.core`). Authors set
it with ``core = "..."``; an item without one gets it by this rule, and the validator warns:

- a figure (an item of a grouped category, or one in a conflict group): from the first number in
  the quote to the last, each with the word that follows it as its unit unless that word is a
  function word ("200 to 300 of the attacking fighters" → "200 to 300"; "about 550 men" → "550
  men"; "nearly four-hour assault" → "four-hour assault");
- anything else, or a figure with no number in it: the whole quote.
"""

from __future__ import annotations

import re

from scoring.matching import FUNCTION_WORDS

_NUMBER = (
    r"(?:\d[\d,.]*\d|\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|dozens?|hundreds?|thousands?|millions?|tens)(?:-\w+)?"
)
_FUNCTION_WORDS = "|".join(sorted(FUNCTION_WORDS))
FIGURE = re.compile(
    rf"\b{_NUMBER}\b(?:[ \u00a0]+(?!(?:{_FUNCTION_WORDS})\b)[A-Za-z\u2018\u2019'-]*[A-Za-z])?",
    re.IGNORECASE,
)
"""A number (digits or a number word, "four-hour" too) with the word after it as its unit."""


def derived_core(quote: str, *, figure: bool) -> tuple[int, int]:
    """Return the (start, end) of the core the rule derives, as offsets into ``quote``."""
    if figure:
        found = list(FIGURE.finditer(quote))
        if found:
            return found[0].start(), found[-1].end()
    return 0, len(quote)
