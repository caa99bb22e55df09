"""The nervaluate counts are nervaluate's own: compared with nervaluate 1.2.1 on messy span sets.

nervaluate runs per document, so the reference is run on each article and added up by its own
Evaluator (one document per article). Its ends are inclusive: [start, end) is passed as
(start, end - 1). Flags and key items are given to it in canonical order (`canonical_order`).
"""

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator

from exercises.loader import load_package
from scoring import PreparedKey, nervaluate_schemes, score
from scoring.metrics import canonical_order
from scoring.types import Flag, KeyItem

CATEGORIES = ("unverified", "conflicting_number", "loaded_framing")
SCHEMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
"""Our name of each scheme: nervaluate's."""
SEED = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"


def nervaluate_counts(flags, items, categories=CATEGORIES):
    """Return nervaluate's overall result per scheme, flags and items in canonical order."""
    articles = sorted({flag.article for flag in flags} | {item.article for item in items})
    if not articles:
        return None

    def documents(spans):
        ordered = sorted(spans, key=canonical_order)
        return [
            [{"label": s.category, "start": s.start, "end": s.end - 1} for s in ordered if s.article == article]
            for article in articles
        ]

    overall = Evaluator(documents(items), documents(flags), tags=list(categories), loader="dict").evaluate()
    return {ours: overall["overall"][theirs] for ours, theirs in SCHEMES.items()}


def assert_as_nervaluate_counts(schemes, flags, items, categories=CATEGORIES):
    """Assert every counter, and precision, recall and F1, of every scheme against nervaluate's."""
    expected = nervaluate_counts(flags, items, categories)
    for name in SCHEMES:
        ours = getattr(schemes, name)
        if expected is None:  # nothing on either side: nervaluate has no document to count
            assert (ours.correct, ours.incorrect, ours.partial, ours.missed, ours.spurious) == (0,) * 5
            assert (ours.precision, ours.recall, ours.f1) == (1.0, 1.0, 1.0)  # ours, documented
            continue
        theirs = expected[name]
        assert (ours.correct, ours.incorrect, ours.partial, ours.missed, ours.spurious, ours.possible, ours.actual) == (
            theirs.correct,
            theirs.incorrect,
            theirs.partial,
            theirs.missed,
            theirs.spurious,
            theirs.possible,
            theirs.actual,
        ), name
        assert (ours.precision, ours.recall, ours.f1) == (theirs.precision, theirs.recall, theirs.f1), name


lengths = st.one_of(st.integers(1, 12), st.integers(90, 260))
"""Short spans, and long ones that a one-character flag covers by less than nervaluate's 1%."""


@st.composite
def messy_spans(draw, *, decoys=False):
    """Key items and flags crowded on two articles (flags also on a third, which the key lacks):
    overlapping items, flags on several items, several flags on one item, identical spans in
    different categories, exact copies, one-character touches at an item's edges."""
    items = []
    for number in range(draw(st.integers(0, 7))):
        start = draw(st.integers(0, 40))
        items.append(
            KeyItem(
                f"k{number}",
                draw(st.sampled_from("ab")),
                start,
                start + draw(lengths),
                "q",
                draw(st.sampled_from(CATEGORIES)),
                decoy=decoys and draw(st.booleans()) and number % 3 == 0,
            )
        )
    spans = []
    for _ in range(draw(st.integers(0, 9))):
        how = draw(st.sampled_from(["item", "near", "edge", "again", "anywhere"]))
        if how in ("item", "near", "edge") and items:
            item = draw(st.sampled_from(items))
            article, start, end = item.article, item.start, item.end
            if how == "near":
                start = max(0, start + draw(st.integers(-3, 3)))
                end = max(start + 1, end + draw(st.integers(-3, 3)))
            elif how == "edge":
                start = draw(st.sampled_from([start, end - 1]))
                end = start + 1
        elif how == "again" and spans:
            article, start, end = draw(st.sampled_from(spans))
        else:
            article = draw(st.sampled_from("abc"))
            start = draw(st.integers(0, 60))
            end = start + draw(lengths)
        spans.append((article, start, end))
    # Ids in a random order, so that ties are broken by id in no particular pattern.
    ids = draw(st.permutations(range(len(spans))))
    flags = [
        Flag(f"f{n}", article, start, end, draw(st.sampled_from(CATEGORIES)))
        for n, (article, start, end) in zip(ids, spans)
    ]
    return items, flags


@settings(max_examples=400)
@given(messy_spans())
def test_nervaluate_schemes_equals_nervaluate(spans):
    items, flags = spans
    assert_as_nervaluate_counts(nervaluate_schemes(flags, items), flags, items)


@settings(max_examples=400)
@given(messy_spans(decoys=True))
def test_the_reports_schemes_equal_nervaluate(spans):
    # The engine's fast path (pairs no order can change counted apart) against nervaluate.
    key, flags = spans
    real = [item for item in key if not item.decoy]
    assert_as_nervaluate_counts(score(key, flags).schemes, flags, real)


@settings(max_examples=200)
@given(messy_spans(), st.randoms(use_true_random=False))
def test_the_counts_never_depend_on_the_order_of_flags_or_items(spans, shuffler):
    items, flags = spans
    shuffled_items, shuffled_flags = list(items), list(flags)
    shuffler.shuffle(shuffled_items)
    shuffler.shuffle(shuffled_flags)
    schemes = nervaluate_schemes(flags, items)
    assert nervaluate_schemes(shuffled_flags, shuffled_items) == schemes
    assert score(shuffled_items, shuffled_flags).schemes == schemes


def test_nervaluate_itself_depends_on_the_order_hence_the_canonical_order():
    # Two flags tie on one item: nervaluate credits whichever comes first.
    items = [KeyItem("k", "a", 10, 20, "q", "unverified")]
    wrong = Flag("f-wrong", "a", 10, 20, "loaded_framing")
    right = Flag("f-right", "a", 10, 20, "unverified")

    def strict_correct(flags):
        documents = [[{"label": f.category, "start": f.start, "end": f.end - 1} for f in flags]]
        true = [[{"label": "unverified", "start": 10, "end": 19}]]
        overall = Evaluator(true, documents, tags=list(CATEGORIES), loader="dict").evaluate()["overall"]
        return overall["strict"].correct

    assert (strict_correct([wrong, right]), strict_correct([right, wrong])) == (0, 1)
    # Canonically the flag of category 'loaded_framing' comes first, whatever order is given;
    # the standalone function and the report agree (they did not before, on ties).
    for flags in ([wrong, right], [right, wrong]):
        assert nervaluate_schemes(flags, items).strict.correct == 0
        assert score(items, flags).schemes == nervaluate_schemes(flags, items)


def test_the_seed_exercise_as_nervaluate_counts_it():
    # Realistic answers: those bench/score.py rescores, on the seed key.
    from bench.score import synthetic_submission

    package = load_package(SEED)
    categories = [c.id for c in package.categories]
    lengths = {article.id: len(article.text) for article in package.articles}
    real = [item for item in package.key if not item.decoy]
    prepared = PreparedKey(package.key, package.policy, categories=categories)
    rng = random.Random(7)
    for _ in range(150):
        flags = synthetic_submission(rng, package.key, lengths, categories)
        assert_as_nervaluate_counts(prepared.score(flags).schemes, flags, real, categories)


@pytest.mark.parametrize(
    ("item", "flag", "counted"),
    [
        ((0, 100), (99, 100), True),  # 1 of 100 characters: exactly nervaluate's 1%
        ((0, 101), (100, 101), False),  # 1 of 101: under 1%
        ((0, 200), (198, 260), True),  # 2 of 200
        ((0, 10), (10, 20), False),  # touching: [0, 10) and [10, 20) share no character
    ],
)
def test_the_overlap_threshold_is_nervaluates(item, flag, counted):
    items = [KeyItem("k", "a", *item, "q", "unverified")]
    flags = [Flag("f", "a", *flag, "unverified")]
    schemes = nervaluate_schemes(flags, items)
    assert schemes.type.correct == int(counted)
    assert_as_nervaluate_counts(schemes, flags, items)


def _item(item_id, start, end, category="unverified"):
    return KeyItem(item_id, "a", start, end, "q", category)


def _flag(flag_id, start, end, category="unverified"):
    return Flag(flag_id, "a", start, end, category)


@pytest.mark.parametrize(
    ("items", "flags", "type_counts"),
    [
        # Equally close to two items of its category, the flag takes the first in canonical
        # order; the later flag, which could only have had that one, is left SPU.
        ([_item("k1", 0, 10), _item("k2", 3, 13)], [_flag("f1", 1, 12), _flag("f2", 2, 3)], (1, 0, 1, 1)),
        # Of two items of its category the closer wins, though the other comes first.
        ([_item("k1", 0, 10), _item("k2", 4, 12)], [_flag("f1", 4, 11), _flag("f2", 2, 3)], (2, 0, 0, 0)),
        # A flag of another category takes the first item it overlaps (INC), in every scheme.
        ([_item("k1", 0, 10), _item("k2", 5, 15)], [_flag("f1", 5, 15, "loaded_framing")], (0, 1, 1, 0)),
        # Two identical flags: the second takes the second of two identical items.
        ([_item("k1", 0, 10), _item("k2", 0, 10)], [_flag("f1", 0, 10), _flag("f2", 0, 10)], (2, 0, 0, 0)),
    ],
)
def test_hand_made_ties_and_crowds_as_nervaluate_counts_them(items, flags, type_counts):
    for schemes in (nervaluate_schemes(flags, items), score(items, flags).schemes):
        counts = schemes.type
        assert (counts.correct, counts.incorrect, counts.missed, counts.spurious) == type_counts
        assert_as_nervaluate_counts(schemes, flags, items)
