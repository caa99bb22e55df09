"""Answers files: a submission's flags (and source ratings) as JSON, checked against the texts.

The format is what the web app exports for a submission, and what an exercise package's
calibration sets (``calibration/<name>.json``) are written in::

    {"flags": [{"id": "f1", "article": "...", "start": 10, "end": 24, "quote": "...",
                "category": "unverified", "note": "", "links": ["f2"]}],
     "ratings": [{"article": "...", "reliability": "C", "credibility": "3", "reason": "..."}]}

``note`` and ``links`` may be left out, and so may ``ratings``; ``prefix`` and ``suffix`` (the
text just before and after the quote, as the trainee saw it) may be added to help re-anchoring
choose among repeats.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.anchoring import reanchor as find_span
from scoring.types import Flag, SourceRating


class AnswersError(ValueError):
    """An answers file that cannot be scored; the message names the flag and the field."""


def read_answers(data: Any, texts: Mapping[str, str], *, reanchor: bool = False) -> list[Flag]:
    """Turn a parsed answers file into flags, checking each quote against the article text.

    ``texts`` maps article ids to their stored text. A quote that differs from the text at the
    flag's offsets is an error, unless ``reanchor`` asks to locate the quote in the text.
    """
    if not isinstance(data, dict) or not isinstance(data.get("flags"), list):
        raise AnswersError('the answers file must be an object with a "flags" list')
    return [_read_flag(n, record, texts, reanchor) for n, record in enumerate(data["flags"])]


def read_ratings(data: Any, texts: Mapping[str, str]) -> list[SourceRating]:
    """The answers file's source ratings (none when it has no ``ratings`` list)."""
    records = data.get("ratings", []) if isinstance(data, dict) else []
    if not isinstance(records, list):
        raise AnswersError('"ratings" must be a list')
    ratings = []
    for number, record in enumerate(records):
        where = f"rating #{number + 1}"
        if not isinstance(record, dict):
            raise AnswersError(f"{where}: expected an object, got {record!r}")
        article = _field(record, "article", str, where)
        if article not in texts:
            raise AnswersError(f"{where}: unknown article {article!r}")
        ratings.append(
            SourceRating(
                article=article,
                reliability=_field(record, "reliability", str, where),
                credibility=_field(record, "credibility", str, where),
                reason=_field(record, "reason", str, where, default=""),
            )
        )
    return ratings


def _read_flag(number: int, record: Any, texts: Mapping[str, str], reanchor: bool) -> Flag:
    where = f"flag #{number + 1}"
    if not isinstance(record, dict):
        raise AnswersError(f"{where}: expected an object, got {record!r}")
    flag_id = _field(record, "id", str, where)
    where = f"flag {flag_id!r}"
    article = _field(record, "article", str, where)
    if article not in texts:
        known = ", ".join(sorted(texts))
        raise AnswersError(f"{where}: unknown article {article!r} (the exercise has {known})")
    text = texts[article]
    quote = _field(record, "quote", str, where)
    start = _field(record, "start", int, where, optional=reanchor)
    end = _field(record, "end", int, where, optional=reanchor)
    if reanchor:
        span = find_span(
            text,
            start,
            end,
            quote,
            _field(record, "prefix", str, where, default=""),
            _field(record, "suffix", str, where, default=""),
        )
        if span is None:
            raise AnswersError(f"{where}: quote {quote!r} not found in article {article!r}")
        start, end = span.start, span.end
    else:
        assert start is not None and end is not None
        if not 0 <= start < end <= len(text):
            raise AnswersError(
                f"{where}: offsets {start}-{end} do not fit article {article!r} ({len(text)} characters)"
            )
        if text[start:end] != quote:
            raise AnswersError(
                f"{where}: quote {quote!r} differs from the text at {start}-{end} "
                f"({text[start:end]!r}); use --reanchor to locate the quote"
            )
    links = _field(record, "links", list, where, default=[])
    if not all(isinstance(link, str) for link in links):
        raise AnswersError(f"{where}: links must be flag ids (strings), got {links!r}")
    return Flag(
        id=flag_id,
        article=article,
        start=start,
        end=end,
        category=_field(record, "category", str, where),
        note=_field(record, "note", str, where, default=""),
        links=tuple(links),
    )


def _field(
    record: dict[str, Any],
    name: str,
    kind: type,
    where: str,
    *,
    default: Any = None,
    optional: bool = False,
) -> Any:
    """Return ``record[name]`` checked against ``kind``; a default makes the field optional."""
    if name not in record or (optional and record[name] is None):
        if default is not None or optional:
            return default
        raise AnswersError(f"{where}: missing field {name!r}")
    value = record[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise AnswersError(f"{where}: field {name!r} must be {kind.__name__}, got {value!r}")
    return value
