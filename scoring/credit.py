"""How much a matched flag earns, when conflict groups pay, and what links are worth."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scoring.matching import boundary_agreement
from scoring.report import LinkResult, LinkStatus, builder
from scoring.types import Flag, KeyItem, Policy


_new_link_result = builder(LinkResult)
"""Built for every submission: the fast way."""

# Bound once: reading a member through its enum class is slow.
_SELF_LINK = LinkStatus.SELF_LINK
_UNKNOWN_FLAG = LinkStatus.UNKNOWN_FLAG
_NOT_A_FIGURE = LinkStatus.NOT_A_FIGURE
_CROSS_GROUP = LinkStatus.CROSS_GROUP
_REDUNDANT = LinkStatus.REDUNDANT
_CORRECT = LinkStatus.CORRECT


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


def groups_paid(groups: Iterable[str | None]) -> frozenset[str]:
    """Return the conflict groups named at least twice among the groups of the matched items.

    A conflicting number is only a conflict next to another figure of its group, so the figures of
    a group earn credit only when flags matched two or more of them. ``None`` (no group) is passed
    over.
    """
    seen: set[str] = set()
    paid: set[str] = set()
    for group in groups:
        if group is not None:
            if group in seen:
                paid.add(group)
            else:
                seen.add(group)
    return frozenset(paid)


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
        if flag.links:
            flag_id = flag.id
            for other in flag.links:
                pairs.add((flag_id, other) if flag_id <= other else (other, flag_id))
    if not pairs:
        return ()
    known: set[str] | None = None
    connected = _Connections()
    results = []
    for first, second in sorted(pairs):
        first_item, second_item = item_of_flag.get(first), item_of_flag.get(second)
        if known is None and (first_item is None or second_item is None):
            known = {flag.id for flag in flags}
        results.append(
            _judge_pair(first, second, first_item, second_item, known, connected, policy)
        )
    return tuple(results)


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
    first_item: KeyItem | None,
    second_item: KeyItem | None,
    known: set[str] | None,
    connected: _Connections,
    policy: Policy,
) -> LinkResult:
    """Judge one pair of linked flags, given the items they matched (None: no item).

    ``known`` holds every flag id, wherever an end matched no item.
    """
    ids = (first, second)
    if first == second:
        return _new_link_result(ids, _SELF_LINK, None, 0.0, f"Flag {first!r} links to itself.")
    if known is not None:
        for flag_id in ids:
            if flag_id not in known:
                return _new_link_result(
                    ids, _UNKNOWN_FLAG, None, 0.0, f"There is no flag {flag_id!r} to link to."
                )
    for flag_id, item in ((first, first_item), (second, second_item)):
        if item is None or item.group is None:
            return _new_link_result(
                ids,
                _NOT_A_FIGURE,
                None,
                0.0,
                f"Flag {flag_id!r} did not match a conflicting figure, so the link shows no conflict.",
            )
    assert first_item is not None and second_item is not None
    if first_item.group != second_item.group:
        return _new_link_result(
            ids,
            _CROSS_GROUP,
            None,
            0.0,
            f"Items {first_item.id!r} and {second_item.id!r} state different quantities "
            f"(groups {first_item.group!r} and {second_item.group!r}).",
        )
    if not connected.join(first_item.id, second_item.id):
        return _new_link_result(
            ids,
            _REDUNDANT,
            first_item.group,
            0.0,
            f"Items {first_item.id!r} and {second_item.id!r} conflict, but other links already "
            f"connect them: no further bonus.",
        )
    return _new_link_result(
        ids,
        _CORRECT,
        first_item.group,
        policy.link_bonus,
        f"Items {first_item.id!r} and {second_item.id!r} give conflicting figures for the same "
        f"quantity (group {first_item.group!r}).",
    )
