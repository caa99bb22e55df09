"""The suggestion helper: recall against the seed key (and a held-out package), figures, cues, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from exercises import PACKAGES_DIR, load_package
from exercises.authoring_cli import suggest as suggest_command
from exercises.recall import measure
from exercises.suggest import find_figures, propose_groups, suggest
from tests.conftest import MINI_PACKAGE

SEED = PACKAGES_DIR / "deir-ez-zor-2018"


def test_recall_on_the_seed_key_meets_the_targets() -> None:
    """Found = the suggestion's span shares a character with the key item's core."""
    result = measure(load_package(SEED))
    assert (result.key_items, result.decoys) == (47, 11)
    assert result.category("conflicting_number").recall >= 0.8
    assert result.category("unverified").recall >= 0.7
    assert result.suggestions < 3 * result.key_items
    # The figures also carry the right category, not only the right span.
    assert result.category("conflicting_number").found_with_category >= 10


def test_recall_on_the_held_out_mini_exercise() -> None:
    result = measure(load_package(MINI_PACKAGE))
    assert result.category("conflicting_number").found == result.category("conflicting_number").total == 4
    assert result.category("unverified").found == 1
    assert result.suggestions < 3 * result.key_items


def test_word_lists_do_not_copy_the_seed_keys_phrases() -> None:
    """Held-out guard: no multi-word quote of the seed key is itself a line of a word list."""
    lists = Path(__file__).resolve().parents[2] / "exercises" / "wordlists"
    entries = {line.strip().lower() for file in lists.glob("*.txt") for line in file.read_text().splitlines()}
    quotes = {item.quote.lower() for item in load_package(SEED).key if len(item.quote.split()) > 2}
    assert entries.isdisjoint(quotes)


@pytest.mark.parametrize(
    ("text", "quote", "value", "kind"),
    [
        ("Officials said about 500 fighters attacked.", "about 500 fighters", "500", "force"),
        ("It was a nearly four-hour assault by them.", "nearly four-hour assault", "4", "duration-hour"),
        (
            "In the end, 200 to 300 of the attacking fighters were killed.",
            "200 to 300 of the attacking fighters were killed",
            "200-300",
            "casualties",
        ),
        (
            "Numbers varied from less than a dozen to well over 100.",
            "from less than a dozen to well over 100",
            "12-100",
            None,
        ),
        ("They took the area four months ago.", "four months ago", "4 months ago", "when"),
        ("They took it back in September.", "back in September", "september", "when"),
        ("There are 70,000 troops.", "70,000 troops", "70000", "force"),
        ("Moscow officials so far only concede five deaths.", "so far only concede five deaths", "5", "casualties"),
    ],
)
def test_figures_know_what_they_count(text: str, quote: str, value: str, kind: str | None) -> None:
    [figure] = find_figures("a", text)
    assert (text[figure.start : figure.end], figure.value, figure.kind) == (quote, value, kind)


@pytest.mark.parametrize(
    "text",
    [
        "The fire started at 7 a.m. on the hill.",
        "It began at 7am.",
        "By 7.30 p.m. it was out.",
        "At 9 o'clock the crews left.",
    ],
)
def test_times_of_day_are_not_counts(text: str) -> None:
    """B15: "7 a.m." says when, so it is no conflicting number ("about 7" was proposed)."""
    assert find_figures("a", text) == []
    assert [s for s in suggest({"a": text}) if s.category == "conflicting_number"] == []


def test_a_count_before_a_time_is_still_a_count() -> None:
    [figure] = find_figures("a", "At 7 a.m. 40 firefighters arrived.")
    assert figure.value == "40"


def test_figures_in_names_are_not_figures() -> None:
    assert find_figures("a", "By Treadstone 71\n\nNothing else.") == []


def test_differing_figures_for_one_quantity_make_a_group() -> None:
    figures = find_figures("a", "About 500 men attacked.") + find_figures("b", "Some 550 troops attacked for 3 hours.")
    groups = propose_groups(figures)
    assert list(groups) == ["force"]
    assert [f.value for f in groups["force"]] == ["500", "550"]


def test_suggestions_cut_the_stored_text_and_do_not_overlap_within_a_category() -> None:
    package = load_package(SEED)
    texts = {a.id: a.text for a in package.articles}
    found = suggest(texts)
    for s in found:
        assert texts[s.article][s.start : s.end] == s.quote and s.quote.strip() == s.quote
    for one in found:
        for other in found:
            if one is not other and one.article == other.article and one.category == other.category:
                assert one.end <= other.start or other.end <= one.start


@pytest.mark.parametrize(
    ("text", "quote", "category"),
    [
        ("The base is reportedly under attack.", "is reportedly under attack", "unverified"),
        ("Local media has been reporting clashes.", "Local media has been reporting", "unverified"),
        ("Sources close to the ministry say the fire was set.", "Sources close to the ministry say", "unverified"),
        ("But there are none.", "But there are none.", "unverified"),
        ("It was a massacre.", "massacre", "loaded_framing"),
        ("The brutal regime fell.", "brutal regime", "loaded_framing"),
        ("The 'heroes' came home.", "'heroes'", "loaded_framing"),
        ("Intro.\n\nSHOCK AND AWE\n\nBody.", "SHOCK AND AWE", "loaded_framing"),
    ],
)
def test_phrase_cues(text: str, quote: str, category: str) -> None:
    assert (quote, category) in {(s.quote, s.category) for s in suggest({"a": text})}


def test_suggest_command_prints_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(suggest_command, [str(MINI_PACKAGE), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert set(records[0]) == {"article", "start", "end", "quote", "category", "reason", "group"}
    assert {"quote": "550 men", "group": "force", "category": "conflicting_number"}.items() <= next(
        r for r in records if r["quote"] == "550 men"
    ).items()
    (tmp_path / "one.txt").write_text("It reportedly rained.", encoding="utf-8")
    plain = CliRunner().invoke(suggest_command, [str(tmp_path / "one.txt")])
    assert plain.exit_code == 0 and "one\t3-" in plain.stdout
