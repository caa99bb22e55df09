"""Properties every scoring must have, on random keys and random answers."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import PreparedKey, nervaluate_schemes, score, span_metric
from scoring.types import Flag, KeyItem, Policy

CATEGORIES = ("unverified", "conflicting_number", "loaded_framing")


@st.composite
def keys(draw):
    """Random keys on two articles: items may overlap; groups of 2-3 figures; some decoys."""
    items = []
    for number in range(draw(st.integers(0, 7))):
        start = draw(st.integers(0, 200))
        items.append(
            KeyItem(
                f"k{number}",
                draw(st.sampled_from(["a", "b"])),
                start,
                start + draw(st.integers(1, 40)),
                "q",
                draw(st.sampled_from(CATEGORIES)),
                points=draw(st.sampled_from([0.5, 1.0, 2.0, 3.0])),
                also=tuple(draw(st.sets(st.sampled_from(CATEGORIES), max_size=1))),
                decoy=draw(st.booleans()) and number % 3 == 0,
            )
        )
    real = [n for n, item in enumerate(items) if not item.decoy]
    # Put the first real items into groups of two or three figures.
    sizes = draw(st.sampled_from([(), (2,), (3,), (2, 2)]))
    position = 0
    for group_number, size in enumerate(sizes):
        members = real[position : position + size]
        if len(members) < 2:
            break
        for n in members:
            old = items[n]
            items[n] = KeyItem(
                old.id,
                old.article,
                old.start,
                old.end,
                old.quote,
                old.category,
                old.points,
                old.also,
                f"g{group_number}",
                False,
                "",
            )
        position += size
    return tuple(items)


@st.composite
def answers(draw, key):
    """Random flags near the key's spans or anywhere, with random links."""
    flags = []
    count = draw(st.integers(0, 9))
    for number in range(count):
        if key and draw(st.booleans()):
            item = draw(st.sampled_from(key))
            start = max(0, item.start + draw(st.integers(-6, 6)))
            end = max(start + 1, item.end + draw(st.integers(-6, 6)))
            article = item.article
        else:
            start = draw(st.integers(0, 240))
            end = start + draw(st.integers(1, 60))
            article = draw(st.sampled_from(["a", "b"]))
        links = tuple(draw(st.sets(st.sampled_from([f"f{n}" for n in range(count)] + ["x"]), max_size=2)))
        flags.append(Flag(f"f{number}", article, start, end, draw(st.sampled_from(CATEGORIES)), links=links))
    return flags


policies = st.builds(
    Policy,
    min_boundary_factor=st.sampled_from([0.0, 0.2, 0.6]),
    lone_figure_credit=st.sampled_from([0.0, 0.5, 1.0]),
    alternative_credit=st.sampled_from([0.0, 0.5, 1.0]),
    other_category_credit=st.sampled_from([0.0, 0.25]),
    false_positive_penalty=st.sampled_from([0.0, 0.5, 1.0]),
    decoy_penalty=st.sampled_from([0.0, 1.0, 2.0]),
    link_bonus=st.sampled_from([0.0, 0.3, 0.5]),
)


def key_as_answers(key, *, chain=False):
    """Flags copying every non-decoy item; figures linked to every other of their group, or in a chain."""
    real = [item for item in key if not item.decoy]
    flags = []
    for item in real:
        fellows = [o for o in real if o.group is not None and o.group == item.group and o is not item]
        if chain:
            fellows = [o for o in fellows if real.index(o) > real.index(item)][:1]
        links = tuple(f"f_{o.id}" for o in fellows)
        flags.append(Flag(f"f_{item.id}", item.article, item.start, item.end, item.category, links=links))
    return flags


@given(keys(), policies, st.booleans())
def test_the_key_as_answers_scores_100(key, policy, chain):
    report = score(key, key_as_answers(key, chain=chain), policy)
    assert report.score == 100.0
    assert report.totals.earned == report.totals.possible


@given(st.data(), keys(), policies)
def test_scores_stay_within_0_and_100_and_items_within_their_points(data, key, policy):
    report = score(key, data.draw(answers(key)), policy)
    assert 0.0 <= report.score <= 100.0
    for result in report.items:
        assert 0.0 <= result.credit <= result.points
    assert report.totals.earned <= report.totals.possible + 1e-9


@given(st.data(), keys(), policies)
def test_standard_measures_stay_within_0_and_1(data, key, policy):
    report = score(key, data.draw(answers(key)), policy)
    measured = [report.spans.category_blind, report.spans.category_matched, report.detection]
    measured += list(report.by_category)
    schemes = report.schemes
    measured += [schemes.strict, schemes.exact, schemes.partial, schemes.type]
    for measure in measured:
        for value in (measure.precision, measure.recall, measure.f1):
            assert 0.0 <= value <= 1.0


@given(st.data(), keys(), policies, st.sampled_from(["a", "b", "elsewhere"]), st.integers(0, 400))
def test_adding_a_false_positive_never_raises_the_score(data, key, policy, article, start):
    flags = data.draw(answers(key))
    extra = Flag("extra", article, start, start + 15, "unverified")
    if any(i.article == article and i.start < extra.end and extra.start < i.end for i in key):
        return  # not a false positive whatever happens: it touches a key span
    before = score(key, flags, policy)
    after = score(key, [*flags, extra], policy)
    assert after.score <= before.score


@settings(max_examples=150)
@given(st.data(), keys(), policies, st.randoms(use_true_random=False))
def test_the_order_of_flags_and_key_items_does_not_matter(data, key, policy, shuffler: random.Random):
    flags = data.draw(answers(key))
    report = score(key, flags, policy)
    shuffled_flags, shuffled_key = list(flags), list(key)
    shuffler.shuffle(shuffled_flags)
    shuffler.shuffle(shuffled_key)
    again = score(shuffled_key, shuffled_flags, policy)
    assert again.score == report.score
    assert again.totals == report.totals
    assert sorted(again.items, key=lambda i: i.id) == sorted(report.items, key=lambda i: i.id)
    assert sorted(again.flags, key=lambda f: f.id) == sorted(report.flags, key=lambda f: f.id)
    assert again.links == report.links
    assert again.spans == report.spans
    assert again.schemes == report.schemes


@given(st.data(), keys(), policies)
def test_the_reports_measures_equal_the_standalone_functions(data, key, policy):
    flags = data.draw(answers(key))
    report = score(key, flags, policy)
    real = [item for item in key if not item.decoy]
    blind = span_metric([(f.article, f.start, f.end) for f in flags], [(i.article, i.start, i.end) for i in real])
    matched = span_metric(
        [((f.article, f.category), f.start, f.end) for f in flags],
        [((i.article, i.category), i.start, i.end) for i in real],
    )
    assert report.spans.category_blind == blind
    assert report.spans.category_matched == matched
    canonical_flags = sorted(flags, key=lambda f: (f.article, f.start, f.end, f.category, f.id))
    canonical_items = sorted(real, key=lambda i: (i.article, i.start, i.end, i.id))
    assert report.schemes == nervaluate_schemes(canonical_flags, canonical_items)


@given(st.data(), keys(), policies, st.booleans())
def test_a_prepared_key_scores_every_submission_as_a_fresh_key_would(data, key, policy, known_categories):
    # A prepared key keeps what it worked out for earlier submissions (each flagged span, each
    # run of overlapping flags, the nervaluate counts, the categories seen): none of it may leak.
    categories = CATEGORIES if known_categories else None
    submissions = [data.draw(answers(key)) for _ in range(4)]
    prepared = PreparedKey(key, policy, categories=categories)
    for flags in submissions + submissions[::-1]:
        assert prepared.score(flags) == score(key, flags, policy, categories=categories)
