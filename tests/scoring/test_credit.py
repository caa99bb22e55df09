import pytest

from scoring.credit import category_factor, groups_paid, judge_links, pair_credit, possible_links
from scoring.report import LinkStatus
from scoring.types import Flag, KeyItem, Policy

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
    assert pair_credit(ITEM, exact, POLICY) == (2.0, 1.0, 1.0)
    # 20 shared of 20 + 30: agreement 40/50 = 0.8; alternative category 0.5; 2 points -> 0.8
    longer = Flag("f", "a", 10, 40, "loaded_framing")
    credit, by_category, by_boundary = pair_credit(ITEM, longer, POLICY)
    assert (by_category, by_boundary) == (0.5, pytest.approx(0.8))
    assert credit == pytest.approx(0.8)


def _figure(item_id, group, start=0):
    return KeyItem(item_id, "a", start, start + 5, "q", "conflicting_number", group=group)


def test_groups_pay_only_with_two_figures_matched():
    # the groups of the matched items: two figures of x, one of y, one item outside any group
    assert groups_paid(["x", "x", "y", None]) == frozenset({"x"})
    assert groups_paid([None, None]) == frozenset()
    assert groups_paid([]) == frozenset()


def test_possible_links_are_one_fewer_than_the_figures_of_each_group():
    assert possible_links({"x": 2, "y": 3, "z": 4}) == 1 + 2 + 3


def _flags(*links):
    return [Flag(name, "a", 0, 5, "conflicting_number", links=tuple(to)) for name, to in links]


def test_links_earn_the_bonus_for_each_figure_they_connect():
    # f1-f2 both ways counts once; f1-f3 connects x3; f2-f3 adds nothing: x1, x2, x3 are joined
    flags = _flags(("f1", ["f2"]), ("f2", ["f1", "f3"]), ("f3", ["f1"]))
    item_of_flag = {"f1": _figure("x1", "x"), "f2": _figure("x2", "x"), "f3": _figure("x3", "x")}
    links = judge_links(flags, item_of_flag, POLICY)
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
        links = judge_links(flags, item_of_flag, POLICY)
        assert sum(link.bonus for link in links) == 1.5  # 3 figures joined to the first: 3 * 0.5


def test_wrong_links_are_reported_and_earn_nothing():
    flags = _flags(("f1", ["f2", "f3", "nope", "f1"]), ("f2", []), ("f3", ["f4"]), ("f4", []))
    item_of_flag = {"f1": _figure("x1", "x"), "f2": _figure("y1", "y"), "f3": ITEM}
    links = judge_links(flags, item_of_flag, POLICY)
    assert [(link.flag_ids, link.status, link.bonus) for link in links] == [
        (("f1", "f1"), LinkStatus.SELF_LINK, 0.0),
        (("f1", "f2"), LinkStatus.CROSS_GROUP, 0.0),
        (("f1", "f3"), LinkStatus.NOT_A_FIGURE, 0.0),  # f3 matched an item without a group
        (("f1", "nope"), LinkStatus.UNKNOWN_FLAG, 0.0),
        (("f3", "f4"), LinkStatus.NOT_A_FIGURE, 0.0),  # f4 matched nothing
    ]
    assert all(link.group is None for link in links)
    assert "'nope'" in links[3].reason
