"""How much a matched flag earns, when conflict groups pay, and what links are worth."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scoring.matching import boundary_agreement
from scoring.report import LinkResult, LinkStatus, builder
from scoring.types import Flag, KeyItem, Policy


_new_link_result = builder(LinkResult)
"""Built for every submission: the fast way."""


def category_factor(item: KeyItem, category: str, policy: Policy) -> float:
    """Return the share of an item's points a category earns.

    The key's category earns all of it; a category the key accepts (``also``) earns
    ``policy.alternative_credit``; any other category earns ``policy.other_category_credit``.
    """
    if category == item.category:
        return 1.0
    if category in item.also:
        return policy.alternative_credit
    return policy.other_category_credit


def pair_credit(item: KeyItem, flag: Flag, policy: Policy) -> tuple[float, float, float]:
    """Return (credit, category factor, boundary factor) for a flag matched to an item.

    credit = points × category factor × boundary factor, so it never exceeds the item's points.
    """
    by_category = category_factor(item, flag.category, policy)
    by_boundary = boundary_agreement(item.start, item.end, flag.start, flag.end)
    return item.points * by_category * by_boundary, by_category, by_boundary


def groups_paid(matched_items: Iterable[KeyItem]) -> frozenset[str]:
    """Return the conflict groups in which flags matched at least two figures.

    A conflicting number is only a conflict next to another figure of its group, so the figures of
    a group earn credit only when flags matched two or more of them.
    """
    seen: dict[str, int] = {}
    for item in matched_items:
        if item.group is not None:
            seen[item.group] = seen.get(item.group, 0) + 1
    return frozenset(group for group, count in seen.items() if count >= 2)


def possible_links(group_sizes: Mapping[str, int]) -> int:
    """Return how many links can earn a bonus: one fewer than the figures of each group.

    Linking the figures of a group into one connected whole (a chain, a star, every pair) is what
    shows the trainee saw they all disagree; n figures need n - 1 links for that.
    """
    return sum(size - 1 for size in group_sizes.values() if size > 0)


def judge_links(
    flags: Sequence[Flag], item_of_flag: Mapping[str, KeyItem], policy: Policy
) -> tuple[LinkResult, ...]:
    """Judge every distinct pair of linked flags, sorted by their ids.

    A pair linked in both directions counts once. A pair whose flags matched figures (items with a
    group) of the same conflict group is correct, and earns ``policy.link_bonus`` when it connects
    a figure not yet connected to the other through the pairs before it: so a group of n figures
    earns at most n - 1 bonuses, however its figures are linked. A pair across groups, a pair with
    an end that matched no figure, a link to an unknown flag id and a self-link earn nothing and
    are reported as wrong.
    """
    pairs: set[tuple[str, str]] = set()
    for flag in flags:
        for other in flag.links:
            pairs.add((flag.id, other) if flag.id <= other else (other, flag.id))
    if not pairs:
        return ()
    known = {flag.id for flag in flags}
    connected = _Connections()
    return tuple(
        _judge_pair(first, second, known, item_of_flag, connected, policy)
        for first, second in sorted(pairs)
    )


class _Connections:
    """Which figures the links judged so far have joined together (union-find over item ids)."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _root(self, item_id: str) -> str:
        parent = self._parent
        while parent.setdefault(item_id, item_id) != item_id:
            parent[item_id] = parent[parent[item_id]]
            item_id = parent[item_id]
        return item_id

    def join(self, first: str, second: str) -> bool:
        """Connect two figures; False when they were connected already."""
        a, b = self._root(first), self._root(second)
        if a == b:
            return False
        self._parent[b] = a
        return True


def _judge_pair(
    first: str,
    second: str,
    known: set[str],
    item_of_flag: Mapping[str, KeyItem],
    connected: _Connections,
    policy: Policy,
) -> LinkResult:
    ids = (first, second)
    if first == second:
        return _new_link_result(ids, LinkStatus.SELF_LINK, None, 0.0, f"Flag {first!r} links to itself.")
    unknown = [flag_id for flag_id in ids if flag_id not in known]
    if unknown:
        return _new_link_result(
            ids, LinkStatus.UNKNOWN_FLAG, None, 0.0, f"There is no flag {unknown[0]!r} to link to."
        )
    items = [item_of_flag.get(flag_id) for flag_id in ids]
    for flag_id, item in zip(ids, items):
        if item is None or item.group is None:
            return _new_link_result(
                ids,
                LinkStatus.NOT_A_FIGURE,
                None,
                0.0,
                f"Flag {flag_id!r} did not match a conflicting figure, so the link shows no conflict.",
            )
    first_item, second_item = items
    assert first_item is not None and second_item is not None
    if first_item.group != second_item.group:
        return _new_link_result(
            ids,
            LinkStatus.CROSS_GROUP,
            None,
            0.0,
            f"Items {first_item.id!r} and {second_item.id!r} state different quantities "
            f"(groups {first_item.group!r} and {second_item.group!r}).",
        )
    if not connected.join(first_item.id, second_item.id):
        return _new_link_result(
            ids,
            LinkStatus.REDUNDANT,
            first_item.group,
            0.0,
            f"Items {first_item.id!r} and {second_item.id!r} conflict, but other links already "
            f"connect them: no further bonus.",
        )
    return _new_link_result(
        ids,
        LinkStatus.CORRECT,
        first_item.group,
        policy.link_bonus,
        f"Items {first_item.id!r} and {second_item.id!r} give conflicting figures for the same "
        f"quantity (group {first_item.group!r}).",
    )
