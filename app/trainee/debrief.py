"""What the debrief shows: each article cut into segments marked with key items and flags.

The scoring report says what became of every key item and flag; this module only lays that out
over the article texts, so the template can print escaped segments with classes and numbered
notes. It is a template global, so any page that has an attempt's report can show its debrief.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.admiralty import either, rating_words
from app.models import Article, Attempt, Exercise, Flag, KeyVersion, Score
from app.trainee.lesson import Lesson, what_to_learn
from scoring.report import FlagOutcome, ItemResult, ItemStatus, LinkStatus, RatingResult, Report
from scoring.types import KeyItem

ITEM_LABELS = {
    ItemStatus.FOUND: "Found",
    ItemStatus.PARTIAL: "Partly found",
    ItemStatus.WRONG_CATEGORY: "Wrong category",
    ItemStatus.LONE_FIGURE: "Lone figure",
    ItemStatus.MISSED: "Missed",
    ItemStatus.DECOY_AVOIDED: "Decoy, rightly left alone",
    ItemStatus.DECOY_FLAGGED: "Decoy flagged",
}
# What each note shows under, for the filter row: "mine" (my flags), "missed", "false" (false
# positives) and "decoys". A matched flag has no note of its own: its mark shows under "mine".
ITEM_SHOWS = {
    ItemStatus.FOUND: "mine",
    ItemStatus.PARTIAL: "mine",
    ItemStatus.WRONG_CATEGORY: "mine",
    ItemStatus.LONE_FIGURE: "mine",
    ItemStatus.MISSED: "missed",
    ItemStatus.DECOY_AVOIDED: "decoys",
    ItemStatus.DECOY_FLAGGED: "decoys mine",
}
FLAG_SHOWS = {
    FlagOutcome.MATCHED: "mine",
    FlagOutcome.DECOY: "mine false decoys",
    FlagOutcome.DUPLICATE: "mine false",
    FlagOutcome.INSUFFICIENT_OVERLAP: "mine false",
    FlagOutcome.NOT_IN_KEY: "mine false",
}
FILTERS = (
    ("default", "My flags and what I missed"),
    ("mine", "My flags"),
    ("missed", "Missed"),
    ("false", "False positives"),
    ("decoys", "Decoys"),
    ("all", "All"),
)
"""The filter row's choices, the first the default: (value, label)."""

FLAG_LABELS = {
    FlagOutcome.MATCHED: "Matched",
    FlagOutcome.DECOY: "False positive (decoy)",
    FlagOutcome.DUPLICATE: "False positive (duplicate)",
    FlagOutcome.INSUFFICIENT_OVERLAP: "Near miss (a false positive)",
    FlagOutcome.NOT_IN_KEY: "False positive",
}


@dataclass(frozen=True)
class Note:
    """One numbered remark under an article: a key item, or a flag that matched none."""

    number: int
    kind: str
    """item or flag."""
    status: str
    label: str
    quote: str
    category: str
    explanation: str
    reason: str
    credit: float
    points: float
    penalty: float
    flags: tuple[str, ...]
    """For an item: the quotes of the trainee's flags matched to it."""
    shows: str
    """The filters it shows under, space-separated (see `FILTERS`)."""
    trainee_note: str = ""

    @property
    def spoken(self) -> str:
        """What a screen reader hears where the note's span starts."""
        return f"Note {self.number}, {self.label}, {self.category}:"


@dataclass(frozen=True)
class Segment:
    text: str
    classes: str
    markers: tuple[Note, ...]
    """The notes whose span ends with this segment."""
    notes: tuple[int, ...] = ()
    """Numbers of the notes whose span covers this segment, shortest span first."""
    opens: tuple[Note, ...] = ()
    """The notes whose span starts with this segment."""
    shows: str = ""
    """The filters under which the segment stays marked."""


@dataclass(frozen=True)
class DebriefArticle:
    article: Article
    paragraphs: tuple[tuple[Segment, ...], ...]
    """The text cut at blank lines, each paragraph cut into segments."""
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class GroupSummary:
    id: str
    description: str
    figures: tuple[tuple[str, str, str], ...]
    """(quote, article title, status label) per figure."""
    found: int
    correct_links: tuple[tuple[str, str], ...]
    """Quotes of each correctly linked pair."""


@dataclass(frozen=True)
class Debrief:
    articles: tuple[DebriefArticle, ...]
    groups: tuple[GroupSummary, ...]
    category_names: dict[str, str]
    wrong_links: int
    lesson: Lesson
    counts: dict[str, int]
    """How many notes each filter of `FILTERS` shows."""


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    css: str
    note: Note | None
    """None for a matched flag: it is described under its item."""
    shows: str


def build_debrief(exercise: Exercise, flags: Sequence[Flag], report: Report, key_items: Sequence[KeyItem]) -> Debrief:
    """Lay the report out over the exercise's articles."""
    names = exercise.category_names
    keyed = {item.id: item for item in key_items}
    by_client = {flag.client_id: flag for flag in flags}
    articles = tuple(
        _article(
            article, [item for item in report.items if item.article == article.ref], report, keyed, by_client, names
        )
        for article in exercise.articles
    )
    notes = [note for article in articles for note in article.notes]
    counts = {value: sum(1 for note in notes if _shown(note.shows, value)) for value, _ in FILTERS}
    groups = {group_id: str(description) for group_id, description in exercise.groups.items()}
    return Debrief(
        articles=articles,
        groups=_groups(exercise, report, keyed, by_client),
        category_names=names,
        wrong_links=report.totals.wrong_links,
        lesson=what_to_learn(report, key_items, names, groups),
        counts=counts,
    )


def _shown(shows: str, choice: str) -> bool:
    """Whether a note or mark tagged ``shows`` shows under filter ``choice``."""
    wanted = {"default": {"mine", "missed"}, "all": {"mine", "missed", "false", "decoys"}}.get(choice, {choice})
    return bool(wanted & set(shows.split()))


def _article(
    article: Article,
    items: list[ItemResult],
    report: Report,
    keyed: dict[str, KeyItem],
    by_client: dict[str, Flag],
    names: dict[str, str],
) -> DebriefArticle:
    marks: list[_Mark] = []
    for result in items:
        key = keyed.get(result.id)
        if key is None:
            continue
        note = Note(
            number=0,
            kind="item",
            status=result.status.value,
            label=ITEM_LABELS[result.status],
            quote=key.quote,
            category=names.get(result.category, result.category),
            explanation=result.explanation,
            reason=_readable(result.reason, by_client),
            credit=result.credit,
            points=result.points,
            penalty=result.penalty,
            flags=tuple(by_client[flag_id].quote for flag_id in result.flag_ids if flag_id in by_client),
            shows=ITEM_SHOWS[result.status],
        )
        marks.append(_Mark(key.start, key.end, f"key key-{result.status.value}", note, note.shows))
    for flag_result in report.flags:
        if flag_result.article != article.ref:
            continue
        stored = by_client.get(flag_result.id)
        css = f"mine mine-{flag_result.outcome.value}"
        if flag_result.outcome is FlagOutcome.MATCHED:
            marks.append(_Mark(flag_result.start, flag_result.end, css, None, FLAG_SHOWS[flag_result.outcome]))
            continue
        note = Note(
            number=0,
            kind="flag",
            status=flag_result.outcome.value,
            label=FLAG_LABELS[flag_result.outcome],
            quote=stored.quote if stored else article.text[flag_result.start : flag_result.end],
            category=names.get(flag_result.category, flag_result.category),
            explanation=flag_result.explanation,
            reason=_readable(flag_result.reason, by_client),
            credit=flag_result.credit,
            points=0.0,
            penalty=flag_result.penalty,
            flags=(),
            shows=FLAG_SHOWS[flag_result.outcome],
            trainee_note=stored.note if stored else "",
        )
        marks.append(_Mark(flag_result.start, flag_result.end, css, note, note.shows))
    numbered = _number(marks)
    return DebriefArticle(
        article=article,
        paragraphs=_paragraphs(article.text, numbered),
        notes=tuple(mark.note for mark in numbered if mark.note is not None),
    )


def _number(marks: list[_Mark]) -> list[_Mark]:
    """Number the notes in reading order."""
    ordered = sorted(marks, key=lambda mark: (mark.start, mark.end))
    numbered = []
    counter = 0
    for mark in ordered:
        if mark.note is None:
            numbered.append(mark)
            continue
        counter += 1
        note = dataclasses.replace(mark.note, number=counter)
        numbered.append(_Mark(mark.start, mark.end, mark.css, note, mark.shows))
    return numbered


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
"""A blank line, with the white space around it: where one paragraph ends and the next begins."""


def _paragraphs(text: str, marks: list[_Mark]) -> tuple[tuple[Segment, ...], ...]:
    """Cut ``text`` into paragraphs at blank lines, and each into segments (see `_segments`)."""
    breaks = [(found.start(), found.end()) for found in PARAGRAPH_BREAK.finditer(text)]
    bounds = [0, *(edge for pair in breaks for edge in pair), len(text)]
    paragraphs: list[tuple[Segment, ...]] = []
    for start, end in zip(bounds[::2], bounds[1::2]):
        if start == end and paragraphs:
            continue
        segments = _segments(text, marks, start, end)
        if not segments and paragraphs:
            continue
        paragraphs.append(segments)
    return tuple(paragraphs)


def _segments(text: str, marks: list[_Mark], begin: int, finish: int) -> tuple[Segment, ...]:
    """Cut ``text[begin:finish]`` at every mark boundary; each piece carries the classes of the
    marks over it, and the notes that start, end or lie over it.

    A note whose span ends in the blank line after the paragraph ends with the paragraph."""
    inside = [mark for mark in marks if mark.start < finish and mark.end > begin]
    cuts = sorted(
        {
            begin,
            finish,
            *(min(max(m.start, begin), finish) for m in inside),
            *(min(max(m.end, begin), finish) for m in inside),
        }
    )
    segments = []
    for start, end in itertools.pairwise(cuts):
        over = [mark for mark in inside if mark.start <= start and end <= mark.end]
        classes = " ".join(sorted({css for mark in over for css in mark.css.split()}))
        ending = [mark.note for mark in inside if min(mark.end, finish) == end and mark.note is not None]
        opening = [mark.note for mark in over if max(mark.start, begin) == start and mark.note is not None]
        covering = sorted((mark for mark in over if mark.note is not None), key=lambda mark: mark.end - mark.start)
        segments.append(
            Segment(
                text[start:end],
                classes,
                tuple(sorted(ending, key=lambda note: note.number)),
                tuple(mark.note.number for mark in covering if mark.note is not None),
                tuple(sorted(opening, key=lambda note: note.number)),
                " ".join(sorted({tag for mark in over for tag in mark.shows.split()})),
            )
        )
    return tuple(segments)


def _groups(
    exercise: Exercise, report: Report, keyed: dict[str, KeyItem], by_client: dict[str, Flag]
) -> tuple[GroupSummary, ...]:
    titles = {article.ref: article.title for article in exercise.articles}
    summaries = []
    for group_id, description in exercise.groups.items():
        members = [item for item in report.items if item.group == group_id]
        figures = tuple(
            (
                keyed[item.id].quote if item.id in keyed else "(an item no longer in the key)",
                titles.get(item.article, item.article),
                ITEM_LABELS[item.status],
            )
            for item in members
        )
        found = sum(1 for item in members if item.status in (ItemStatus.FOUND, ItemStatus.PARTIAL))
        links = tuple(
            (_quote_of(link.flag_ids[0], by_client), _quote_of(link.flag_ids[1], by_client))
            for link in report.links
            if link.status is LinkStatus.CORRECT and link.group == group_id
        )
        summaries.append(
            GroupSummary(
                id=group_id,
                description=str(description),
                figures=figures,
                found=found,
                correct_links=links,
            )
        )
    return tuple(summaries)


def _quote_of(client_id: str, by_client: dict[str, Flag]) -> str:
    flag = by_client.get(client_id)
    return flag.quote if flag else "(a deleted flag)"


def _readable(reason: str, by_client: dict[str, Flag]) -> str:
    """The engine names flags by id; a trainee knows them by the words they flagged."""
    for client_id, flag in by_client.items():
        reason = reason.replace(f"'{client_id}'", f"“{flag.quote}”")
    return reason


@dataclass(frozen=True)
class SourceJudgement:
    """The trainee's rating of one article beside the instructor's, for the debrief."""

    title: str
    result: RatingResult
    accepted_reliability: str
    """The grades the key accepts, as a phrase ("B, C or F")."""
    accepted_credibility: str

    @property
    def yours(self) -> str | None:
        """The trainee's rating in words; None when they gave none (work closed at a deadline)."""
        if self.result.reliability is None or self.result.credibility is None:
            return None
        return rating_words(self.result.reliability, self.result.credibility)

    @property
    def instructors(self) -> str:
        return rating_words(self.result.key_reliability, self.result.key_credibility)


def source_judgements(exercise: Exercise, report: Report, version: KeyVersion) -> tuple[SourceJudgement, ...]:
    """Each article the key rates, with the trainee's rating, the instructor's and the range accepted."""
    titles = {article.ref: article.title for article in exercise.articles}
    keys = {key.article: key for key in version.ratings}
    judgements = []
    for result in report.ratings:
        key = keys.get(result.article)
        judgements.append(
            SourceJudgement(
                title=titles.get(result.article, result.article),
                result=result,
                accepted_reliability=either(key.accept_reliability) if key else result.key_reliability,
                accepted_credibility=either(key.accept_credibility) if key else result.key_credibility,
            )
        )
    return tuple(judgements)


@dataclass(frozen=True)
class ScoreChange:
    """A rescore that replaced the attempt's score: from what, to what, when and why."""

    before: float
    after: float
    on: datetime
    note: str


def score_change(attempt: Attempt, current: Score) -> ScoreChange | None:
    """How ``current`` replaced the attempt's previous score; None for the first score."""
    earlier = [score for score in attempt.scores if score.id < current.id]
    if not earlier:
        return None
    return ScoreChange(earlier[-1].score, current.score, current.created_at, current.note)
