"""Every validation problem the loader reports, each with its message and its place."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from exercises import Category, ConflictGroup, PackageError, load_package, validate_key
from scoring.types import Policy
from tests.exercises.conftest import ALPHA, BETA, PackageSpec, base_key

Change = Callable[[PackageSpec], None]


def set_item(item_id: str, **values: object) -> Change:
    """Change fields of one key item."""

    def change(spec: PackageSpec) -> None:
        spec.item(item_id).update(values)

    return change


def drop_item_field(item_id: str, name: str) -> Change:
    """Remove one field of one key item."""

    def change(spec: PackageSpec) -> None:
        del spec.item(item_id)[name]

    return change


def add_item(**values: object) -> Change:
    """Append a key item."""

    def change(spec: PackageSpec) -> None:
        spec.key["items"].append(dict(values))

    return change


def set_exercise(**values: object) -> Change:
    """Change top-level fields of the exercise file."""

    def change(spec: PackageSpec) -> None:
        spec.exercise.update(values)

    return change


def raw(name: str, content: str) -> Change:
    """Replace one file of the package with raw text."""

    def change(spec: PackageSpec) -> None:
        spec.raw_files[name] = content

    return change


def remove_c2(spec: PackageSpec) -> None:
    spec.key["items"] = [item for item in spec.key["items"] if item["id"] != "c2"]


def declare_spare_group(spec: PackageSpec) -> None:
    spec.key["groups"]["spare"] = {"description": "Nobody uses this"}


def unknown_policy_key(spec: PackageSpec) -> None:
    spec.exercise["policy"]["decoy_penalti"] = 1.0


def policy_wrong_type(spec: PackageSpec) -> None:
    spec.exercise["policy"]["decoy_penalty"] = "high"


def duplicate_category(spec: PackageSpec) -> None:
    spec.exercise["categories"].append(dict(spec.exercise["categories"][0]))


def sidecar_id_mismatch(spec: PackageSpec) -> None:
    spec.articles["beta"][1]["id"] = "gamma"


def bad_event_date(spec: PackageSpec) -> None:
    spec.articles["beta"][1]["event_date"] = "7 February 2018"


def missing_article_files(spec: PackageSpec) -> None:
    spec.exercise["articles"].append("gamma")


def group_description_missing(spec: PackageSpec) -> None:
    spec.key["groups"]["toll"] = {"about": "Soldiers killed"}


CASES: list[tuple[str, Change, str, str | None, str | None, str]] = [
    # (case, change, file, item, field, message fragment)
    ("quote not found", set_item("u1", quote="zebra"), "key.toml", "u1", "quote", "not found in article 'alpha'"),
    (
        "quote found several times",
        set_item("u1", quote="reportedly said"),
        "key.toml",
        "u1",
        "quote",
        "found 2 times in article 'alpha'; set occurrence (1 to 2) to choose one",
    ),
    (
        "occurrence out of range",
        set_item("u1", quote="reportedly said", occurrence=3),
        "key.toml",
        "u1",
        "occurrence",
        "occurrence 3 is out of range: the quote is found 2 time(s)",
    ),
    ("occurrence below one", set_item("u1", occurrence=0), "key.toml", "u1", "occurrence", "must be at least 1, got 0"),
    ("unknown category", set_item("u1", category="rumour"), "key.toml", "u1", "category", "unknown category 'rumour'"),
    (
        "unknown category in also",
        set_item("l1", also=["rumour"]),
        "key.toml",
        "l1",
        "also",
        "unknown category 'rumour'",
    ),
    (
        "also repeats category",
        set_item("l1", also=["loaded_framing"]),
        "key.toml",
        "l1",
        "also",
        "repeats the item's own category 'loaded_framing'",
    ),
    ("unknown article", set_item("u1", article="gamma"), "key.toml", "u1", "article", "unknown article 'gamma'"),
    (
        "group with one member",
        remove_c2,
        "key.toml",
        "groups.toll",
        None,
        "conflict group 'toll' has one member ('c1'); a conflict needs at least two figures",
    ),
    (
        "group with no member",
        declare_spare_group,
        "key.toml",
        "groups.spare",
        None,
        "conflict group 'spare' has no members",
    ),
    (
        "group on a category that is not grouped",
        set_item("u1", group="toll"),
        "key.toml",
        "u1",
        "group",
        "only items of a grouped category (conflicting_number) belong to conflict groups",
    ),
    (
        "group on a decoy",
        set_item("d1", group="toll"),
        "key.toml",
        "d1",
        "group",
        "a decoy cannot belong to a conflict group",
    ),
    (
        "grouped item without group",
        drop_item_field("c2", "group"),
        "key.toml",
        "c2",
        "group",
        "missing: a conflicting_number item names its conflict group",
    ),
    (
        "undeclared group",
        set_item("c2", group="other"),
        "key.toml",
        "c2",
        "group",
        "unknown group 'other': declare it as [groups.other]",
    ),
    ("group without description", group_description_missing, "key.toml", "groups.toll", "description", "missing"),
    (
        "duplicate item id",
        add_item(id="u1", article="beta", quote="brutal", category="loaded_framing", explanation="Again."),
        "key.toml",
        "u1",
        "id",
        "duplicate id 'u1'",
    ),
    (
        "overlapping items of one category",
        add_item(id="u2", article="alpha", quote="said 40 soldiers", category="unverified", explanation="x"),
        "key.toml",
        "u2",
        "quote",
        "overlaps item 'u1': both are unverified in article 'alpha'",
    ),
    ("missing explanation", drop_item_field("u1", "explanation"), "key.toml", "u1", "explanation", "missing"),
    ("blank explanation", set_item("u1", explanation="  \n"), "key.toml", "u1", "explanation", "is blank"),
    ("missing quote", drop_item_field("u1", "quote"), "key.toml", "u1", "quote", "missing"),
    (
        "points of the wrong type",
        set_item("u1", points="three"),
        "key.toml",
        "u1",
        "points",
        "expected a number, got string 'three'",
    ),
    ("points not positive", set_item("u1", points=0), "key.toml", "u1", "points", "must be positive, got 0"),
    (
        "occurrence of the wrong type",
        set_item("u1", occurrence="1"),
        "key.toml",
        "u1",
        "occurrence",
        "expected an integer, got string '1'",
    ),
    (
        "decoy of the wrong type",
        set_item("d1", decoy="yes"),
        "key.toml",
        "d1",
        "decoy",
        "expected true or false, got string 'yes'",
    ),
    (
        "also of the wrong type",
        set_item("l1", also="unverified"),
        "key.toml",
        "l1",
        "also",
        "expected an array of strings, got string 'unverified'",
    ),
    ("id that is not an id", set_item("u1", id="U 1"), "key.toml", "U 1", "id", "'U 1' is not an id"),
    ("unknown item field", set_item("u1", ocurrence=2), "key.toml", "u1", "ocurrence", "unknown field"),
    (
        "bad TOML in the key",
        raw("key.toml", "[[items]]\nid = \n"),
        "key.toml",
        None,
        None,
        "bad TOML: Invalid value (at line 2, column 6)",
    ),
    (
        "bad TOML in the exercise",
        raw("exercise.toml", 'slug = "x"\ntitle "y"\n'),
        "exercise.toml",
        None,
        None,
        "bad TOML: Expected '=' after a key in a key/value pair (at line 2, column 7)",
    ),
    ("missing key file", raw("key.toml", ""), "key.toml", None, "items", "missing"),
    (
        "unknown policy key",
        unknown_policy_key,
        "exercise.toml",
        None,
        "policy.decoy_penalti",
        "unknown policy key 'decoy_penalti'; known keys: min_boundary_factor",
    ),
    (
        "policy value of the wrong type",
        policy_wrong_type,
        "exercise.toml",
        None,
        "policy.decoy_penalty",
        "expected float, got string 'high'",
    ),
    ("missing exercise field", set_exercise(title=None), "exercise.toml", None, "title", "missing"),
    (
        "suggested minutes of the wrong type",
        set_exercise(suggested_minutes=1.5),
        "exercise.toml",
        None,
        "suggested_minutes",
        "expected an integer, got float 1.5",
    ),
    ("attempts below one", set_exercise(attempts=0), "exercise.toml", None, "attempts", "must be at least 1, got 0"),
    ("bad slug", set_exercise(slug="Deir ez-Zor"), "exercise.toml", None, "slug", "'Deir ez-Zor' is not a slug"),
    (
        "article listed twice",
        set_exercise(articles=["alpha", "beta", "alpha"]),
        "exercise.toml",
        None,
        "articles",
        "listed more than once: 'alpha'",
    ),
    ("unknown exercise field", set_exercise(duration=10), "exercise.toml", None, "duration", "unknown field"),
    (
        "duplicate category",
        duplicate_category,
        "exercise.toml",
        "categories.unverified",
        "id",
        "duplicate category id 'unverified'",
    ),
    ("article files missing", missing_article_files, "content/gamma.txt", "gamma", None, "article text not found"),
    (
        "sidecar id does not match",
        sidecar_id_mismatch,
        "package-1/articles/beta.toml",
        "beta",
        "id",
        "is 'gamma' but the file is named for 'beta'",
    ),
    (
        "event date not a date",
        bad_event_date,
        "package-1/articles/beta.toml",
        "beta",
        "event_date",
        "'7 February 2018' is not a date (write it as 2018-02-07)",
    ),
]


def _without_none(spec: PackageSpec) -> None:
    """Drop fields set to None (a way to say "missing" in a case)."""
    spec.exercise = {k: v for k, v in spec.exercise.items() if v is not None}


@pytest.mark.parametrize(
    ("change", "file", "item", "field", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_problem_is_reported_with_its_place(
    spec: PackageSpec,
    write_package: Callable[[PackageSpec], Path],
    empty_content: Path,
    change: Change,
    file: str,
    item: str | None,
    field: str | None,
    message: str,
) -> None:
    change(spec)
    _without_none(spec)
    folder = write_package(spec)
    with pytest.raises(PackageError) as raised:
        load_package(folder, content_dir=empty_content)
    matching = [
        p
        for p in raised.value.problems
        if p.file == file and p.item == item and p.field == field and message in p.message
    ]
    assert matching, "\n".join(str(p) for p in raised.value.problems)


def test_the_base_package_is_valid(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], empty_content: Path
) -> None:
    package = load_package(write_package(spec), content_dir=empty_content)
    assert [item.id for item in package.key] == ["u1", "c1", "c2", "l1", "d1"]
    assert package.policy.decoy_penalty == 2.0
    assert package.policy.link_bonus == 0.25
    assert package.attempts == 1


def test_all_problems_of_all_files_come_in_one_error(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], empty_content: Path
) -> None:
    set_item("u1", quote="zebra")(spec)
    set_item("l1", category="rumour")(spec)
    set_exercise(suggested_minutes="ten")(spec)
    with pytest.raises(PackageError) as raised:
        load_package(write_package(spec), content_dir=empty_content)
    problems = [str(p) for p in raised.value.problems]
    assert problems == [
        "exercise.toml: field 'suggested_minutes': expected an integer, got string 'ten'",
        "key.toml: item 'u1': field 'quote': not found in article 'alpha'",
        "key.toml: item 'l1': field 'category': unknown category 'rumour'",
    ]
    assert str(raised.value).startswith("3 problem(s):\n  exercise.toml")


def test_policy_rejected_by_the_policy_class_is_reported(
    spec: PackageSpec,
    write_package: Callable[[PackageSpec], Path],
    empty_content: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check the scoring policy makes itself surfaces as a problem, not a crash."""

    @dataclasses.dataclass(frozen=True)
    class StrictPolicy(Policy):
        def __post_init__(self) -> None:
            if self.decoy_penalty > 1:
                raise ValueError("decoy_penalty must not exceed 1")

    monkeypatch.setattr("exercises.loader.Policy", StrictPolicy)
    with pytest.raises(PackageError) as raised:
        load_package(write_package(spec), content_dir=empty_content)
    assert [str(p) for p in raised.value.problems] == [
        "exercise.toml: field 'policy': rejected by the scoring policy: decoy_penalty must not exceed 1"
    ]


CATEGORIES = (
    Category("unverified", "Unverified claim", "d", "e"),
    Category("conflicting_number", "Conflicting number", "d", "e", grouped=True),
    Category("loaded_framing", "Loaded framing", "d", "e"),
)


def test_validate_key_resolves_items_given_as_dicts() -> None:
    items = base_key()["items"]
    key = validate_key(items, {"alpha": ALPHA, "beta": BETA}, CATEGORIES)
    massacre = next(item for item in key if item.id == "l1")
    # Typed with straight quotes; the stored text has curly ones.
    assert massacre.quote == "\u201cmassacre\u201d"
    assert ALPHA[massacre.start : massacre.end] == massacre.quote
    assert massacre.also == ("unverified",)
    assert next(item for item in key if item.id == "d1").decoy is True


def test_validate_key_checks_declared_groups_only_when_given() -> None:
    items = base_key()["items"]
    articles = {"alpha": ALPHA, "beta": BETA}
    with pytest.raises(PackageError) as raised:
        validate_key(items, articles, CATEGORIES, (ConflictGroup("other", "x"),), source="editor")
    assert [str(p) for p in raised.value.problems] == [
        "editor: item 'c1': field 'group': unknown group 'toll': declare it as [groups.toll]",
        "editor: item 'c2': field 'group': unknown group 'toll': declare it as [groups.toll]",
        "editor: item 'groups.other': conflict group 'other' has no members",
    ]


def test_validate_key_reports_an_item_that_is_not_a_table() -> None:
    with pytest.raises(PackageError) as raised:
        validate_key(["u1"], {"alpha": ALPHA}, CATEGORIES)  # type: ignore[list-item]
    assert [str(p) for p in raised.value.problems] == ["key.toml: item 'items[1]': expected a table, got string"]
