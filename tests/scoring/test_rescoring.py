import pytest

from scoring import Policy, rescore, score
from scoring.types import Flag, KeyItem

KEY = (
    KeyItem("k1", "a", 0, 10, "q", "unverified"),
    KeyItem("k2", "a", 30, 40, "q", "loaded_framing"),
)
SUBMISSIONS = [
    (101, [Flag("f1", "a", 0, 10, "unverified")]),
    (102, [Flag("f1", "a", 0, 10, "unverified"), Flag("f2", "a", 30, 35, "loaded_framing")]),
    (103, []),
]


def test_rescore_gives_the_same_reports_as_score():
    policy = Policy(other_category_credit=0.1)
    results = list(rescore(KEY, SUBMISSIONS, policy))
    assert [submission for submission, _ in results] == [101, 102, 103]
    for (_, flags), (_, report) in zip(SUBMISSIONS, results):
        assert report == score(KEY, flags, policy)
    # f2 covers one of k2's two (six-character) words: 1 + (1 - 0.35 * 0.5^2) of 2 points
    assert results[1][1].score == pytest.approx(100 * (1 + 1 - 0.35 * 0.25) / 2)


def test_rescore_is_lazy():
    def endless():
        number = 0
        while True:
            number += 1
            yield number, []

    reports = rescore(KEY, endless())
    assert [next(reports)[0] for _ in range(3)] == [1, 2, 3]


def test_an_invalid_key_fails_at_the_call():
    with pytest.raises(ValueError, match="duplicate key item id 'k1'"):
        rescore((*KEY, KEY[0]), SUBMISSIONS)


def test_an_invalid_submission_is_named():
    bad = [(7, [Flag("f", "a", 5, 5, "unverified")])]
    with pytest.raises(ValueError, match="submission 7: flag 'f': start 5 must be less than end 5"):
        list(rescore(KEY, bad))


def test_categories_are_checked_for_every_submission():
    bad = [("s1", [Flag("f", "a", 0, 5, "spin")])]
    with pytest.raises(ValueError, match="submission 's1': flag 'f': unknown category 'spin'"):
        list(rescore(KEY, bad, categories=("unverified", "loaded_framing")))


def test_what_a_span_is_worth_is_kept_but_never_whose_flag_it_was():
    # The same spans flagged by different trainees (different ids, order and links), with a
    # figure group, a decoy, a duplicate and overlapping flags that the SemEval metric merges.
    key = KEY + (
        KeyItem("n1", "a", 50, 60, "q", "conflicting_number", group="g"),
        KeyItem("n2", "b", 5, 15, "q", "conflicting_number", group="g"),
        KeyItem("d", "b", 40, 50, "q", "unverified", decoy=True),
    )
    first = [
        Flag("x1", "a", 0, 12, "unverified"),
        Flag("x2", "a", 2, 10, "unverified"),
        Flag("x3", "a", 50, 60, "conflicting_number", links=("x4",)),
        Flag("x4", "b", 5, 15, "conflicting_number"),
        Flag("x5", "b", 40, 50, "unverified"),
    ]
    second = [
        Flag("y5", "b", 40, 50, "unverified"),
        Flag("y3", "a", 50, 60, "conflicting_number"),
        Flag("y1", "a", 0, 12, "unverified"),
        Flag("y2", "a", 2, 10, "unverified"),
    ]
    results = [report for _, report in rescore(key, [(1, first), (2, second), (3, first)])]
    assert results == [score(key, first), score(key, second), score(key, first)]
    assert results[1].totals.lone_figure == 1 and results[0].totals.lone_figure == 0
    (lone,) = [item for item in results[1].items if item.id == "n1"]
    assert lone.flag_ids == ("y3",)
    assert "'x3'" not in lone.reason and "'y3'" not in lone.reason
