"""The validate-exercise and key commands, run without the web app."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from exercises import PACKAGES_DIR
from exercises.cli import key, validate_exercise
from tests.exercises.conftest import ALPHA, PackageSpec

SEED_PACKAGE = str(PACKAGES_DIR / "deir-ez-zor-2018")


def test_validate_prints_counts_for_the_seed_package() -> None:
    result = CliRunner().invoke(validate_exercise, [SEED_PACKAGE])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "OK deir-ez-zor-2018: 2 articles, 47 items (unverified 24, conflicting_number 10, "
        "loaded_framing 13), 11 decoys, 4 conflict groups\n"
    )


def test_validate_prints_every_problem_and_exits_1(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], empty_content: Path
) -> None:
    spec.item("u1")["quote"] = "zebra"
    spec.item("c2")["category"] = "rumour"
    folder = write_package(spec)
    result = CliRunner().invoke(validate_exercise, [str(folder), "--content-dir", str(empty_content)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "key.toml: item 'u1': field 'quote': not found in article 'alpha'",
        "key.toml: item 'c2': field 'category': unknown category 'rumour'",
        "key.toml: item 'groups.toll': conflict group 'toll' has one member ('c1'); "
        "a conflict needs at least two figures",
        f"3 problem(s) in {folder}",
    ]


def test_key_json_lists_resolved_items(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], empty_content: Path
) -> None:
    folder = write_package(spec)
    result = CliRunner().invoke(key, [str(folder), "--json", "--content-dir", str(empty_content)])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == ["u1", "c1", "c2", "l1", "d1"]
    assert records[3] == {
        "id": "l1",
        "article": "alpha",
        "start": ALPHA.index("\u201c"),
        "end": ALPHA.index("\u201d") + 1,
        "quote": "\u201cmassacre\u201d",
        "core_start": ALPHA.index("\u201c"),
        "core_end": ALPHA.index("\u201d") + 1,
        "category": "loaded_framing",
        "also": ["unverified"],
        "points": 1.0,
        "group": None,
        "agrees_with": [],
        "decoy": False,
        "explanation": "Emotive.",
    }
    assert records[1]["group"] == "toll"
    assert records[4]["decoy"] is True


def test_key_json_of_the_seed_package_matches_the_texts() -> None:
    result = CliRunner().invoke(key, [SEED_PACKAGE, "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    texts = {
        name: (PACKAGES_DIR.parent / "content" / f"{name}.txt").read_bytes().decode("utf-8")
        for name in {r["article"] for r in records}
    }
    assert len(records) == 58
    for record in records:
        assert texts[record["article"]][record["start"] : record["end"]] == record["quote"]


def test_key_without_json_prints_one_line_per_item() -> None:
    result = CliRunner().invoke(key, [SEED_PACKAGE])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 58
    assert lines[1].split("\t") == [
        "a-duration-four-hours",
        "khasham-nyt-repost",
        "461-499",
        "conflicting_number [duration]",
        "'a nearly four-hour assault in February'",
        "core 'nearly four-hour'",
    ]
