"""Read span annotations in the SemEval-2020 Task 11 layout and turn them into key items.

The layout: one ``article<ID>.txt`` per article, and a labels file with one span a line,
``article_id<TAB>technique<TAB>start<TAB>end`` (offsets in characters of the article text, end
exclusive). Each propaganda technique is mapped to one of the exercise's categories, or left
out; spans of one category that overlap in an article become one key item, since a key may not
hold two overlapping items of one category.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from exercises.keyfile import which_occurrence
from exercises.storable import PROBLEM, is_storable

ARTICLE_FILE = re.compile(r"article(\d+)\.txt")

DEFAULT_MAPPING: dict[str, str | None] = {
    "Loaded_Language": "loaded_framing",
    "Name_Calling,Labeling": "loaded_framing",
    "Exaggeration,Minimisation": "loaded_framing",
    "Appeal_to_fear-prejudice": "loaded_framing",
    "Flag-Waving": "loaded_framing",
    "Slogans": "loaded_framing",
    "Black-and-White_Fallacy": "loaded_framing",
    "Thought-terminating_Cliches": "loaded_framing",
    "Reductio_ad_hitlerum": "loaded_framing",
    "Repetition": "loaded_framing",
    "Doubt": "unverified",
    "Appeal_to_Authority": "unverified",
    "Causal_Oversimplification": "unverified",
    "Whataboutism,Straw_Men,Red_Herring": "unverified",
    "Bandwagon,Reductio_ad_hitlerum": "unverified",
}
"""A starting point for the mapping the instructor edits; None leaves a technique out."""


@dataclass(frozen=True, slots=True)
class Label:
    """One annotated span."""

    article: str
    """The article's id in the exercise: ``article<ID>``."""
    technique: str
    start: int
    end: int


class LabelsError(ValueError):
    """The labels file cannot be used; ``problems`` says where, line by line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def article_id(filename: str) -> str | None:
    """``article<ID>`` for a file named ``article<ID>.txt``, else None."""
    match = ARTICLE_FILE.fullmatch(PurePath(filename).name)
    return f"article{match.group(1)}" if match else None


def parse_labels(text: str, texts: Mapping[str, str]) -> list[Label]:
    """Read the labels file for the articles in ``texts`` (id → text); lines for other articles are skipped.

    Raises :class:`LabelsError` listing every malformed line and every span outside its text.
    """
    labels, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if not is_storable(line):
            problems.append(f"line {number}: {PROBLEM}")
            continue
        cells = line.rstrip("\r").split("\t")
        if len(cells) != 4:
            problems.append(f"line {number}: expected article_id<TAB>technique<TAB>start<TAB>end")
            continue
        raw_id, technique, raw_start, raw_end = (cell.strip() for cell in cells)
        if not raw_id.isdigit() or not raw_start.isdigit() or not raw_end.isdigit() or not technique:
            problems.append(f"line {number}: the article id, start and end must be numbers, the technique not blank")
            continue
        article, start, end = f"article{raw_id}", int(raw_start), int(raw_end)
        if article not in texts:
            continue
        if not start < end <= len(texts[article]):
            problems.append(
                f"line {number}: span {start}-{end} is outside article {raw_id} ({len(texts[article])} characters)"
            )
            continue
        labels.append(Label(article, technique, start, end))
    if problems:
        raise LabelsError(problems)
    return labels


def techniques(labels: Iterable[Label]) -> list[str]:
    """The techniques used in ``labels``, sorted."""
    return sorted({label.technique for label in labels})


def key_items(
    labels: Iterable[Label], texts: Mapping[str, str], mapping: Mapping[str, str | None]
) -> list[dict[str, Any]]:
    """Key items (as dicts for :func:`exercises.validate_key`) from labels, through ``mapping``.

    Overlapping spans of one category in one article are merged; each item explains which
    techniques the annotators saw there. Spans are trimmed of surrounding whitespace.
    """
    spans: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    for label in labels:
        category = mapping.get(label.technique)
        if category is None:
            continue
        text = texts[label.article]
        start, end = label.start, label.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans[(label.article, category)].append((start, end, label.technique))
    items = []
    for (article, category), found in sorted(spans.items()):
        found.sort()
        merged: list[list[Any]] = []
        for start, end, technique in found:
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
                merged[-1][2].add(technique)
            else:
                merged.append([start, end, {technique}])
        for start, end, names in merged:
            text = texts[article]
            quote = text[start:end]
            item: dict[str, Any] = {
                "id": f"{article}-{category}-{start}",
                "article": article,
                "quote": quote,
                "category": category,
                "explanation": "SemEval-2020 Task 11 annotation: " + ", ".join(sorted(names)).replace("_", " ") + ".",
            }
            occurrence = which_occurrence(text, quote, start, end)
            if occurrence is not None:
                item["occurrence"] = occurrence
            items.append(item)
    order = {article: place for place, article in enumerate(texts)}
    items.sort(key=lambda item: (order[item["article"]], item["id"]))
    return items
