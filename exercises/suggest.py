"""Propose candidate key items for a set of articles: figures, hedges, vague sources, loaded words.

Rule-based and standard library only: regular expressions over the articles' folded text (see
:func:`scoring.anchoring.fold`, which keeps offsets) and the word lists in ``exercises/wordlists``.
Each suggestion is a span of one article's stored text with the category it would take in the
default three-category exercise, a reason in words, and for figures the conflict group it is
proposed for. The instructor accepts or dismisses each; nothing here is a verdict.

What is proposed:

- **figures**: a number (digits, number words, "a dozen", ranges such as "200 to 300" or "from
  less than a dozen to well over 100") with its hedge ("about", "nearly"), what it counts (the
  noun after it, or the nearest quantity word before it) and, when its clause says so, whether
  the counted were killed or wounded. Dates and relative dates ("four months ago") count as
  figures of *when*.
- **conflict groups**: figures of one kind of quantity (casualties, force, a duration in hours
  ...) whose values differ, in one article or across them.
- **hedges** ("reportedly", "is said to", "unconfirmed" ...), **vague sources** ("local media
  has been reporting"), **claims of proof** ("had revealed") and **absolute claims** ("there
  are none") as unverified claims.
- **loaded words** from the word list, **scare quotes** and all-capital **cross-heads** as loaded
  framing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from scoring.anchoring import fold

WORDLISTS = Path(__file__).resolve().parent / "wordlists"


@dataclass(frozen=True, slots=True)
class CategoryIds:
    """Which category each kind of suggestion takes; the defaults are the standard three."""

    unverified: str = "unverified"
    conflicting_number: str = "conflicting_number"
    loaded_framing: str = "loaded_framing"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A candidate key item: a span of one article, its category and why it was proposed."""

    article: str
    start: int
    end: int
    quote: str
    """The stored text of the span."""
    category: str
    reason: str
    group: str | None = None
    """The proposed conflict group (figures only)."""
    cue: str = ""
    """What found it: figure, hedge, source, evidence, absolute, loaded, scare-quotes, cross-head."""

    def record(self) -> dict[str, object]:
        """The JSON form printed by ``crosscheck suggest --json``."""
        return {
            "article": self.article,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "category": self.category,
            "reason": self.reason,
            "group": self.group,
        }


@dataclass(frozen=True, slots=True)
class Figure:
    """A number in an article, with what it counts."""

    article: str
    start: int
    end: int
    value: str
    """The number normalised: ``"500"``, ``"200-300"``, ``"4 months ago"``, ``"02-07"``."""
    counted: str | None
    """The noun it counts ("forces"), or None when the text does not say."""
    kind: str | None
    """The kind of quantity (casualties, force, duration-hour, when ...) or None."""


# ---------------------------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------------------------


def _lines(name: str) -> list[str]:
    """The non-blank, non-comment lines of a word list."""
    text = (WORDLISTS / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternation; a trailing ``*`` matches any word ending."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        stem = phrase.rstrip("*")
        body = r"\s+".join(re.escape(word) for word in stem.split())
        body = body.replace(r"\*", r"\w*")
        parts.append(body + (r"[\w-]*" if phrase.endswith("*") else ""))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


@cache
def _hedges() -> re.Pattern[str]:
    return _phrase_pattern(_lines("hedges.txt"))


@cache
def _absolutes() -> re.Pattern[str]:
    return _phrase_pattern(_lines("absolutes.txt"))


@cache
def _evidence() -> re.Pattern[str]:
    return _phrase_pattern(_lines("evidence.txt"))


@cache
def _loaded() -> re.Pattern[str]:
    return _phrase_pattern(_lines("loaded.txt"))


@cache
def _vague_source() -> re.Pattern[str]:
    """A source noun, optionally after vague modifiers, followed within three words by a verb of saying."""
    parts: dict[str, list[str]] = {}
    for line in _lines("vague_sources.txt"):
        name, _, words = line.partition(":")
        parts[name.strip()] = words.split()

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))

    modifier = rf"(?:(?:{alternation(parts['modifiers'])})\s+){{0,2}}"
    noun = rf"(?:{alternation(parts['nouns'])})"
    verb = rf"(?:{alternation(parts['verbs'])})"
    # "sources close to the ministry say": a tie to an institution names nobody either.
    ties = "|".join(r"\s+".join(re.escape(word) for word in tie.split("-")) for tie in parts.get("ties", []))
    tie = rf"(?:\s+(?:{ties})\s+(?:the\s+)?[\w'-]+(?:\s+[\w'-]+)?)?" if ties else ""
    return re.compile(
        rf"(?<![\w-]){modifier}{noun}(?:\s+and\s+{noun})?{tie}(?:\s+[a-z-]+){{0,3}}?\s+{verb}(?![\w-])",
        re.IGNORECASE,
    )


@cache
def _quantity_kinds() -> dict[str, str]:
    """Counted word (lower case) → kind of quantity; the first line naming a word wins."""
    kinds: dict[str, str] = {}
    for line in _lines("quantities.txt"):
        kind, _, words = line.partition(":")
        for word in words.split():
            kinds.setdefault(word.lower(), kind.strip())
    return kinds


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------

_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {
    "dozen": 12,
    "dozens": 12,
    "hundred": 100,
    "hundreds": 100,
    "thousand": 1000,
    "thousands": 1000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "tens": 10,
}
_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

_WORD_NUMBER = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    r"|two|three|four|five|six|seven|eight|nine|ten)"
)
_NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|(?:a\s+|several\s+)?(?:dozen|hundred|thousand)s?"
    rf"|tens|hundreds|thousands|{_WORD_NUMBER}(?:\s+(?:hundred|thousand|million))?)"
)
_MODIFIER = (
    r"(?:(?:about|around|some|nearly|almost|roughly|approximately|an\s+estimated|at\s+least|at\s+most"
    r"|more\s+than|less\s+than|fewer\s+than|well\s+over|well\s+under|over|under|up\s+to|as\s+many\s+as"
    r"|as\s+few\s+as|only|just|a\s+total\s+of)\s+){0,2}"
)
_TIME_UNIT = r"(?:minute|hour|day|week|month|year)s?"
_TIME_OF_DAY = re.compile(r"(?::\d{2})?\s*(?:[ap]\.?\s?m\.?(?![\w])|o'clock|hrs\b|GMT\b|UTC\b)", re.IGNORECASE)
"""What follows a number that is a time of day ("7 a.m.", "7.30pm", "9 o'clock"): not a count."""
_FIGURE = re.compile(
    rf"(?<![\w.,-])(?P<range>from\s+)?(?P<mod>{_MODIFIER})(?P<low>{_NUMBER})"
    rf"(?:(?P<unit>-{_TIME_UNIT}(?:-long)?)"
    rf"|\s*(?:to|-|or|and)\s+(?=(?:{_MODIFIER}){_NUMBER}(?![\w-]))(?P<mod2>{_MODIFIER})(?P<high>{_NUMBER}))?"
    rf"(?![\w-]|,\d)",
    re.IGNORECASE,
)
_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_DATE = re.compile(
    rf"(?<![\w-])(?:(?P<day1>\d{{1,2}})\s+(?P<month1>{_MONTH})|(?P<month2>{_MONTH})\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<lead>(?:back\s+)?(?:in|since|by|until|last|early|late|mid-)\s+)(?P<month3>{_MONTH}))(?:,?\s+\d{{4}})?(?![\w-])",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\s+(?:ago|earlier|later|before)(?![\w-])", re.IGNORECASE)
_WORD = re.compile(r"[^\S\n]+([\"']?\w(?:[\w'-]|[.,](?=\d))*[\"']?)")
_PASS_THROUGH = {"of", "the", "a", "an", "its", "their", "his", "her", "our", "attacking", "other", "more", "all"}
_STOP = {
    "by",
    "in",
    "on",
    "at",
    "to",
    "for",
    "from",
    "with",
    "as",
    "and",
    "or",
    "but",
    "that",
    "which",
    "who",
    "when",
    "while",
    "than",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "had",
    "has",
    "have",
}
_SAYING = {"as", "saying", "said", "says", "told"}
_CASUALTY_WORDS = {"killed", "dead", "died", "wounded", "injured"}
_ATTRIBUTING = re.compile(
    r"(?:(?:only|so\s+far\s+only|officially)\s+)?(?:concedes?|conceded|admits?|admitted|acknowledges?"
    r"|acknowledged|claims?|claimed|puts?|estimates?|estimated|reports?|reported)\s+$",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;:!?()\[\]\n]|,\s|\s-\s|\s--\s")
_SENTENCE_END = re.compile(r"[.!?\n]")


def _number_value(words: str) -> int | None:
    """The value of one number as written ("500", "70,000", "four", "a dozen", "two hundred")."""
    words = words.lower().replace(",", "")
    if re.fullmatch(r"\d+", words):
        return int(words)
    if re.fullmatch(r"\d+\.\d+", words):
        return round(float(words))
    total = 0
    for word in re.split(r"[\s-]+", words):
        if word in _UNITS:
            total += _UNITS[word]
        elif word in _SCALES:
            total = max(total, 1) * _SCALES[word]
        elif word not in ("a", "several"):
            return None
    return total or None


def _counted_noun(folded: str, end: int) -> tuple[int, str | None]:
    """Find what a number at ``folded[:end]`` counts: return where the figure's span ends and the noun.

    Reads up to five words after the number, passing articles and "of the"; takes them through
    the first counted noun from the quantity list, else the first word if it is not a function
    word. A word the list does not know is still taken as the counted noun.
    """
    kinds = _quantity_kinds()
    position, head = end, None
    for _ in range(5):
        match = _WORD.match(folded, position)
        if match is None:
            break
        word = match.group(1).strip("'\"")
        lower = word.lower()
        if lower in kinds or lower.rstrip("s") in kinds:
            return match.end(), word
        if lower in _STOP or re.fullmatch(r"\d[\d,.]*", word):
            break
        if lower not in _PASS_THROUGH:
            # The head of a noun phrase is its last word: "five independent sources".
            head = (match.end(), word)
        position = match.end()
    if head is not None and head[1][:1].islower():
        return head
    return end, None


def _casualty_extension(folded: str, end: int) -> tuple[int, str | None]:
    """Extend a figure through "were killed (or wounded)" when its clause says so, within ten words."""
    clause = _CLAUSE_END.search(folded, end)
    limit = clause.start() if clause else len(folded)
    position = end
    for _ in range(10):
        match = _WORD.match(folded, position)
        if match is None or match.end() > limit:
            return end, None
        word = match.group(1).lower()
        if re.fullmatch(r"\d[\d,.]*", word) or word in _SAYING:
            return end, None
        position = match.end()
        if word in _CASUALTY_WORDS:
            tail = re.match(r"(?:\s+(?:or|and)\s+(?:killed|dead|wounded|injured))+", folded[position:limit])
            return position + (tail.end() if tail else 0), word
    return end, None


def _kind_before(folded: str, start: int) -> tuple[str | None, str | None]:
    """The nearest quantity word in this or the previous sentence, for a figure with no noun after it."""
    kinds = _quantity_kinds()
    sentences = [m.end() for m in _SENTENCE_END.finditer(folded, 0, start)]
    begin = sentences[-2] if len(sentences) >= 2 else 0
    for word in reversed(re.findall(r"[A-Za-z]+", folded[begin:start])):
        lower = word.lower()
        if lower in kinds:
            return word, kinds[lower]
    return None, None


def _kind_of(noun: str | None, casualty: str | None) -> str | None:
    if casualty is not None:
        return "casualties"
    if noun is None:
        return None
    kinds = _quantity_kinds()
    lower = noun.lower()
    return kinds.get(lower) or kinds.get(lower.rstrip("s")) or re.sub(r"s$", "", lower)


def find_figures(article: str, text: str) -> list[Figure]:
    """Every figure in ``text``: numbers with what they count, dates and relative dates."""
    folded = fold(text)
    figures: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _DATE.finditer(folded):
        month = (match.group("month1") or match.group("month2") or match.group("month3")).lower()
        day = match.group("day1") or match.group("day2")
        if month == "may" and day is None:
            continue  # "in May" is too often the verb
        value = f"{_MONTHS.index(month) + 1:02d}-{int(day):02d}" if day else month
        figures.append(Figure(article, match.start(), match.end(), value, None, "date" if day else "when"))
        taken.append((match.start(), match.end()))

    for match in _FIGURE.finditer(folded):
        start, end = match.start(), match.end()
        low = _number_value(match.group("low"))
        if low is None or not free(start, end):
            continue
        if not match.group("high") and _TIME_OF_DAY.match(folded, end):
            continue  # "7 a.m." is when, not how many: it conflicts with no count
        if match.group("range") and not match.group("high"):
            start = match.start("mod")
        high = _number_value(match.group("high")) if match.group("high") else None
        value = str(low) if high is None or high == low else f"{low}-{high}"
        if match.group("unit"):
            unit = match.group("unit").strip("-").split("-")[0].rstrip("s").lower()
            noun_end, noun = _counted_noun(folded, end)
            figures.append(Figure(article, start, noun_end, value, unit, f"duration-{unit}"))
            taken.append((start, noun_end))
            continue
        if re.fullmatch(r"\d{4}", match.group("low")) and 1800 <= low <= 2100 and high is None:
            figures.append(Figure(article, start, end, match.group("low"), None, "year"))
            taken.append((start, end))
            continue
        noun_end, noun = _counted_noun(folded, end)
        if low == 1 and high is None and noun is None:
            continue  # "one" alone is a pronoun far more often than a count
        if noun is None and re.search(r"[A-Z][\w-]*\s+$", folded[max(0, start - 30) : start]):
            continue  # a number in a name: "Treadstone 71", "Route 4"
        if noun is not None and noun.lower().rstrip("s") in {
            u.rstrip("s") for u in ("minutes", "hours", "days", "weeks", "months", "years")
        }:
            relative = _RELATIVE.match(folded, noun_end)
            if relative:
                unit = noun.lower().rstrip("s")
                figures.append(Figure(article, start, relative.end(), f"{value} {unit}s ago", noun, "when"))
                taken.append((start, relative.end()))
                continue
        span_end, casualty = _casualty_extension(folded, noun_end)
        span_end = max(span_end, noun_end)
        if noun is None and casualty is None:
            noun, kind = _kind_before(folded, start)
        else:
            kind = _kind_of(noun, casualty)
        attributing = _ATTRIBUTING.search(folded, max(0, start - 40), start)
        if attributing:
            start = attributing.start()
        figures.append(Figure(article, start, span_end, value, noun, kind))
        taken.append((start, span_end))
    figures.sort(key=lambda figure: (figure.start, figure.end))
    return figures


def propose_groups(figures: Sequence[Figure]) -> dict[str, list[Figure]]:
    """Group figures by kind of quantity; keep the kinds whose figures give differing values."""
    by_kind: dict[str, list[Figure]] = defaultdict(list)
    for figure in figures:
        if figure.kind is not None:
            by_kind[figure.kind].append(figure)
    return {
        _group_id(kind): members
        for kind, members in by_kind.items()
        if len(members) >= 2 and len({m.value for m in members}) >= 2
    }


def _group_id(kind: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", kind.lower()).strip("-") or "figures"


# ---------------------------------------------------------------------------------------------
# Phrase cues
# ---------------------------------------------------------------------------------------------

_COPULA_BEFORE = re.compile(
    r"(?:(?:there|it)\s+)?(?:is|are|was|were|has\s+been|have\s+been|had\s+been)\s+$", re.IGNORECASE
)
_CROSS_HEAD = re.compile(r"(?m)^[ \t]*([A-Z][A-Z0-9 '\-?!,:]{2,60}[A-Z?!])[ \t]*$")
_SCARE_QUOTES = re.compile(r"(?<![\w'])'([^'\n]{2,40}?)'(?![\w'])|\"([^\"\n]{2,30}?)\"")
_CLAUSE_START = re.compile(
    r"[.;:!?()\n]|,\s|\s-\s|\b(?:even though|although|though|because|while|whereas)\b", re.IGNORECASE
)


def _extend_forward(folded: str, end: int, words: int) -> int:
    """Extend a span by up to ``words`` words, never past the end of its clause."""
    clause = _CLAUSE_END.search(folded, end)
    limit = clause.start() if clause else len(folded)
    position = end
    for _ in range(words):
        match = _WORD.match(folded, position)
        if match is None or match.end() > limit:
            break
        position = match.end()
    return position


def _clause_around(folded: str, start: int, end: int, *, max_words: int) -> tuple[int, int]:
    """The clause holding [start, end): from the last clause boundary before it, up to ``max_words`` words."""
    boundaries = [m.end() for m in _CLAUSE_START.finditer(folded, 0, start)]
    begin = boundaries[-1] if boundaries else 0
    while begin < start and folded[begin].isspace():
        begin += 1
    words_before = len(folded[begin:start].split())
    return begin, _extend_forward(folded, end, max(0, max_words - words_before))


def _sentence_around(folded: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding [start, end), its final stop included."""
    before = [m.end() for m in _SENTENCE_END.finditer(folded, 0, start)]
    begin = before[-1] if before else 0
    while begin < start and folded[begin].isspace():
        begin += 1
    after = _SENTENCE_END.search(folded, end)
    return begin, (after.end() if after and after.group() != "\n" else (after.start() if after else len(folded)))


HEDGE_WORDS = 8
"""How many words after a hedge belong to the claim it hedges (the clause ends it sooner)."""
SENTENCE_LIMIT = 120
"""Longest sentence proposed whole for an absolute claim; a longer one gives its clause."""


def _phrase_suggestions(article: str, text: str, ids: CategoryIds) -> list[Suggestion]:
    folded = fold(text)
    found: list[Suggestion] = []

    def add(start: int, end: int, category: str, reason: str, cue: str) -> None:
        while end > start and folded[end - 1] in " ,;:-":
            end -= 1
        found.append(Suggestion(article, start, end, text[start:end], category, reason, None, cue))

    for match in _hedges().finditer(folded):
        start = match.start()
        copula = _COPULA_BEFORE.search(folded, max(0, start - 20), start)
        if copula:
            start = copula.start()
        end = _extend_forward(folded, match.end(), HEDGE_WORDS)
        add(start, end, ids.unverified, f"hedge {match.group().lower()!r}: who says so, and how do they know?", "hedge")
    for match in _vague_source().finditer(folded):
        add(match.start(), match.end(), ids.unverified, "a source that is not named: which one?", "source")
    for match in _evidence().finditer(folded):
        begin, end = _clause_around(folded, match.start(), match.end(), max_words=20)
        add(begin, end, ids.unverified, f"{match.group().lower()!r}: a claim of proof without the proof", "evidence")
    for match in _absolutes().finditer(folded):
        begin, end = _sentence_around(folded, match.start(), match.end())
        if end - begin > SENTENCE_LIMIT:
            begin, end = _clause_around(folded, match.start(), match.end(), max_words=12)
        add(begin, end, ids.unverified, f"absolute claim {match.group().lower()!r}: who could know?", "absolute")

    seen_words: set[str] = set()
    for match in _loaded().finditer(folded):
        word = match.group().lower()
        if word in seen_words:
            continue  # keyed where it first appears
        seen_words.add(word)
        add(
            match.start(),
            match.end(),
            ids.loaded_framing,
            f"loaded word {match.group()!r}: what would a neutral word be?",
            "loaded",
        )
    for match in _SCARE_QUOTES.finditer(folded):
        inner = match.group(1) or match.group(2)
        if len(inner.split()) > 3:
            continue
        add(
            match.start(),
            match.end(),
            ids.loaded_framing,
            "scare quotes: whose word is it, and what do the quotes suggest?",
            "scare-quotes",
        )
    for match in _CROSS_HEAD.finditer(text):
        if sum(ch.isalpha() for ch in match.group(1)) >= 4 and len(match.group(1).split()) <= 6:
            add(
                match.start(1),
                match.end(1),
                ids.loaded_framing,
                "cross-head in capitals: does the text below support it?",
                "cross-head",
            )
    return _merge_loaded(folded, found, ids)


def _merge_loaded(folded: str, found: list[Suggestion], ids: CategoryIds) -> list[Suggestion]:
    """Join loaded words separated only by a space ("brutal regime") into one suggestion."""
    loaded = sorted((s for s in found if s.category == ids.loaded_framing and s.cue == "loaded"), key=lambda s: s.start)
    others = [s for s in found if not (s.category == ids.loaded_framing and s.cue == "loaded")]
    merged: list[Suggestion] = []
    for suggestion in loaded:
        if merged and merged[-1].article == suggestion.article and folded[merged[-1].end : suggestion.start].isspace():
            previous = merged.pop()
            quote = previous.quote + folded[previous.end : suggestion.start] + suggestion.quote
            suggestion = replace(
                previous,
                end=suggestion.end,
                quote=quote,
                reason=f"loaded words {previous.quote!r} and {suggestion.quote!r}",
            )
        merged.append(suggestion)
    return others + merged


CUE_ORDER = ("figure", "hedge", "source", "evidence", "absolute", "cross-head", "scare-quotes", "loaded")
"""When two suggestions of one category overlap, the one whose cue comes first is kept."""


def _without_overlaps(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """Drop a suggestion that overlaps a kept one of the same category and article.

    A key may not hold two overlapping items of one category, so two such suggestions could not
    both be accepted.
    """
    kept: list[Suggestion] = []
    ranked = sorted(suggestions, key=lambda s: (CUE_ORDER.index(s.cue), s.start, -(s.end - s.start)))
    for suggestion in ranked:
        if any(
            other.article == suggestion.article
            and other.category == suggestion.category
            and other.start < suggestion.end
            and suggestion.start < other.end
            for other in kept
        ):
            continue
        kept.append(suggestion)
    return kept


def suggest(articles: Mapping[str, str], *, categories: CategoryIds = CategoryIds()) -> list[Suggestion]:
    """Propose key items for ``articles`` (article id → stored text, in reading order).

    Returns suggestions ordered by article (in the order given) and position.
    """
    figures = [figure for article, text in articles.items() for figure in find_figures(article, text)]
    groups = propose_groups(figures)
    group_of = {(f.article, f.start): group for group, members in groups.items() for f in members}
    found: list[Suggestion] = []
    for figure in figures:
        text = articles[figure.article]
        group = group_of.get((figure.article, figure.start))
        counted = f" {figure.counted}" if figure.counted else ""
        if group is not None:
            others = sorted({m.value for m in groups[group] if m is not figure and m.value != figure.value})
            reason = f"figure {figure.value}{counted} ({figure.kind}); other figures for it: {', '.join(others)}"
        else:
            what = f"counts {figure.counted}" if figure.counted else "what it counts is not said"
            reason = f"figure {figure.value} ({what}); no differing figure for this quantity found"
        found.append(
            Suggestion(
                figure.article,
                figure.start,
                figure.end,
                text[figure.start : figure.end],
                categories.conflicting_number,
                reason,
                group,
                "figure",
            )
        )
    for article, text in articles.items():
        found.extend(_phrase_suggestions(article, text, categories))
    order = {article: index for index, article in enumerate(articles)}
    return sorted(_without_overlaps(found), key=lambda s: (order[s.article], s.start, s.end, s.category))
