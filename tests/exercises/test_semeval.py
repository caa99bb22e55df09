"""SemEval-2020 Task 11 labels: parsing, the technique → category mapping, merged overlaps."""

from __future__ import annotations

import pytest

from exercises import validate_key
from exercises.semeval import DEFAULT_MAPPING, Label, LabelsError, article_id, key_items, parse_labels, techniques
from instructor.authoring.details import default_categories

TEXT = "They are traitors and liars.\nExperts doubt the report, they say."
TEXTS = {"article7": TEXT}


def at(quote: str) -> tuple[int, int]:
    start = TEXT.index(quote)
    return start, start + len(quote)


def test_article_ids_come_from_file_names() -> None:
    assert article_id("some/dir/article7.txt") == "article7"
    assert article_id("notes.txt") is None


def test_parse_keeps_this_exercises_articles_only() -> None:
    start, end = at("traitors")
    labels = parse_labels(f"7\tName_Calling,Labeling\t{start}\t{end}\n8\tDoubt\t0\t3\n\n", TEXTS)
    assert labels == [Label("article7", "Name_Calling,Labeling", start, end)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("7\tDoubt\t0", "line 1: expected article_id<TAB>technique<TAB>start<TAB>end"),
        ("7\tDoubt\tx\t4", "line 1: the article id, start and end must be numbers, the technique not blank"),
        ("7\tDoubt\t5\t500", "line 1: span 5-500 is outside article 7"),
        ("7\tDoubt\t5\t5", "line 1: span 5-5 is outside article 7"),
    ],
)
def test_bad_lines_are_reported(line: str, message: str) -> None:
    with pytest.raises(LabelsError) as caught:
        parse_labels(line, TEXTS)
    assert caught.value.problems[0].startswith(message)


def test_mapping_merges_overlaps_and_leaves_techniques_out() -> None:
    labels = [
        Label("article7", "Name_Calling,Labeling", *at("traitors")),
        Label("article7", "Loaded_Language", *at("traitors and liars")),
        Label("article7", "Doubt", at("Experts")[0], at("report")[1] + 1),  # ends on the comma
        Label("article7", "Repetition", *at("they say")),
    ]
    assert techniques(labels) == ["Doubt", "Loaded_Language", "Name_Calling,Labeling", "Repetition"]
    mapping = {**DEFAULT_MAPPING, "Repetition": None}
    items = key_items(labels, TEXTS, mapping)
    assert [(i["quote"], i["category"]) for i in items] == [
        ("traitors and liars", "loaded_framing"),
        ("Experts doubt the report,", "unverified"),
    ]
    assert items[0]["explanation"] == "SemEval-2020 Task 11 annotation: Loaded Language, Name Calling,Labeling."
    resolved = validate_key(items, TEXTS, default_categories())
    assert [(k.start, k.end) for k in resolved] == [at("traitors and liars"), (at("Experts")[0], at("report")[1] + 1)]


def test_a_repeated_span_gets_its_occurrence() -> None:
    texts = {"article1": "Liars! They are liars."}
    items = key_items([Label("article1", "Loaded_Language", 16, 21)], texts, DEFAULT_MAPPING)
    assert items[0]["quote"] == "liars" and "occurrence" not in items[0]
    items = key_items(
        [Label("article1", "Loaded_Language", 0, 5)], {"article1": "liars! They are liars."}, DEFAULT_MAPPING
    )
    assert items[0]["occurrence"] == 1
