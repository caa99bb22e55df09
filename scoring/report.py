"""The result of scoring: a `Report` made of frozen dataclasses, and its JSON-safe form.

`report_to_dict` turns a report into plain dicts, lists, strings and numbers that ``json.dumps``
accepts; `report_from_dict` rebuilds the identical report, so the app can store a report and show
it again later without scoring twice.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import operator
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scoring.types import Policy

REPORT_FORMAT = 2
"""Version of the dict layout written by `report_to_dict`; bumped when a field changes meaning."""

DERIVED_FIELDS = ("discernment", "calibration")
"""Measures an application may store beside a report's fields, worked out from the report
(`scoring.discernment`, `scoring.calibration`); `report_from_dict` passes over them."""

_T = typing.TypeVar("_T")
_Arguments = typing.ParamSpec("_Arguments")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def builder(cls: Callable[_Arguments, _T]) -> Callable[_Arguments, _T]:
    """Return a faster constructor of ``cls``, a frozen slotted dataclass without defaults.

    It takes what ``cls`` takes and returns an ordinary, immutable ``cls``. A frozen dataclass's
    ``__init__`` must set each field through ``object.__setattr__``, its own ``__setattr__``
    refusing, which costs several times what setting a slot costs. The constructor is a mutable
    twin of ``cls``, a dataclass with the same slots, whose ``__init__`` sets them at full speed
    and then makes the object a ``cls`` (the layouts are the same, so ``__class__`` may be
    assigned). Rescoring builds dozens of results per submission for thousands of submissions,
    so the engine uses builders.
    """
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"{cls!r} is not a dataclass")
    fields = [(field.name, field.type) for field in dataclasses.fields(cls)]

    def become_frozen(self: object) -> None:
        self.__class__ = cls

    twin = dataclasses.make_dataclass(
        f"{cls.__name__}Draft",
        fields,
        namespace={"__post_init__": become_frozen},
        repr=False,
        eq=False,
        match_args=False,
        slots=True,
    )
    constructor: Callable[_Arguments, _T] = twin
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


def report_to_dict(report: Report) -> dict[str, Any]:
    """Return the report as JSON-safe dicts, lists, strings, numbers and None."""
    (data,) = _plain_maker(Report)((report,))
    data["format"] = REPORT_FORMAT
    return data


_Plain = Callable[[Any], Any]


@functools.cache
def _plain_maker(cls: type) -> Callable[[Iterable[Any]], list[dict[str, Any]]]:
    """Return a function turning ``cls`` objects (dataclasses of this module or `Policy`) into dicts.

    The function is put together from the field types, once per class: a nested dataclass
    becomes a dict, a tuple a list, an enum member its value; anything else is kept as it is.
    The app stores every report it scores, so this is on the path of every rescoring: a report's
    items and flags are converted together, their fields read (an enum member's value with
    them) and paired with their names by built-in functions, and only the fields that still need
    it converted afterwards.
    """
    names = _field_names(cls)
    hints = _hints(cls)
    enums = {name for name in names if isinstance(hints[name], type) and issubclass(hints[name], enum.Enum)}
    paths = [f"{name}._value_" if name in enums else name for name in names]
    read = operator.attrgetter(*paths) if len(paths) > 1 else lambda value: (operator.attrgetter(*paths)(value),)
    conversions = [
        (name, convert)
        for name in names
        if name not in enums and (convert := _plain_converter(hints[name])) is not None
    ]

    def plain(values: Iterable[Any]) -> list[dict[str, Any]]:
        dicts = [dict(zip(names, row)) for row in map(read, values)]
        for name, convert in conversions:
            for data in dicts:
                data[name] = convert(data[name])
        return dicts

    return plain


def _plain_converter(kind: Any) -> _Plain | None:
    """Return a function turning a value of type ``kind`` into its plain form; None: kept as it is."""
    arguments = [a for a in typing.get_args(kind) if a is not type(None)]
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        (inner,) = arguments
        convert_inner = _plain_converter(inner)
        if convert_inner is None:
            return None
        return lambda value: None if value is None else convert_inner(value)
    if origin is tuple:
        element = arguments[0]
        if all(argument is element for argument in arguments[1:] if argument is not Ellipsis):
            if isinstance(element, type) and dataclasses.is_dataclass(element):
                return _plain_maker(element)
            convert_element = _plain_converter(element)
            if convert_element is None:
                return list
            return lambda value: list(map(convert_element, value))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        plain_many = _plain_maker(kind)
        return lambda value: plain_many((value,))[0]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return operator.attrgetter("_value_")
    if kind in _SCALARS:
        return None
    raise TypeError(f"no plain form for {kind!r}")


def report_from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a report from `report_to_dict` output; raise ValueError if it does not fit."""
    if data.get("format") != REPORT_FORMAT:
        raise ValueError(f"report format {data.get('format')!r} is not {REPORT_FORMAT}")
    fields = {key: value for key, value in data.items() if key != "format" and key not in DERIVED_FIELDS}
    report = _from_plain(Report, fields, "report")
    assert isinstance(report, Report)
    return report


_SCALARS = (str, int, float, bool, type(None))


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
