import pytest

from scoring.credit import agreeing_pairs, category_factor, conflict_partners, judge_links, pair_credit, possible_links
from scoring.report import LinkStatus
from scoring.types import Agreement, Flag, KeyItem, Policy

POLICY = Policy(alternative_credit=0.5, other_category_credit=0.25, link_bonus=0.5)
ITEM = KeyItem("k1", "a", 10, 30, "q", "unverified", points=2.0, also=("loaded_framing",))


@pytest.mark.parametrize(
    ("category", "factor"),
    [("unverified", 1.0), ("loaded_framing", 0.5), ("conflicting_number", 0.25)],
)
def test_category_factor(category, factor):
    assert category_factor(ITEM, category, POLICY) == factor


def test_pair_credit_multiplies_points_category_and_boundary():
    exact = Flag("f", "a", 10, 30, "unverified")
    assert pair_credit(ITEM, exact, 1.0, POLICY) == (2.0, 1.0, 1.0)
    # boundary factor 0.8; alternative category 0.5; 2 points -> 0.8
    longer = Flag("f", "a", 10, 40, "loaded_framing")
    credit, by_category, by_boundary = pair_credit(ITEM, longer, 0.8, POLICY)
    assert (by_category, by_boundary) == (0.5, 0.8)
    assert credit == pytest.approx(0.8)


def _figure(item_id, group, start=0, agrees=()):
    return KeyItem(
        item_id,
        "a",
        start,
        start + 5,
        "q",
        "conflicting_number",
        group=group,
        agrees_with=tuple(Agreement(other, "they agree") for other in agrees),
    )


def test_figures_conflict_with_the_others_of_their_group_except_those_that_agree():
    items = [
        _figure("x1", "x", agrees=["x3"]),
        _figure("x2", "x"),
        _figure("x3", "x"),
        _figure("y1", "y"),
        _figure("y2", "y"),
        ITEM,
    ]
    # declared on one side only, the agreement holds both ways
    assert conflict_partners(items) == (
        frozenset({1}),
        frozenset({0, 2}),
        frozenset({1}),
        frozenset({4}),
        frozenset({3}),
        None,
    )


def test_possible_links_are_one_fewer_than_the_figures_of_each_group():
    items = (
        [_figure(f"x{n}", "x") for n in range(2)]
        + [_figure(f"y{n}", "y") for n in range(3)]
        + [_figure(f"z{n}", "z") for n in range(4)]
    )
    assert possible_links(items) == 1 + 2 + 3


def test_figures_that_agree_with_every_other_need_no_link():
    # a and b agree, c conflicts with both: a-c and b-c connect all three, 2 links
    assert possible_links([_figure("a", "x", agrees=["b"]), _figure("b", "x"), _figure("c", "x")]) == 2
    # a agrees with b and with c, b and c agree: nothing conflicts
    assert (
        possible_links([_figure("a", "x", agrees=["b", "c"]), _figure("b", "x", agrees=["c"]), _figure("c", "x")]) == 0
    )


def _flags(*links):
    return [Flag(name, "a", 0, 5, "conflicting_number", links=tuple(to)) for name, to in links]


def test_links_earn_the_bonus_for_each_figure_they_connect():
    # f1-f2 both ways counts once; f1-f3 connects x3; f2-f3 adds nothing: x1, x2, x3 are joined
    flags = _flags(("f1", ["f2"]), ("f2", ["f1", "f3"]), ("f3", ["f1"]))
    item_of_flag = {"f1": _figure("x1", "x"), "f2": _figure("x2", "x"), "f3": _figure("x3", "x")}
    links = judge_links(flags, item_of_flag, POLICY, agreeing_pairs(list(item_of_flag.values())))
    assert [(link.flag_ids, link.status, link.group, link.bonus) for link in links] == [
        (("f1", "f2"), LinkStatus.CORRECT, "x", 0.5),
        (("f1", "f3"), LinkStatus.CORRECT, "x", 0.5),
        (("f2", "f3"), LinkStatus.REDUNDANT, "x", 0.0),
    ]


def test_a_chain_earns_as_much_as_every_pair():
    item_of_flag = {f"f{n}": _figure(f"x{n}", "x", start=10 * n) for n in range(4)}
    chain = _flags(("f0", ["f1"]), ("f1", ["f2"]), ("f2", ["f3"]), ("f3", []))
    every_pair = _flags(("f0", ["f1", "f2", "f3"]), ("f1", ["f2", "f3"]), ("f2", ["f3"]), ("f3", []))
    for flags in (chain, every_pair):
        links = judge_links(flags, item_of_flag, POLICY, agreeing_pairs(list(item_of_flag.values())))
        assert sum(link.bonus for link in links) == 1.5  # 3 figures joined to the first: 3 * 0.5


def test_wrong_links_are_reported_and_earn_nothing():
    flags = _flags(("f1", ["f2", "f3", "nope", "f1"]), ("f2", []), ("f3", ["f4"]), ("f4", []))
    item_of_flag = {"f1": _figure("x1", "x"), "f2": _figure("y1", "y"), "f3": ITEM}
    links = judge_links(flags, item_of_flag, POLICY, agreeing_pairs(list(item_of_flag.values())))
    assert [(link.flag_ids, link.status, link.bonus) for link in links] == [
        (("f1", "f1"), LinkStatus.SELF_LINK, 0.0),
        (("f1", "f2"), LinkStatus.CROSS_GROUP, 0.0),
        (("f1", "f3"), LinkStatus.NOT_A_FIGURE, 0.0),  # f3 matched an item without a group
        (("f1", "nope"), LinkStatus.UNKNOWN_FLAG, 0.0),
        (("f3", "f4"), LinkStatus.NOT_A_FIGURE, 0.0),  # f4 matched nothing
    ]
    assert all(link.group is None for link in links)
    assert "'nope'" in links[3].reason


def test_a_link_between_figures_that_agree_earns_nothing_and_says_why():
    x1 = KeyItem(
        "x1",
        "a",
        0,
        21,
        "300 killed or wounded",
        "conflicting_number",
        group="x",
        core_start=0,
        core_end=3,
        agrees_with=(Agreement("x2", "100 killed and 200 injured make 300."),),
    )
    x2 = KeyItem("x2", "a", 10, 20, "100 killed", "conflicting_number", group="x")
    flags = _flags(("f1", ["f2"]), ("f2", []))
    (link,) = judge_links(flags, {"f1": x1, "f2": x2}, POLICY, agreeing_pairs([x1, x2]))
    assert (link.status, link.bonus) == (LinkStatus.COMPATIBLE, 0.0)
    assert link.reason == "“300” and “100 killed” agree: 100 killed and 200 injured make 300."


def test_a_link_to_a_flag_that_matched_nothing_says_so():
    flags = _flags(("f1", ["f2"]), ("f2", []))
    x1 = _figure("x1", "x")
    (link,) = judge_links(flags, {"f1": x1}, POLICY, agreeing_pairs([x1]))
    assert link.reason == "Flag 'f2' matched no key figure, so the link shows no conflict."
