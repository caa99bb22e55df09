import pytest

from scoring import FlagOutcome, ItemStatus, score
from scoring.types import Flag, KeyItem, Policy, RatingKey, SourceRating

# Two articles. Points: k_claim 2, k_word 1, figures 1 each; possible links: 1 (n1-n2)
# possible = 2 + 1 + 1 + 1 + 0.5 = 5.5
KEY = (
    KeyItem(
        "k_claim",
        "a",
        100,
        140,
        "q",
        "unverified",
        points=2.0,
        also=("loaded_framing",),
        explanation="No source is named.",
        core_start=120,
        core_end=132,
    ),
    KeyItem("k_word", "a", 200, 210, "q", "loaded_framing"),
    KeyItem("n1", "a", 300, 320, "q", "conflicting_number", group="dead"),
    KeyItem("n2", "b", 50, 70, "q", "conflicting_number", group="dead"),
    KeyItem("decoy", "b", 400, 440, "q", "unverified", decoy=True, explanation="The ministry is named and quoted."),
)
POLICY = Policy()
CATEGORIES = ("unverified", "conflicting_number", "loaded_framing")


def _flag(flag_id, article, start, end, category, links=()):
    return Flag(flag_id, article, start, end, category, links=tuple(links))


def _item(report, item_id):
    (result,) = [i for i in report.items if i.id == item_id]
    return result


def _flag_result(report, flag_id):
    (result,) = [f for f in report.flags if f.id == flag_id]
    return result


def test_the_key_as_answers_scores_100():
    flags = [
        _flag("f1", "a", 100, 140, "unverified"),
        _flag("f2", "a", 200, 210, "loaded_framing"),
        _flag("f3", "a", 300, 320, "conflicting_number", links=["f4"]),
        _flag("f4", "b", 50, 70, "conflicting_number"),
    ]
    report = score(KEY, flags, POLICY)
    assert report.score == 100.0
    totals = report.totals
    assert (totals.item_credit, totals.link_credit, totals.penalties) == (5.0, 0.5, 0.0)
    assert (totals.earned, totals.possible) == (5.5, 5.5)
    assert (totals.found, totals.partial, totals.wrong_category, totals.lone_figure) == (4, 0, 0, 0)
    assert (totals.missed, totals.decoys_flagged, totals.false_positives) == (0, 0, 0)
    assert (totals.correct_links, totals.wrong_links, totals.possible_links) == (1, 0, 1)
    assert [i.status for i in report.items] == [ItemStatus.FOUND] * 4 + [ItemStatus.DECOY_AVOIDED]
    assert [f.outcome for f in report.flags] == [FlagOutcome.MATCHED] * 4
    assert report.detection.precision == report.detection.recall == 1.0


def test_empty_answers_score_0_with_everything_missed():
    report = score(KEY, [], POLICY)
    assert report.score == 0.0
    assert report.totals.missed == 4
    assert report.items[0].reason == "No flag matched this item."
    assert report.items[0].explanation == "No source is named."


def test_alternative_category_and_loose_boundaries_are_partial():
    # k_claim, 'loaded_framing' accepted at 0.5, flag [100,150) runs 10 characters (2 words of
    # six characters, no text given) past the extent: boundary factor 1 / (1 + (2/3.2)^2)
    factor = 1 / (1 + (2 / 3.2) ** 2)
    report = score(KEY, [_flag("f", "a", 100, 150, "loaded_framing")], POLICY)
    result = _item(report, "k_claim")
    assert result.status is ItemStatus.PARTIAL
    assert (result.category_factor, result.boundary_factor) == (0.5, pytest.approx(factor))
    assert result.credit == pytest.approx(2 * 0.5 * factor)
    assert result.flag_ids == ("f",)
    assert _flag_result(report, "f").credit == pytest.approx(factor)
    assert report.score == pytest.approx(100 * factor / 5.5)
    assert report.totals.partial == 1
    assert "runs 2 words past the widest selection that counts fully" in result.reason


def test_right_category_with_loose_boundaries_is_partial():
    report = score(KEY, [_flag("f", "a", 200, 212, "loaded_framing")], POLICY)
    result = _item(report, "k_word")
    assert result.status is ItemStatus.PARTIAL
    assert result.credit == pytest.approx(1 / (1 + (1 / 3.2) ** 2))  # one word past the extent


def test_a_flag_covering_part_of_the_core_is_partial():
    # k_claim's core [120,132) is two six-character words; the flag covers the first
    report = score(KEY, [_flag("f", "a", 118, 124, "unverified")], POLICY)
    result = _item(report, "k_claim")
    assert result.status is ItemStatus.PARTIAL
    assert result.credit == pytest.approx(2 * (1 - 0.35 * 0.25))
    assert "covers 1 of the 2 words that carry the problem" in result.reason


def test_other_category_earns_the_policy_share():
    report = score(KEY, [_flag("f", "a", 200, 210, "unverified")], POLICY)
    result = _item(report, "k_word")
    assert result.status is ItemStatus.WRONG_CATEGORY
    assert result.credit == 0.25
    assert report.totals.wrong_category == 1
    # detection needs the key's category: this flag is not correct
    assert report.detection.correct == 0


def test_a_lone_figure_earns_the_policy_share_and_says_what_it_conflicts_with():
    report = score(KEY, [_flag("f", "a", 300, 320, "conflicting_number")], POLICY)
    result = _item(report, "n1")
    assert result.status is ItemStatus.LONE_FIGURE
    assert result.credit == 0.5
    assert "none of those was found (“q”): 50% of the credit" in result.reason
    assert report.score == pytest.approx(100 * 0.5 / 5.5)
    assert score(KEY, [_flag("f", "a", 300, 320, "conflicting_number")], Policy(lone_figure_credit=0)).score == 0
    assert report.totals.lone_figure == 1
    assert _flag_result(report, "f").outcome is FlagOutcome.MATCHED


def test_two_figures_earn_credit_and_the_link_bonus_once():
    flags = [
        _flag("f1", "a", 300, 320, "conflicting_number", links=["f2"]),
        _flag("f2", "b", 50, 70, "conflicting_number", links=["f1"]),
    ]
    report = score(KEY, flags, POLICY)
    assert report.totals.item_credit == 2.0
    assert report.totals.link_credit == 0.5
    assert report.score == pytest.approx(100 * 2.5 / 5.5)
    assert [link.flag_ids for link in report.links] == [("f1", "f2")]
    assert (report.totals.correct_links, report.totals.possible_links) == (1, 1)


def test_a_wrong_link_earns_nothing_and_costs_nothing():
    flags = [
        _flag("f1", "a", 300, 320, "conflicting_number", links=["f3", "ghost"]),
        _flag("f2", "b", 50, 70, "conflicting_number"),
        _flag("f3", "a", 200, 210, "loaded_framing"),
    ]
    report = score(KEY, flags, POLICY)
    assert (report.totals.correct_links, report.totals.wrong_links) == (0, 2)
    assert report.totals.link_credit == 0.0
    assert report.totals.earned == 3.0


def test_a_decoy_costs_its_penalty_per_flag_and_shows_its_explanation():
    flags = [
        _flag("f1", "a", 100, 140, "unverified"),
        _flag("d1", "b", 400, 440, "unverified"),
        _flag("d2", "b", 410, 440, "loaded_framing"),
    ]
    report = score(KEY, flags, POLICY)
    decoy = _item(report, "decoy")
    assert decoy.status is ItemStatus.DECOY_FLAGGED
    assert decoy.flag_ids == ("d1", "d2")
    assert decoy.penalty == 2.0
    hit = _flag_result(report, "d1")
    assert (hit.outcome, hit.item_id, hit.penalty) == (FlagOutcome.DECOY, "decoy", 1.0)
    assert hit.explanation == "The ministry is named and quoted."
    # earned = 2 - 2 = 0
    assert (report.totals.penalties, report.totals.earned, report.score) == (2.0, 0.0, 0.0)
    assert (report.totals.decoys_flagged, report.totals.false_positives) == (1, 2)


def test_false_positive_reasons():
    flags = [
        _flag("f1", "a", 200, 210, "loaded_framing"),
        _flag("dup", "a", 201, 210, "loaded_framing"),
        _flag("sliver", "a", 100, 104, "unverified"),
        _flag("far", "a", 900, 950, "unverified"),
    ]
    report = score(KEY, flags, POLICY)
    dup = _flag_result(report, "dup")
    assert (dup.outcome, dup.item_id, dup.penalty) == (FlagOutcome.DUPLICATE, "k_word", 0.5)
    assert "already credited to flag 'f1'" in dup.reason
    assert "k_word" not in dup.reason  # internal ids never reach the trainee
    sliver = _flag_result(report, "sliver")  # inside k_claim's extent, none of its core
    assert (sliver.outcome, sliver.item_id) == (FlagOutcome.INSUFFICIENT_OVERLAP, "k_claim")
    assert "near miss: the flag touches a key item but misses the words that carry the problem" in sliver.reason
    far = _flag_result(report, "far")
    assert (far.outcome, far.item_id) == (FlagOutcome.NOT_IN_KEY, None)
    # earned = 1 - 3 * 0.5 < 0 -> 0
    assert report.totals.penalties == 1.5
    assert report.totals.earned == 0.0
    assert report.score == 0.0


def test_the_assignment_maximizes_the_trainees_score():
    # "wide" could take k_word alone at 10/13 agreement... but "exact" takes it in full and
    # "wide" would be a duplicate either way: one flag per item.
    flags = [_flag("wide", "a", 198, 211, "loaded_framing"), _flag("exact", "a", 200, 210, "loaded_framing")]
    report = score(KEY, flags, POLICY)
    assert _item(report, "k_word").flag_ids == ("exact",)
    assert _flag_result(report, "wide").outcome is FlagOutcome.DUPLICATE


def test_flags_are_reported_in_submission_order_and_items_in_key_order():
    flags = [_flag("z", "b", 50, 70, "conflicting_number"), _flag("a", "a", 300, 320, "conflicting_number")]
    report = score(KEY, flags, POLICY)
    assert [f.id for f in report.flags] == ["z", "a"]
    assert [i.id for i in report.items] == ["k_claim", "k_word", "n1", "n2", "decoy"]


def test_detection_by_category_lists_every_category():
    flags = [_flag("f1", "a", 100, 140, "unverified"), _flag("f2", "a", 600, 640, "unverified")]
    report = score(KEY, flags, POLICY, categories=CATEGORIES)
    by = {d.category: (d.correct, d.flagged, d.expected) for d in report.by_category}
    assert by == {
        "conflicting_number": (0, 0, 2),
        "loaded_framing": (0, 0, 1),
        "unverified": (1, 2, 1),
    }
    overall = report.detection
    assert (overall.correct, overall.flagged, overall.expected) == (1, 2, 4)
    assert (overall.precision, overall.recall) == (0.5, 0.25)


def test_span_metrics_and_schemes_are_filled_in():
    report = score(KEY, [_flag("f1", "a", 100, 140, "loaded_framing")], POLICY)
    blind, matched = report.spans.category_blind, report.spans.category_matched
    assert (blind.precision, blind.recall) == (1.0, 0.25)
    assert (matched.precision, matched.recall) == (0.0, 0.0)
    assert (report.schemes.exact.correct, report.schemes.strict.incorrect) == (1, 1)
    assert report.schemes.strict.missed == 3


def test_flags_of_one_category_that_touch_stay_two_spans_when_another_flag_bridges_them():
    # One run category-blind (100-140, the claim exactly); by category, unverified 100-120 and
    # 120-140 each lie wholly in the claim and cover half of it, loaded framing 115-135 meets nothing.
    flags = [
        _flag("f1", "a", 100, 120, "unverified"),
        _flag("f2", "a", 115, 135, "loaded_framing"),
        _flag("f3", "a", 120, 140, "unverified"),
    ]
    report = score(KEY, flags, POLICY)
    blind, matched = report.spans.category_blind, report.spans.category_matched
    assert (blind.flagged_spans, blind.precision, blind.recall) == (1, 1.0, 0.25)
    assert (matched.flagged_spans, matched.precision, matched.recall) == (3, 2 / 3, 0.25)


def test_a_key_with_nothing_to_earn():
    decoys_only = (KEY[-1],)
    assert score(decoys_only, [], POLICY).score == 100.0
    assert score(decoys_only, [_flag("f", "b", 400, 440, "unverified")], POLICY).score == 0.0


def _key_with(**changes):
    fields = {"id": "k", "article": "a", "start": 0, "end": 5, "quote": "q", "category": "unverified"}
    return KeyItem(**{**fields, **changes})


@pytest.mark.parametrize(
    ("key", "flags", "policy", "message"),
    [
        ([_key_with(), _key_with()], [], POLICY, "duplicate key item id 'k'"),
        ([_key_with(id="")], [], POLICY, "has an empty id"),
        ([_key_with(start=5)], [], POLICY, "key item 'k': start 5 must be less than end 5"),
        ([_key_with(start=-1)], [], POLICY, "key item 'k': start must not be negative, got -1"),
        ([_key_with(points=-2.0)], [], POLICY, "points must be a number of at least 0, got -2.0"),
        ([_key_with(category="spin")], [], POLICY, "key item 'k': unknown category 'spin'"),
        ([_key_with(also=("spin",))], [], POLICY, "key item 'k': unknown category 'spin'"),
        ([_key_with(decoy=True, group="g")], [], POLICY, "a decoy cannot belong to conflict group 'g'"),
        ([_key_with(group="g")], [], POLICY, "conflict group 'g' has only one figure, item 'k'"),
        ([], [_flag("f", "a", 0, 1, "unverified")] * 2, POLICY, "duplicate flag id 'f'"),
        ([], [_flag("f", "a", 9, 3, "unverified")], POLICY, "flag 'f': start 9 must be less than end 3"),
        ([], [_flag("f", "a", -4, 3, "unverified")], POLICY, "flag 'f': start must not be negative"),
        ([], [_flag("f", "a", 0, 3.5, "unverified")], POLICY, "flag 'f': end must be an integer, got 3.5"),
        ([], [_flag("f", "a", 0, 3, "spin")], POLICY, "flag 'f': unknown category 'spin'"),
        ([], [_flag("", "a", 0, 3, "unverified")], POLICY, "flag at 'a' 0-3 has an empty id"),
        ([], [], Policy(min_boundary_factor=1.5), "policy min_boundary_factor must be between 0 and 1, got 1.5"),
        ([], [], Policy(lone_figure_credit=-0.1), "policy lone_figure_credit must be between 0 and 1, got -0.1"),
        ([], [], Policy(decoy_penalty=-1.0), "policy decoy_penalty must be a number of at least 0"),
        ([], [], Policy(link_bonus=float("nan")), "policy link_bonus must be a number of at least 0"),
    ],
)
def test_invalid_input_is_rejected_naming_the_value(key, flags, policy, message):
    with pytest.raises(ValueError) as error:
        score(key, flags, policy, categories=CATEGORIES)
    assert message in str(error.value)


def test_categories_are_only_checked_when_given():
    # another category: other_category_credit, 0.25 of 1 point
    assert score([_key_with(category="spin")], [_flag("f", "a", 0, 5, "other")]).score == 25.0


RATED = (
    RatingKey("a", "C", "2", ("B", "C", "D"), ("2", "3"), "Credited to a known outlet, reposted."),
    RatingKey("b", "F", "4", ("E", "F"), ("3", "4", "5"), "Unsigned."),
)


def test_source_ratings_within_range_earn_the_policy_share():
    # possible = 5.5 + 2 articles * 1 point; a: reliability D in range (0.5), credibility 5 out
    # of range; b: not rated
    report = score(KEY, [], POLICY, rating_key=RATED, ratings=[SourceRating("a", "D", "5", "a repost")])
    assert report.totals.possible == 7.5
    assert report.totals.rating_credit == 0.5
    assert report.score == pytest.approx(100 * 0.5 / 7.5)
    first, second = report.ratings
    assert (first.reliability, first.reliability_accepted, first.credibility_accepted) == ("D", True, False)
    assert (first.key_reliability, first.key_credibility, first.reason) == ("C", "2", "a repost")
    assert first.reasoning == "Credited to a known outlet, reposted."
    assert (second.reliability, second.credit) == (None, 0.0)


def test_the_key_and_its_own_ratings_score_100():
    flags = [
        _flag("f1", "a", 100, 140, "unverified"),
        _flag("f2", "a", 200, 210, "loaded_framing"),
        _flag("f3", "a", 300, 320, "conflicting_number", links=["f4"]),
        _flag("f4", "b", 50, 70, "conflicting_number"),
    ]
    own = [SourceRating(r.article, r.reliability, r.credibility) for r in RATED]
    assert score(KEY, flags, POLICY, rating_key=RATED, ratings=own).score == 100.0


@pytest.mark.parametrize(
    ("rating_key", "ratings", "message"),
    [
        ((RatingKey("a", "G", "2", ("G",), ("2",), ""),), [], "reliability 'G' is not one of A, B"),
        ((RatingKey("a", "C", "2", ("B",), ("2",), ""),), [], "leaves out the key's own 'C'"),
        ((RATED[0], RATED[0]), [], "the article is rated twice"),
        (RATED, [SourceRating("a", "C", "9")], "credibility '9' is not one of 1-6"),
        (RATED, [SourceRating("a", "C", "2"), SourceRating("a", "B", "2")], "article 'a' is rated twice"),
    ],
)
def test_bad_ratings_are_refused(rating_key, ratings, message):
    with pytest.raises(ValueError, match=message):
        score(KEY, [], POLICY, rating_key=rating_key, ratings=ratings)
