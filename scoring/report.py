"""The result of scoring: a `Report` made of frozen dataclasses, and its JSON-safe form.

`report_to_dict` turns a report into plain dicts, lists, strings and numbers that ``json.dumps``
accepts; `report_from_dict` rebuilds the identical report, so the app can store a report and show
it again later without scoring twice.

A report the engine makes works out its item and flag results the first time they are read (see
`Deferred`): a rescoring that only stores reports never builds them, and `report_to_dict` writes
their plain form directly.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scoring.types import Policy

REPORT_FORMAT = 2
"""Version of the dict layout written by `report_to_dict`; bumped when a field changes meaning."""

DERIVED_FIELDS = ("discernment", "calibration")
"""Measures an application may store beside a report's fields, worked out from the report
(`scoring.discernment`, `scoring.calibration`); `report_from_dict` passes over them."""

_T = typing.TypeVar("_T")
_R = typing.TypeVar("_R")
_Arguments = typing.ParamSpec("_Arguments")


def builder(cls: Callable[_Arguments, _T]) -> Callable[_Arguments, _T]:
    """Return a faster constructor of ``cls``, a frozen slotted dataclass without defaults.

    It takes what ``cls`` takes and returns an ordinary, immutable ``cls``. A frozen dataclass's
    ``__init__`` must set each field through ``object.__setattr__``, its own ``__setattr__``
    refusing, which costs several times what setting a slot costs. The constructor is a function
    that makes a draft, an instance of a mutable twin of ``cls`` with the same slots and no
    ``__init__``, sets its slots at full speed and then makes it a ``cls`` (the layouts are the
    same, so ``__class__`` may be assigned). Calling a class whose ``__init__`` is written in
    Python costs a further frame and a copy of the arguments, so the function is written out for
    the fields, as `dataclasses` writes an ``__init__``. Rescoring builds dozens of results per
    submission for thousands of submissions, so the engine uses builders.
    """
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"{cls!r} is not a dataclass")
    names = [field.name for field in dataclasses.fields(cls)]
    if {"result", "draft", "frozen"} & set(names):
        raise TypeError(f"{cls!r} has a field named result, draft or frozen, which its constructor's source uses")
    assignments = "".join(f"    result.{name} = {name}\n" for name in names)
    source = (
        f"def build({', '.join(names)}):\n    result = draft()\n{assignments}"
        "    result.__class__ = frozen\n    return result\n"
    )
    draft = type(f"{cls.__name__}Draft", (), {"__slots__": tuple(names)})
    namespace: dict[str, Any] = {}
    exec(source, {"draft": draft, "frozen": cls}, namespace)  # noqa: S102 (the source holds only the dataclass's field names)
    constructor: Callable[_Arguments, _T] = namespace["build"]
    return constructor


class ItemStatus(enum.StrEnum):
    """What became of one key item."""

    FOUND = "found"
    """Matched with the key's category and exact boundaries: full points."""
    PARTIAL = "partial"
    """Matched, but with an accepted alternative category or with inexact boundaries."""
    WRONG_CATEGORY = "wrong_category"
    """The right span, flagged with a category the key does not accept."""
    LONE_FIGURE = "lone_figure"
    """A figure of a conflict group matched, but none of the figures it conflicts with: it earns
    the policy's ``lone_figure_credit`` share."""
    MISSED = "missed"
    """No flag matched the item."""
    DECOY_AVOIDED = "decoy_avoided"
    """A decoy nobody flagged."""
    DECOY_FLAGGED = "decoy_flagged"
    """A decoy that one or more flags hit; each such flag costs the decoy penalty."""


class FlagOutcome(enum.StrEnum):
    """What became of one trainee flag."""

    MATCHED = "matched"
    """The flag matched a key item (its credit may still be zero, see the item)."""
    DECOY = "decoy"
    """The flag hit a decoy: a false positive costing the decoy penalty."""
    DUPLICATE = "duplicate"
    """The flag would match an item that another flag was credited for: a false positive."""
    INSUFFICIENT_OVERLAP = "insufficient_overlap"
    """A near miss: the flag touches a key item but none of its core, or runs too far past it."""
    NOT_IN_KEY = "not_in_key"
    """The flag touches no key item: a false positive."""


class LinkStatus(enum.StrEnum):
    """What became of one link between two flags."""

    CORRECT = "correct"
    """Both flags matched figures of the same conflict group, not yet connected: earns the bonus."""
    REDUNDANT = "redundant"
    """Correct, but earlier links already connect the two figures: no further bonus."""
    COMPATIBLE = "compatible"
    """Both flags matched figures of one group that agree with each other: no conflict, no bonus."""
    CROSS_GROUP = "cross_group"
    """Both flags matched figures, but of different conflict groups."""
    NOT_A_FIGURE = "not_a_figure"
    """At least one end did not match a figure of any conflict group."""
    UNKNOWN_FLAG = "unknown_flag"
    """The link names a flag id that is not among the submitted flags."""
    SELF_LINK = "self_link"
    """A flag linked to itself."""


MATCHED_STATUSES = (ItemStatus.FOUND, ItemStatus.PARTIAL, ItemStatus.WRONG_CATEGORY, ItemStatus.LONE_FIGURE)
"""What a real key item can become when a flag matched it."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome for one key item, decoys included."""

    id: str
    article: str
    category: str
    group: str | None
    status: ItemStatus
    flag_ids: tuple[str, ...]
    """Flags matched to the item: at most one for a real item, any number for a decoy."""
    points: float
    """What the item is worth (0 for a decoy: decoys only cost)."""
    credit: float
    """Points earned, between 0 and ``points``."""
    penalty: float
    """Points lost through this item (decoys only)."""
    category_factor: float
    """1 for the key's category, the policy's share for another category, 0 when unmatched."""
    boundary_factor: float
    """How well the matched flag's words fit the item (`scoring.matching.boundary_factor`): 1 for
    a flag covering the core within the extent; 0 when unmatched."""
    reason: str
    """How the credit was reached, in one or two sentences."""
    explanation: str
    """The instructor's explanation from the key."""


@dataclass(frozen=True, slots=True)
class FlagResult:
    """The outcome for one trainee flag, in the order the flags were submitted."""

    id: str
    article: str
    start: int
    end: int
    category: str
    outcome: FlagOutcome
    item_id: str | None
    """The matched item, the decoy hit, the item already claimed, or the item barely touched."""
    credit: float
    """Credit the matched item earned through this flag."""
    penalty: float
    """Points this flag cost (false positives only)."""
    reason: str
    explanation: str
    """For a decoy: the instructor's explanation of why the span is sound."""


@dataclass(frozen=True, slots=True)
class LinkResult:
    """One unordered pair of linked flags, however many times it was linked."""

    flag_ids: tuple[str, str]
    """The two flag ids, sorted."""
    status: LinkStatus
    group: str | None
    """The conflict group, for a correct link."""
    bonus: float
    reason: str


@dataclass(frozen=True, slots=True)
class Totals:
    """How the score adds up, and how many items, flags and links ended up in each state."""

    item_credit: float
    link_credit: float
    penalties: float
    earned: float
    """``max(0, item_credit + link_credit - penalties)``."""
    possible: float
    """Points of every non-decoy item plus ``possible_links`` link bonuses."""
    found: int
    partial: int
    wrong_category: int
    lone_figure: int
    missed: int
    decoys_flagged: int
    """Distinct decoys hit."""
    false_positives: int
    """Flags that matched no item (decoy hits included)."""
    correct_links: int
    """Links between figures of one group (redundant ones included)."""
    wrong_links: int
    possible_links: int
    """Links that can earn a bonus: for each group, its figures minus its clusters of figures that
    no conflict connects (see `scoring.credit.possible_links`)."""
    rating_credit: float
    """Points earned by source ratings within the key's ranges (part of ``possible`` too)."""


@dataclass(frozen=True, slots=True)
class RatingResult:
    """How a trainee's Admiralty rating of one article compares with the key's."""

    article: str
    reliability: str | None
    """The trainee's grade; None when they gave none."""
    credibility: str | None
    reason: str
    """The trainee's one-line reason."""
    key_reliability: str
    key_credibility: str
    reliability_accepted: bool
    credibility_accepted: bool
    points: float
    credit: float
    reasoning: str
    """The instructor's reasoning."""


@dataclass(frozen=True, slots=True)
class Detection:
    """Precision, recall and F1 of flags against key items, for one category or for all."""

    category: str | None
    """None for the figures over all categories (micro-averaged)."""
    correct: int
    """Flags matched to an item of the same category (boundaries, groups and links aside)."""
    flagged: int
    expected: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class SpanScore:
    """The SemEval-2020 Task 11 span-identification metric on merged spans."""

    flagged_spans: int
    """Flagged spans after merging overlapping ones."""
    key_spans: int
    """Key spans after merging overlapping ones."""
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class SpanMetrics:
    """The SemEval span metric computed regardless of category, and counting same-category pairs only."""

    category_blind: SpanScore
    category_matched: SpanScore


@dataclass(frozen=True, slots=True)
class SchemeCounts:
    """nervaluate-style counts for one scheme: COR, INC, PAR, MIS, SPU and what follows from them."""

    correct: int
    """COR."""
    incorrect: int
    """INC."""
    partial: int
    """PAR (partial scheme only)."""
    missed: int
    """MIS: key spans no flag was paired with (nervaluate pairs each flag with at most one span
    that it covers at least 1% of)."""
    spurious: int
    """SPU: flags paired with no key span (decoy hits included)."""
    possible: int
    """COR + INC + PAR + MIS."""
    actual: int
    """COR + INC + PAR + SPU."""
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class Schemes:
    """The four evaluation schemes of SemEval-2013 Task 9.1 as nervaluate names them."""

    strict: SchemeCounts
    """Exact boundaries and the same category."""
    exact: SchemeCounts
    """Exact boundaries, whatever the category."""
    partial: SchemeCounts
    """Overlap (at least 1% of the key span), whatever the category; a partial overlap counts half."""
    type: SchemeCounts
    """Overlap (at least 1% of the key span) with the same category."""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the debrief and the dashboard show about one submission."""

    score: float
    """``100 · earned / possible``, between 0 and 100."""
    totals: Totals
    items: tuple[ItemResult, ...]
    """One per key item, in key order."""
    flags: tuple[FlagResult, ...]
    """One per flag, in submission order."""
    links: tuple[LinkResult, ...]
    """One per distinct linked pair, sorted by flag ids."""
    ratings: tuple[RatingResult, ...]
    """One per article the key rates, in the key's order."""
    detection: Detection
    by_category: tuple[Detection, ...]
    """Sorted by category name."""
    spans: SpanMetrics
    schemes: Schemes
    policy: Policy


class Deferred(typing.Generic[_R]):
    """A report's results (its items or its flags) kept as the engine found them, until read.

    ``Report.items`` and ``Report.flags`` each hold a tuple, or, in a report the engine made, a
    `Deferred` that the first read replaces with the tuple of `results`; `report_to_dict` takes
    `rows` from it instead, so storing a report never builds its result objects. Both must give
    what the tuple would: `rows` the plain form of each result, in order, in fresh dicts and lists.
    """

    __slots__ = ()

    def results(self) -> tuple[_R, ...]:
        """Return the results, in the report's order."""
        raise NotImplementedError

    def rows(self) -> list[dict[str, Any]]:
        """Return the plain form of each result, as `report_to_dict` writes it."""
        raise NotImplementedError


def _read_when_needed(name: str) -> typing.Any:
    """Return the slot of a tuple field of `Report` and make the field a property over it that
    turns a `Deferred` into its results on the first read. Equality, hashing, ``repr`` and
    `dataclasses` read fields by name, so they see the results too."""
    slot = Report.__dict__[name]

    def read(report: Report) -> tuple[Any, ...]:
        value = slot.__get__(report, Report)
        if type(value) is not tuple:
            value = value.results()
            slot.__set__(report, value)
        return typing.cast("tuple[Any, ...]", value)

    def write(report: Report, value: tuple[Any, ...] | Deferred[Any]) -> None:
        # Only the dataclass's __init__ and the builder's draft set fields; the class stays frozen.
        slot.__set__(report, value)

    setattr(Report, name, property(read, write, doc=getattr(slot, "__doc__", None)))
    return slot


_ITEMS = _read_when_needed("items")
_FLAGS = _read_when_needed("flags")

_build_report: Callable[..., Report] = builder(Report)


def deferred_report(
    score: float,
    totals: Totals,
    items: Deferred[ItemResult],
    flags: Deferred[FlagResult],
    links: tuple[LinkResult, ...],
    ratings: tuple[RatingResult, ...],
    detection: Detection,
    by_category: tuple[Detection, ...],
    spans: SpanMetrics,
    schemes: Schemes,
    policy: Policy,
) -> Report:
    """Return a report whose items and flags are worked out from ``items`` and ``flags`` when read."""
    return _build_report(score, totals, items, flags, links, ratings, detection, by_category, spans, schemes, policy)


def report_to_dict(report: Report) -> dict[str, Any]:
    """Return the report as JSON-safe dicts, lists, strings, numbers and None.

    Each class has its own function naming its fields one by one: the app stores every report it
    scores, so this is on the path of every rescoring, and reading fields by name costs a fraction
    of walking them generically. A test compares the result with the generic plain form of every
    field, in order, so a field added to a class and forgotten here fails it.
    """
    return {
        "score": report.score,
        "totals": _totals_to_dict(report.totals),
        "items": _rows(_ITEMS.__get__(report, Report), item_row),
        "flags": _rows(_FLAGS.__get__(report, Report), flag_row),
        "links": [_link_to_dict(link) for link in report.links],
        "ratings": [_rating_to_dict(rating) for rating in report.ratings],
        "detection": _detection_to_dict(report.detection),
        "by_category": [_detection_to_dict(detection) for detection in report.by_category],
        "spans": {
            "category_blind": _span_score_to_dict(report.spans.category_blind),
            "category_matched": _span_score_to_dict(report.spans.category_matched),
        },
        "schemes": {
            "strict": _scheme_counts_to_dict(report.schemes.strict),
            "exact": _scheme_counts_to_dict(report.schemes.exact),
            "partial": _scheme_counts_to_dict(report.schemes.partial),
            "type": _scheme_counts_to_dict(report.schemes.type),
        },
        "policy": _policy_to_dict(report.policy),
        "format": REPORT_FORMAT,
    }


def _rows(results: tuple[_R, ...] | Deferred[_R], row: Callable[[_R], dict[str, Any]]) -> list[dict[str, Any]]:
    if type(results) is tuple:
        return [row(result) for result in results]
    return typing.cast("Deferred[_R]", results).rows()


# An enum member's plain form is its value, read as ``_value_``: ``value`` is a property, which
# costs several times as much, and a report holds one for every item, flag and link.


def item_row(item: ItemResult) -> dict[str, Any]:
    """Return an item result's plain form, as `report_to_dict` writes it."""
    return {
        "id": item.id,
        "article": item.article,
        "category": item.category,
        "group": item.group,
        "status": item.status._value_,
        "flag_ids": list(item.flag_ids),
        "points": item.points,
        "credit": item.credit,
        "penalty": item.penalty,
        "category_factor": item.category_factor,
        "boundary_factor": item.boundary_factor,
        "reason": item.reason,
        "explanation": item.explanation,
    }


def flag_row(flag: FlagResult) -> dict[str, Any]:
    """Return a flag result's plain form, as `report_to_dict` writes it."""
    return {
        "id": flag.id,
        "article": flag.article,
        "start": flag.start,
        "end": flag.end,
        "category": flag.category,
        "outcome": flag.outcome._value_,
        "item_id": flag.item_id,
        "credit": flag.credit,
        "penalty": flag.penalty,
        "reason": flag.reason,
        "explanation": flag.explanation,
    }


def _link_to_dict(link: LinkResult) -> dict[str, Any]:
    return {
        "flag_ids": list(link.flag_ids),
        "status": link.status._value_,
        "group": link.group,
        "bonus": link.bonus,
        "reason": link.reason,
    }


def _totals_to_dict(totals: Totals) -> dict[str, Any]:
    return {
        "item_credit": totals.item_credit,
        "link_credit": totals.link_credit,
        "penalties": totals.penalties,
        "earned": totals.earned,
        "possible": totals.possible,
        "found": totals.found,
        "partial": totals.partial,
        "wrong_category": totals.wrong_category,
        "lone_figure": totals.lone_figure,
        "missed": totals.missed,
        "decoys_flagged": totals.decoys_flagged,
        "false_positives": totals.false_positives,
        "correct_links": totals.correct_links,
        "wrong_links": totals.wrong_links,
        "possible_links": totals.possible_links,
        "rating_credit": totals.rating_credit,
    }


def _rating_to_dict(rating: RatingResult) -> dict[str, Any]:
    return {
        "article": rating.article,
        "reliability": rating.reliability,
        "credibility": rating.credibility,
        "reason": rating.reason,
        "key_reliability": rating.key_reliability,
        "key_credibility": rating.key_credibility,
        "reliability_accepted": rating.reliability_accepted,
        "credibility_accepted": rating.credibility_accepted,
        "points": rating.points,
        "credit": rating.credit,
        "reasoning": rating.reasoning,
    }


def _detection_to_dict(detection: Detection) -> dict[str, Any]:
    return {
        "category": detection.category,
        "correct": detection.correct,
        "flagged": detection.flagged,
        "expected": detection.expected,
        "precision": detection.precision,
        "recall": detection.recall,
        "f1": detection.f1,
    }


def _span_score_to_dict(span_score: SpanScore) -> dict[str, Any]:
    return {
        "flagged_spans": span_score.flagged_spans,
        "key_spans": span_score.key_spans,
        "precision": span_score.precision,
        "recall": span_score.recall,
        "f1": span_score.f1,
    }


def _scheme_counts_to_dict(counts: SchemeCounts) -> dict[str, Any]:
    return {
        "correct": counts.correct,
        "incorrect": counts.incorrect,
        "partial": counts.partial,
        "missed": counts.missed,
        "spurious": counts.spurious,
        "possible": counts.possible,
        "actual": counts.actual,
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
    }


def _policy_to_dict(policy: Policy) -> dict[str, Any]:
    return {field.name: getattr(policy, field.name) for field in _POLICY_FIELDS}


_POLICY_FIELDS = dataclasses.fields(Policy)


def report_from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a report from `report_to_dict` output; raise ValueError if it does not fit."""
    if data.get("format") != REPORT_FORMAT:
        raise ValueError(f"report format {data.get('format')!r} is not {REPORT_FORMAT}")
    fields = {key: value for key, value in data.items() if key != "format" and key not in DERIVED_FIELDS}
    report = _from_plain(Report, fields, "report")
    assert isinstance(report, Report)
    return report


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _from_plain(kind: Any, value: Any, where: str) -> Any:
    """Convert ``value`` to ``kind`` (a dataclass, enum, tuple, optional or scalar type)."""
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _from_plain(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{where}: expected a list, got {value!r}")
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_plain(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise ValueError(f"{where}: expected {len(args)} values, got {value!r}")
        return tuple(_from_plain(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {value!r}")
        hints = _hints(kind)
        names = [f.name for f in dataclasses.fields(kind)]
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r}")
        missing = [name for name in names if name not in value]
        if missing:
            raise ValueError(f"{where}: missing field {missing[0]!r}")
        return kind(**{n: _from_plain(hints[n], value[n], f"{where}.{n}") for n in names})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            raise ValueError(f"{where}: {value!r} is not a {kind.__name__}") from None
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if kind in (int, str, bool):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"{where}: expected {kind.__name__}, got {value!r}")
        return value
    raise TypeError(f"{where}: cannot rebuild type {kind!r}")
