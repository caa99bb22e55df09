"""Check an instructor key and resolve its quotes to offsets: for key files and in-app keys alike."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from exercises.cores import derived_core
from exercises.fields import ID_PATTERN, Fields, type_name
from exercises.problems import ProblemLog
from exercises.types import Category, ConflictGroup
from scoring.anchoring import find_quote
from scoring.types import CREDIBILITY, RELIABILITY, Agreement, KeyItem, RatingKey

ITEM_FIELDS = (
    "id",
    "article",
    "quote",
    "occurrence",
    "core",
    "core_occurrence",
    "category",
    "also",
    "points",
    "group",
    "decoy",
    "explanation",
)
"""The fields a key item (``[[items]]`` in ``key.toml``) may have."""


def validate_key(
    items: Sequence[Mapping[str, Any]],
    articles: Mapping[str, str],
    categories: Sequence[Category],
    groups: Sequence[ConflictGroup] | None = None,
    *,
    source: str = "key.toml",
) -> tuple[KeyItem, ...]:
    """Check key items given as dicts and return them as key items, offsets resolved.

    ``articles`` maps each article id to its stored text. ``groups``, when given, are the declared
    conflict groups; an item naming another group is then a problem. ``source`` names the key in
    problem messages. Raises :class:`exercises.problems.PackageError` listing every problem.
    This is exactly the check :func:`exercises.loader.load_package` applies to ``key.toml``.
    """
    log = ProblemLog()
    key = check_items(items, articles, categories, groups, log, source=source)
    log.raise_if_any()
    return key


def read_groups(table: Mapping[str, Any], log: ProblemLog, source: str) -> tuple[ConflictGroup, ...]:
    """Read the ``[groups.<id>]`` tables of a key file, each with a ``description``.

    A group may list pairs of its figures that agree, each an ``[[groups.<id>.agree]]`` table with
    ``items`` (two item ids) and ``reason``.
    """
    groups = []
    for group_id, body in table.items():
        if not ID_PATTERN.fullmatch(group_id):
            log.add(source, f"group id {group_id!r} is not an id", field=f"groups.{group_id}")
            continue
        if not isinstance(body, dict):
            log.add(
                source,
                f"expected a table [groups.{group_id}], got {type_name(body)}",
                field=f"groups.{group_id}",
            )
            continue
        fields = Fields(body, log, source, item=f"groups.{group_id}")
        description = fields.text("description")
        agreements = []
        for index, raw in enumerate(fields.tables("agree", required=False) or [], start=1):
            pair = Fields(raw, log, source, item=f"groups.{group_id}.agree[{index}]")
            items = pair.identifiers("items")
            reason = pair.text("reason")
            pair.finish()
            if items is not None and len(items) != 2:
                pair.problem("items", f"names {len(items)} items; an agreement is between two figures")
            elif items is not None and reason is not None:
                agreements.append((items[0], items[1], reason))
        fields.finish()
        if description is not None:
            groups.append(ConflictGroup(id=group_id, description=description, agree=tuple(agreements)))
    return tuple(groups)


def check_items(
    items: Sequence[Mapping[str, Any]],
    articles: Mapping[str, str],
    categories: Sequence[Category],
    groups: Sequence[ConflictGroup] | None,
    log: ProblemLog,
    *,
    source: str,
    unreadable: Collection[str] = (),
) -> tuple[KeyItem, ...]:
    """Check every item, record problems in ``log`` and return the items that passed.

    Items naming an article in ``unreadable`` (declared, but its files had problems already
    recorded) are checked for everything except their quote.
    """
    category_ids = {category.id: category for category in categories}
    checked: list[KeyItem] = []
    seen_ids: set[str] = set()
    for index, raw in enumerate(items, start=1):
        label = f"items[{index}]"
        if not isinstance(raw, Mapping):
            log.add(source, f"expected a table, got {type_name(raw)}", item=label)
            continue
        item_id = raw.get("id")
        if isinstance(item_id, str) and item_id:
            label = item_id
        fields = Fields(raw, log, source, item=label)
        item = _check_item(fields, articles, category_ids, groups, unreadable)
        fields.finish()
        if item_id is not None and isinstance(item_id, str):
            if item_id in seen_ids:
                fields.problem("id", f"duplicate id {item_id!r}")
                continue
            seen_ids.add(item_id)
        if item is not None:
            checked.append(item)
    _check_group_sizes(checked, groups, log, source)
    _check_overlaps(checked, log, source)
    return _with_agreements(checked, groups or (), log, source)


def _with_agreements(
    items: list[KeyItem], groups: Sequence[ConflictGroup], log: ProblemLog, source: str
) -> tuple[KeyItem, ...]:
    """Give each figure the agreements its group declares (on both figures of a pair)."""
    agreements: dict[str, list[Agreement]] = defaultdict(list)
    group_of = {item.id: item.group for item in items}
    for group in groups:
        for first, second, reason in group.agree:
            for one in (first, second):
                if group_of.get(one) != group.id:
                    log.add(
                        source,
                        f"agreement names {one!r}, which is not a figure of this group",
                        item=f"groups.{group.id}",
                        field="agree",
                    )
                    break
            else:
                agreements[first].append(Agreement(second, reason))
                agreements[second].append(Agreement(first, reason))
    return tuple(
        dataclasses.replace(item, agrees_with=tuple(agreements[item.id])) if item.id in agreements else item
        for item in items
    )


def _check_item(
    fields: Fields,
    articles: Mapping[str, str],
    categories: Mapping[str, Category],
    groups: Sequence[ConflictGroup] | None,
    unreadable: Collection[str],
) -> KeyItem | None:
    """Check one item's fields and resolve its quote; None if anything is wrong."""
    problems_before = len(fields.log.problems)
    item_id = fields.identifier("id")
    article = fields.identifier("article")
    quote = fields.text("quote")
    occurrence = fields.integer("occurrence", required=False)
    core = fields.text("core", required=False)
    core_occurrence = fields.integer("core_occurrence", required=False)
    category = fields.identifier("category")
    also = fields.identifiers("also", required=False)
    points = fields.number("points", default=1.0)
    group = fields.identifier("group", required=False)
    decoy = fields.boolean("decoy", default=False)
    explanation = fields.text("explanation")

    if article is not None and article not in articles and article not in unreadable:
        fields.problem("article", f"unknown article {article!r}")
    if category is not None and category not in categories:
        fields.problem("category", f"unknown category {category!r}")
    for alternative in also or ():
        if alternative not in categories:
            fields.problem("also", f"unknown category {alternative!r}")
        elif alternative == category:
            fields.problem("also", f"repeats the item's own category {alternative!r}")
    _check_group_field(fields, group, category, also or (), bool(decoy), categories, groups)

    span = core_span = None
    if article is not None and article in articles and quote is not None:
        span = _resolve(fields, articles[article], article, quote, occurrence)
        if span is not None:
            known = categories.get(category) if category is not None else None
            figure = known is not None and (group is not None or known.grouped)
            core_span = _resolve_core(fields, articles[article], span, core, core_occurrence, figure)
    if len(fields.log.problems) > problems_before:
        return None
    if (
        span is None
        or item_id is None
        or article is None
        or category is None
        or points is None
        or decoy is None
        or explanation is None
    ):
        return None
    assert core_span is not None
    return KeyItem(
        id=item_id,
        article=article,
        start=span[0],
        end=span[1],
        quote=articles[article][span[0] : span[1]],
        category=category,
        points=points,
        also=also or (),
        group=group,
        decoy=decoy,
        explanation=explanation,
        core_start=core_span[0],
        core_end=core_span[1],
    )


def _check_group_field(
    fields: Fields,
    group: str | None,
    category: str | None,
    also: Sequence[str],
    decoy: bool,
    categories: Mapping[str, Category],
    groups: Sequence[ConflictGroup] | None,
) -> None:
    """Apply the conflict-group rules to one item.

    A non-decoy item of a grouped category needs a group. A group is allowed only on a non-decoy
    item whose category, or one of whose ``also`` categories, is grouped. With declared groups,
    the group must be one of them.
    """
    grouped = {c.id for c in categories.values() if c.grouped}
    if category is None or category not in categories:
        return
    if group is None:
        if category in grouped and not decoy:
            fields.problem("group", f"missing: a {category} item names its conflict group")
        return
    if decoy:
        fields.problem("group", "a decoy cannot belong to a conflict group")
    elif category not in grouped and not grouped.intersection(also):
        names = ", ".join(sorted(grouped)) or "none in this exercise"
        fields.problem(
            "group",
            f"only items of a grouped category ({names}) belong to conflict groups; this one is {category}",
        )
    elif groups is not None and group not in {g.id for g in groups}:
        fields.problem("group", f"unknown group {group!r}: declare it as [groups.{group}]")


def _resolve(fields: Fields, text: str, article: str, quote: str, occurrence: int | None) -> tuple[int, int] | None:
    """Turn the item's quote into a span of the article's stored text, or record why not."""
    spans = find_quote(text, quote)
    if not spans:
        fields.problem("quote", f"not found in article {article!r}")
        return None
    if occurrence is None:
        if len(spans) > 1:
            fields.problem(
                "quote",
                f"found {len(spans)} times in article {article!r}; set occurrence (1 to {len(spans)}) to choose one",
            )
            return None
        return spans[0]
    if occurrence > len(spans):
        fields.problem(
            "occurrence",
            f"occurrence {occurrence} is out of range: the quote is found {len(spans)} time(s)",
        )
        return None
    return spans[occurrence - 1]


def _resolve_core(
    fields: Fields,
    text: str,
    span: tuple[int, int],
    core: str | None,
    occurrence: int | None,
    figure: bool,
) -> tuple[int, int] | None:
    """Find the item's core inside its resolved quote, or derive it (and warn), or record why not."""
    start, end = span
    if core is None:
        if occurrence is not None:
            fields.problem("core_occurrence", "is set but the item has no core")
            return None
        relative = derived_core(text[start:end], figure=figure)
        derived = text[start + relative[0] : start + relative[1]]
        fields.log.warning(
            fields.file,
            f"no core: the words a flag must cover are derived as {derived!r}; set core to choose them",
            item=fields.item,
            field="core",
        )
        return start + relative[0], start + relative[1]
    found = find_quote(text[start:end], core)
    if not found:
        fields.problem("core", f"{core!r} is not inside the item's quote")
        return None
    if occurrence is None and len(found) > 1:
        fields.problem(
            "core",
            f"found {len(found)} times in the quote; set core_occurrence (1 to {len(found)})",
        )
        return None
    index = (occurrence or 1) - 1
    if not 0 <= index < len(found):
        fields.problem(
            "core_occurrence",
            f"occurrence {occurrence} is out of range: the core is found {len(found)} time(s)",
        )
        return None
    return start + found[index][0], start + found[index][1]


def _check_group_sizes(
    items: Sequence[KeyItem],
    groups: Sequence[ConflictGroup] | None,
    log: ProblemLog,
    source: str,
) -> None:
    """Record groups with fewer than two members: a conflict needs two figures."""
    members: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.group is not None:
            members[item.group].append(item.id)
    declared = [g.id for g in groups] if groups is not None else list(members)
    for group_id in declared:
        found = members.get(group_id, [])
        if len(found) == 1:
            log.add(
                source,
                f"conflict group {group_id!r} has one member ({found[0]!r}); a conflict needs at least two figures",
                item=f"groups.{group_id}",
            )
        elif not found:
            log.add(source, f"conflict group {group_id!r} has no members", item=f"groups.{group_id}")


def _check_overlaps(items: Sequence[KeyItem], log: ProblemLog, source: str) -> None:
    """Record items of one category whose spans overlap in the same article."""
    by_place: dict[tuple[str, str], list[KeyItem]] = defaultdict(list)
    for item in items:
        by_place[(item.article, item.category)].append(item)
    for (article, category), placed in by_place.items():
        placed.sort(key=lambda item: (item.start, item.end))
        reaching = placed[0]
        for item in placed[1:]:
            if item.start < reaching.end:
                log.add(
                    source,
                    f"overlaps item {reaching.id!r}: both are {category} in article {article!r}",
                    item=item.id,
                    field="quote",
                )
            if item.end > reaching.end:
                reaching = item


def read_rating_key(
    tables: Sequence[Mapping[str, Any]], articles: Collection[str], log: ProblemLog, source: str
) -> tuple[RatingKey, ...]:
    """Read the ``[[ratings]]`` of a key file: the instructor's Admiralty rating of each article.

    Each names an ``article``, a ``reliability`` (A-F) and ``credibility`` (1-6), the accepted
    ranges ``accept_reliability`` and ``accept_credibility`` (which must hold the key's own
    grades) and the ``reasoning`` trainees read in the debrief.
    """
    ratings = []
    seen: set[str] = set()
    for index, raw in enumerate(tables, start=1):
        label = raw.get("article") if isinstance(raw.get("article"), str) else f"ratings[{index}]"
        fields = Fields(raw, log, source, item=f"ratings.{label}")
        article = fields.identifier("article")
        grades = {}
        for name, scale in (("reliability", RELIABILITY), ("credibility", CREDIBILITY)):
            grade = fields.text(name)
            accepted = fields.strings(f"accept_{name}")
            for value in ([grade] if grade is not None else []) + list(accepted or ()):
                if value not in scale:
                    fields.problem(name, f"{value!r} is not one of {', '.join(scale)}")
            if grade is not None and accepted is not None and grade not in accepted:
                fields.problem(f"accept_{name}", f"leaves out the key's own {name} {grade!r}")
            grades[name] = (grade, accepted)
        reasoning = fields.text("reasoning")
        fields.finish()
        if article is not None:
            if article not in articles:
                fields.problem("article", f"unknown article {article!r}")
            elif article in seen:
                fields.problem("article", f"article {article!r} is rated twice")
            seen.add(article)
        (reliability, accept_reliability), (credibility, accept_credibility) = grades.values()
        if (
            article is None
            or reliability is None
            or credibility is None
            or accept_reliability is None
            or accept_credibility is None
            or reasoning is None
        ):
            continue
        ratings.append(
            RatingKey(
                article=article,
                reliability=reliability,
                credibility=credibility,
                accept_reliability=accept_reliability,
                accept_credibility=accept_credibility,
                reasoning=reasoning,
            )
        )
    return tuple(ratings)


def which_occurrence(text: str, quote: str, start: int, end: int) -> int | None:
    """Which occurrence (1-based) of ``quote`` in ``text`` the span is, when it occurs more than once."""
    spans = find_quote(text, quote)
    if len(spans) > 1 and (start, end) in spans:
        return spans.index((start, end)) + 1
    return None


def item_table(item: KeyItem, text: str) -> dict[str, Any]:
    """Return a resolved key item as ``key.toml`` writes it, for the article ``text`` it indexes.

    Its quote is the stored slice, with ``occurrence`` when the quote is repeated; likewise its
    core inside the quote. Agreements are written with their group (see `declared_groups`).
    """
    quote = text[item.start : item.end]
    table: dict[str, Any] = {"id": item.id, "article": item.article, "quote": quote}
    occurrence = which_occurrence(text, quote, item.start, item.end)
    if occurrence is not None:
        table["occurrence"] = occurrence
    if item.core_start is not None and item.core_end is not None:
        core = text[item.core_start : item.core_end]
        table["core"] = core
        occurrence = which_occurrence(quote, core, item.core_start - item.start, item.core_end - item.start)
        if occurrence is not None:
            table["core_occurrence"] = occurrence
    table["category"] = item.category
    if item.also:
        table["also"] = list(item.also)
    table["points"] = item.points
    if item.group is not None:
        table["group"] = item.group
    if item.decoy:
        table["decoy"] = True
    table["explanation"] = item.explanation
    return table


def declared_groups(descriptions: Mapping[str, str], key: Sequence[KeyItem]) -> tuple[ConflictGroup, ...]:
    """Return the conflict groups with their descriptions and the agreeing pairs the key's figures
    carry (each pair once), as ``key.toml`` declares them; pairs naming an item the key no longer
    has are left out."""
    ids = {item.id for item in key}
    pairs: dict[str, dict[frozenset[str], tuple[str, str, str]]] = defaultdict(dict)
    for item in key:
        if item.group is None:
            continue
        for agreement in item.agrees_with:
            if agreement.item in ids:
                pair = frozenset((item.id, agreement.item))
                pairs[item.group].setdefault(pair, (item.id, agreement.item, agreement.reason))
    return tuple(
        ConflictGroup(id=group, description=description, agree=tuple(pairs[group].values()))
        for group, description in descriptions.items()
    )
