"""The near misses and false positives read from the outlying tallies equal those grouped from
every outlying flag of every counted submission (what the dashboard read before the tallies):
random submissions whose flags overlap, repeat, touch and chain, added and taken away."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import pytest

from app.cohort_figures.sentences import chosen_span, sentence_of, word_span
from app.cohort_figures.tallies import outlying_rows
from instructor.dashboard.attention import AT_A_GLANCE, FalsePositive, most_flagged_false_positives
from instructor.dashboard.key_gaps import near_misses
from instructor.dashboard.outcomes import OutlyingCount
from scoring.report import FlagOutcome
from scoring.types import KeyItem

TEXT = " ".join(f"word{n:02d}" for n in range(40))
TEXTS = {"a": TEXT, "b": TEXT}
KEY = [
    KeyItem("near-one", "a", 10, 30, TEXT[10:30], "unverified"),
    KeyItem("near-two", "b", 50, 70, TEXT[50:70], "unverified"),
    KeyItem("decoy-one", "a", 100, 120, TEXT[100:120], "unverified", decoy=True),
    KeyItem("decoy-two", "b", 140, 160, TEXT[140:160], "unverified", decoy=True),
]
Submission = tuple[int, list[list[Any]]]


def random_flag(rng: random.Random) -> list[Any]:
    outcome = rng.choice([FlagOutcome.NOT_IN_KEY] * 4 + [FlagOutcome.INSUFFICIENT_OVERLAP, FlagOutcome.DECOY])
    article = rng.choice("ab")
    if outcome == FlagOutcome.NOT_IN_KEY:
        # Short spans in a narrow stretch: they overlap, repeat, touch and leave gaps.
        start = rng.randrange(180, 260)
        return [article, start, start + rng.randint(1, 12), "unverified", outcome.value, None]
    item = rng.choice(
        [item for item in KEY if item.article == article and item.decoy == (outcome == FlagOutcome.DECOY)]
    )
    start = item.start + rng.randint(-4, 4)
    return [article, start, start + rng.randint(3, 9), "unverified", outcome.value, item.id]


def tallies_of(counted: list[Submission], taken_away: Sequence[Submission] = ()) -> list[OutlyingCount]:
    """The tallies after ``counted`` and ``taken_away`` were added and ``taken_away`` taken away
    again, shuffled: the dashboard reads them in no order."""
    moves = [(1, 1, flags, 1) for _, flags in [*counted, *taken_away]] + [(1, 1, flags, -1) for _, flags in taken_away]
    columns = ("outcome", "item_id", "article_ref", "start", "end", "flags", "opened", "gaps")
    rows = [OutlyingCount(*(row[column] for column in columns)) for row in outlying_rows(moves)]
    random.Random(len(rows)).shuffle(rows)
    return rows


def false_positives(outlying: Sequence[OutlyingCount], limit: int = AT_A_GLANCE) -> list[FalsePositive]:
    """`most_flagged_false_positives` as the dashboard reads the tallies: those that count flags or
    groups opened (`outlying_tallies`), then the gaps alone of the articles it asks for (`outlying_gaps`)."""
    return false_positives_and_articles_read(outlying, limit)[0]


def false_positives_and_articles_read(
    outlying: Sequence[OutlyingCount], limit: int = AT_A_GLANCE
) -> tuple[list[FalsePositive], list[str]]:
    """`false_positives`, and the articles whose gaps it read."""
    read: list[str] = []

    def gaps_in(articles: Collection[str]) -> list[OutlyingCount]:
        read.extend(articles)
        return [
            row
            for row in outlying
            if not (row.flags or row.opened) and row.outcome == FlagOutcome.NOT_IN_KEY and row.article in articles
        ]

    flagged = [row for row in outlying if row.flags or row.opened]
    return most_flagged_false_positives(flagged, TEXTS, KEY, gaps_in, limit=limit), sorted(read)


def false_positives_from_every_flag(counted: list[Submission]) -> list[FalsePositive]:
    """The false positives as the dashboard grouped them from every flag before the tallies."""
    decoys = {item.id: item for item in KEY if item.decoy}
    groups: dict[tuple[str, Any], tuple[set[int], Counter[tuple[int, int]]]] = {}
    loose: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for attempt, flags in counted:
        for article, start, end, _, outcome, item_id in flags:
            if outcome == FlagOutcome.DECOY and item_id in decoys:
                attempts, spans = groups.setdefault((article, item_id), (set(), Counter()))
                attempts.add(attempt)
                spans[(decoys[item_id].start, decoys[item_id].end)] += 1
            elif outcome == FlagOutcome.NOT_IN_KEY:
                loose[article].append((start, end, attempt))
    for article, rows in loose.items():
        rows.sort(key=lambda row: (row[0], row[1]))
        reach = -1
        key: tuple[str, Any] = (article, -1)
        for start, end, attempt in rows:
            if start >= reach:
                key = (article, start)
            reach = max(reach, end)
            attempts, spans = groups.setdefault(key, (set(), Counter()))
            attempts.add(attempt)
            spans[(start, end)] += 1
    found = []
    for (article, ident), (attempts, spans) in groups.items():
        start, end = word_span(TEXTS[article], *chosen_span(spans))
        found.append(
            FalsePositive(
                article, start, end, len(attempts), isinstance(ident, str), sentence_of(TEXTS[article], start, end)
            )
        )
    return sorted(found, key=lambda fp: (-fp.submissions, fp.article, fp.start, fp.decoy))


def near_misses_from_every_flag(counted: list[Submission]) -> dict[str, tuple[int, int, int, int, int]]:
    """Per key item: (submissions, flags, start, end, chosen_by) of its near misses, from every flag."""
    attempts: dict[str, set[int]] = defaultdict(set)
    spans: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for attempt, flags in counted:
        for _, start, end, _, outcome, item_id in flags:
            if outcome == FlagOutcome.INSUFFICIENT_OVERLAP:
                attempts[item_id].add(attempt)
                spans[item_id][(start, end)] += 1
    found = {}
    for item_id, who in attempts.items():
        start, end = chosen_span(spans[item_id])
        found[item_id] = (len(who), sum(spans[item_id].values()), start, end, spans[item_id][(start, end)])
    return found


@pytest.mark.parametrize("seed", range(25))
def test_near_misses_and_false_positives_from_the_tallies_equal_a_grouping_of_every_flag(seed: int) -> None:
    rng = random.Random(seed)
    submissions = [
        (attempt, [random_flag(rng) for _ in range(rng.randint(0, 8))]) for attempt in range(rng.randint(1, 40))
    ]
    retried = [(attempt + 1000, [random_flag(rng) for _ in range(rng.randint(0, 8))]) for attempt in range(10)]
    outlying = tallies_of(submissions, retried)

    expected = false_positives_from_every_flag(submissions)
    found = false_positives(outlying, limit=len(expected) + 1)
    assert sorted(found, key=lambda fp: (-fp.submissions, fp.article, fp.start, fp.decoy)) == expected

    misses = near_misses(outlying, KEY, TEXTS, len(submissions), share=1e-9)
    assert {miss.item.id: (miss.submissions, miss.flags, miss.start, miss.end, miss.chosen_by) for miss in misses} == (
        near_misses_from_every_flag(submissions)
    )


def test_a_submission_counts_once_where_other_flags_join_its_two_runs() -> None:
    """Trainee 1 flags 0–5 and 10–15; trainee 2 flags 4–11, joining both: one stretch, two submissions."""
    first = [["a", 0, 5, "unverified", "not_in_key", None], ["a", 10, 15, "unverified", "not_in_key", None]]
    second = [["a", 4, 11, "unverified", "not_in_key", None]]
    [joined], read = false_positives_and_articles_read(tallies_of([(1, first), (2, second)]))
    assert joined.submissions == 2
    assert read == ["a"]
    apart, read = false_positives_and_articles_read(tallies_of([(1, first)]))
    assert [fp.submissions for fp in apart] == [1, 1]
    assert read == [], "no run of two spans apart: no gap can lie inside one, none is read"


def test_gaps_are_read_only_where_a_stretch_that_could_be_shown_may_hold_one() -> None:
    """Article a: one trainee's two flags apart, which a second trainee joins (a gap inside the
    stretch); article b: one span flagged by four. With one stretch shown, b's four submissions
    settle it, as a's stretch has at most three (groups opened in it); a's must be counted only
    when two stretches are shown."""
    first = [["a", 0, 5, "unverified", "not_in_key", None], ["a", 10, 15, "unverified", "not_in_key", None]]
    joining = [["a", 4, 11, "unverified", "not_in_key", None]]
    on_b = [["b", 20, 26, "unverified", "not_in_key", None]]
    outlying = tallies_of([(1, first + on_b), (2, joining + on_b), (3, on_b), (4, on_b)])
    [shown], read = false_positives_and_articles_read(outlying, limit=1)
    assert (shown.article, shown.submissions, read) == ("b", 4, [])
    shown_two, read = false_positives_and_articles_read(outlying, limit=2)
    assert [(fp.article, fp.submissions) for fp in shown_two] == [("b", 4), ("a", 2)]
    assert read == ["a"]
    # Flagged by three, b ties a's most: a's stretch must be counted (two), or it would come first.
    [shown], read = false_positives_and_articles_read(
        tallies_of([(1, first + on_b), (2, joining + on_b), (3, on_b)]), limit=1
    )
    assert (shown.article, shown.submissions, read) == ("b", 3, ["a"])


@pytest.mark.parametrize("seed", range(25))
def test_the_few_false_positives_shown_are_the_first_of_them_all(seed: int) -> None:
    """The dashboard names the first few stretches, ties included, as if every stretch were ranked."""
    rng = random.Random(seed)
    submissions = [
        (attempt, [random_flag(rng) for _ in range(rng.randint(0, 8))]) for attempt in range(rng.randint(1, 40))
    ]
    outlying = tallies_of(submissions)
    every = false_positives(outlying, limit=len(outlying) + 1)
    for limit in range(1, len(every) + 1):
        assert false_positives(outlying, limit=limit) == every[:limit]


def test_two_decoys_at_one_start_are_named_in_the_order_of_their_ids_whatever_order_the_tallies_come_in() -> None:
    longer = KeyItem("decoy-a-longer", "a", 100, 130, TEXT[100:130], "unverified", decoy=True)
    key = [*KEY, longer]
    flags = [["a", 100, 120, "unverified", "decoy", "decoy-one"], ["a", 100, 130, "unverified", "decoy", longer.id]]
    rows = tallies_of([(1, flags), (2, flags)])
    ends = []
    for ordered in (rows, rows[::-1]):
        found = most_flagged_false_positives(ordered, TEXTS, key, lambda _articles: [])
        assert len({(fp.article, fp.start, fp.submissions) for fp in found}) == 1
        ends.append([fp.end for fp in found])
    assert ends[0] == ends[1] == [word_span(TEXT, 100, 130)[1], word_span(TEXT, 100, 120)[1]]
