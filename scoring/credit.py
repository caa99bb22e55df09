"""How much a matched flag earns, which figures conflict, what links and source ratings are worth."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from scoring.report import LinkResult, LinkStatus, RatingResult, builder
from scoring.types import Flag, KeyItem, Policy, RatingKey, SourceRating

_new_link_result = builder(LinkResult)
"""Built for every submission: the fast way."""

# Bound once: reading a member through its enum class is slow.
_SELF_LINK = LinkStatus.SELF_LINK
_UNKNOWN_FLAG = LinkStatus.UNKNOWN_FLAG
_NOT_A_FIGURE = LinkStatus.NOT_A_FIGURE
_CROSS_GROUP = LinkStatus.CROSS_GROUP
_REDUNDANT = LinkStatus.REDUNDANT
_CORRECT = LinkStatus.CORRECT
_COMPATIBLE = LinkStatus.COMPATIBLE


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


def pair_credit(item: KeyItem, flag: Flag, by_boundary: float, policy: Policy) -> tuple[float, float, float]:
    """Return (credit, category factor, boundary factor) for a flag matched to an item.

    credit = points × category factor × boundary factor (`scoring.matching.boundary_factor`), so it
    never exceeds the item's points.
    """
    by_category = category_factor(item, flag.category, policy)
    return item.points * by_category * by_boundary, by_category, by_boundary


def conflict_partners(items: Sequence[KeyItem]) -> tuple[frozenset[int] | None, ...]:
    """Return, for each item, the positions of the items whose figures conflict with it.

    Two figures conflict when they belong to the same conflict group and neither lists the other
    in ``agrees_with``. An item outside every group gets None.
    """
    members: dict[str, list[int]] = {}
    for number, item in enumerate(items):
        if item.group is not None:
            members.setdefault(item.group, []).append(number)
    agreeing = agreeing_pairs(items)
    partners: list[frozenset[int] | None] = []
    for number, item in enumerate(items):
        if item.group is None:
            partners.append(None)
            continue
        partners.append(
            frozenset(
                other
                for other in members[item.group]
                if other != number and frozenset((item.id, items[other].id)) not in agreeing
            )
        )
    return tuple(partners)


def agreeing_pairs(items: Sequence[KeyItem]) -> dict[frozenset[str], str]:
    """Return each pair of agreeing figures (declared on either side) with the reason given."""
    return {frozenset((item.id, agreement.item)): agreement.reason for item in items for agreement in item.agrees_with}


def possible_links(items: Sequence[KeyItem]) -> int:
    """Return how many links can earn a bonus: per group, its figures minus its conflict clusters.

    Linking conflicting figures into one connected whole (a chain, a star, every pair) shows the
    trainee saw they disagree: n figures that all conflict need n - 1 links. Figures that agree
    earn nothing when linked, so a group counts one fewer link for each set of figures that no
    conflict connects to the rest.
    """
    connected = _Connections()
    partners = conflict_partners(items)
    count = 0
    for number, others in enumerate(partners):
        for other in others or ():
            if connected.join(items[number].id, items[other].id):
                count += 1
    return count


FigurePair = tuple[LinkStatus | None, str | None, str, str]
"""What linking two figures of a key means, whoever linked them: a fixed (status, group, reason),
or (None, group, reason if it earns the bonus, reason if earlier links connect them already)."""


def judge_links(
    flags: Sequence[Flag],
    item_of_flag: Mapping[str, KeyItem],
    policy: Policy,
    agreeing: Mapping[frozenset[str], str],
    *,
    known: dict[tuple[str, str], FigurePair] | None = None,
    flag_ids: Collection[str] | None = None,
) -> tuple[LinkResult, ...]:
    """Judge every distinct pair of linked flags, sorted by their ids.

    ``agreeing`` holds the key's `agreeing_pairs`. A pair linked in both directions counts once. A pair whose
    flags matched conflicting figures is correct, and earns ``policy.link_bonus`` when it connects
    a figure not yet connected to the other through the pairs before it: so a group of n figures
    earns at most n - 1 bonuses, however its figures are linked. A pair of figures that agree
    earns nothing, and its reason says why they agree. A pair across groups, a pair with an end
    that matched no figure, a link to an unknown flag id and a self-link earn nothing and are
    reported as wrong. ``known``, when given, keeps what each pair of figures linked means, by
    their item ids, for reuse: the submissions of one key link the same few figures.
    ``flag_ids``, when given, holds every flag's id (as `scoring.validation.check_flags` returns
    them), which would otherwise be collected wherever an end matched no item.
    """
    pairs: set[tuple[str, str]] = set()
    for flag in flags:
        if flag.links:
            flag_id = flag.id
            for other in flag.links:
                pairs.add((flag_id, other) if flag_id <= other else (other, flag_id))
    if not pairs:
        return ()
    connected = _Connections()
    results = []
    for first, second in sorted(pairs):
        first_item, second_item = item_of_flag.get(first), item_of_flag.get(second)
        if flag_ids is None and (first_item is None or second_item is None):
            flag_ids = {flag.id for flag in flags}  # needed only where an end matched nothing
        results.append(
            _judge_pair(first, second, first_item, second_item, flag_ids, agreeing, connected, policy, known)
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
    flag_ids: Collection[str] | None,
    agreeing: Mapping[frozenset[str], str],
    connected: _Connections,
    policy: Policy,
    known: dict[tuple[str, str], FigurePair] | None,
) -> LinkResult:
    """Judge one pair of linked flags, given the items they matched (None: no item).

    ``flag_ids`` holds every flag id, wherever an end matched no item.
    """
    ids = (first, second)
    if first == second:
        return _new_link_result(ids, _SELF_LINK, None, 0.0, f"Flag {first!r} links to itself.")
    if flag_ids is not None:
        if first not in flag_ids:
            return _new_link_result(ids, _UNKNOWN_FLAG, None, 0.0, f"There is no flag {first!r} to link to.")
        if second not in flag_ids:
            return _new_link_result(ids, _UNKNOWN_FLAG, None, 0.0, f"There is no flag {second!r} to link to.")
    # Most links judged join a flag that matched no figure: checked end by end, without a loop.
    if first_item is None or first_item.group is None:
        return _not_a_figure(ids, first, first_item)
    if second_item is None or second_item.group is None:
        return _not_a_figure(ids, second, second_item)
    figures = (first_item.id, second_item.id)
    pair = None if known is None else known.get(figures)
    if pair is None:
        pair = _figure_pair(first_item, second_item, agreeing, policy)
        if known is not None:
            known[figures] = pair
    status, group, reason, connected_already = pair
    if status is not None:
        return _new_link_result(ids, status, group, 0.0, reason)
    if not connected.join(first_item.id, second_item.id):
        return _new_link_result(ids, _REDUNDANT, group, 0.0, connected_already)
    return _new_link_result(ids, _CORRECT, group, policy.link_bonus, reason)


def _not_a_figure(ids: tuple[str, str], flag_id: str, item: KeyItem | None) -> LinkResult:
    """The result of a link one of whose ends, flag ``flag_id``, matched ``item``, no figure."""
    what = (
        "matched no key figure" if item is None else f"matched “{item.core_quote}”, which is not a conflicting figure"
    )
    return _new_link_result(ids, _NOT_A_FIGURE, None, 0.0, f"Flag {flag_id!r} {what}, so the link shows no conflict.")


def _figure_pair(first: KeyItem, second: KeyItem, agreeing: Mapping[frozenset[str], str], policy: Policy) -> FigurePair:
    """What linking figure ``first`` to figure ``second`` means (see `FigurePair`)."""
    figures = f"“{first.core_quote}” and “{second.core_quote}”"
    if first.group != second.group:
        return _CROSS_GROUP, None, f"{figures} state different quantities, so they cannot conflict.", ""
    agreement = agreeing.get(frozenset((first.id, second.id)))
    if agreement is not None:
        return _COMPATIBLE, first.group, f"{figures} agree: {agreement}", ""
    return (
        None,
        first.group,
        f"{figures} give conflicting figures for the same quantity: +{policy.link_bonus:g}.",
        f"{figures} conflict, but your other links already connect them: no further bonus.",
    )


def judge_ratings(keys: Sequence[RatingKey], given: Sequence[SourceRating], policy: Policy) -> tuple[RatingResult, ...]:
    """Compare the trainee's source ratings with the key's, one result per article the key rates.

    A reliability within the key's accepted range earns half of ``policy.rating_points``, a
    credibility within it the other half; a missing rating earns nothing.
    """
    by_article = {rating.article: rating for rating in given}
    half = policy.rating_points / 2
    results = []
    for key in keys:
        rating = by_article.get(key.article)
        reliability = rating.reliability if rating else None
        credibility = rating.credibility if rating else None
        reliable_ok = reliability in key.accept_reliability
        credible_ok = credibility in key.accept_credibility
        results.append(
            RatingResult(
                article=key.article,
                reliability=reliability,
                credibility=credibility,
                reason=rating.reason if rating else "",
                key_reliability=key.reliability,
                key_credibility=key.credibility,
                reliability_accepted=reliable_ok,
                credibility_accepted=credible_ok,
                points=policy.rating_points,
                credit=half * reliable_ok + half * credible_ok,
                reasoning=key.reasoning,
            )
        )
    return tuple(results)
