"""Random packages: the loader either loads them or reports problems; it never crashes."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exercises.loader import load_package
from exercises.problems import PackageError
from exercises.types import ExercisePackage
from tests.conftest import MINI_PACKAGE

EXERCISE_FIELDS = [
    "slug",
    "title",
    "briefing",
    "instructions",
    "suggested_minutes",
    "attempts",
    "articles",
    "categories",
    "policy",
]
ITEM_FIELDS = ["id", "article", "quote", "occurrence", "category", "points", "explanation", "also", "group", "decoy"]

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.sampled_from(
        ["mini-a", "mini-b", "unverified", "conflicting_number", "loaded_framing", "force", "reportedly", "550 men"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def table(fields: list[str]) -> st.SearchStrategy[dict[str, object]]:
    return st.dictionaries(st.sampled_from(fields) | st.text(min_size=1, max_size=8), values, max_size=len(fields))


def check(exercise: bytes | None, key: bytes | None, article: bytes | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder) / "pkg"
        shutil.copytree(MINI_PACKAGE, package)
        for name, content in (("exercise.toml", exercise), ("key.toml", key), ("articles/mini-a.txt", article)):
            if content is not None:
                (package / name).write_bytes(content)
        try:
            loaded = load_package(package)
        except PackageError as error:
            assert error.problems
            assert all(str(problem) for problem in error.problems)
        else:
            assert isinstance(loaded, ExercisePackage)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercise=table(EXERCISE_FIELDS), items=st.lists(table(ITEM_FIELDS), max_size=4), groups=values)
def test_random_tables_load_or_report(
    exercise: dict[str, object], items: list[dict[str, object]], groups: object
) -> None:
    original = (MINI_PACKAGE / "exercise.toml").read_bytes()
    check(
        tomli_w.dumps(exercise).encode(),
        tomli_w.dumps({"items": items, "groups": groups} if isinstance(groups, dict) else {"items": items}).encode(),
    )
    check(original, tomli_w.dumps({"items": items}).encode())


@settings(max_examples=100, deadline=None)
@given(exercise=st.binary(max_size=200), key=st.binary(max_size=200), article=st.binary(max_size=200))
def test_random_bytes_load_or_report(exercise: bytes, key: bytes, article: bytes) -> None:
    check(exercise, key, article)
    check(None, None, article)


@settings(max_examples=100, deadline=None)
@given(
    items=st.lists(
        st.fixed_dictionaries(
            {
                "id": st.text(max_size=6),
                "article": st.sampled_from(["mini-a", "mini-b", "nope"]),
                "quote": st.text(max_size=12),
                "category": st.sampled_from(["unverified", "conflicting_number", "loaded_framing", "other"]),
                "points": st.integers(min_value=-2, max_value=5),
                "explanation": st.text(max_size=10),
            },
            optional={
                "occurrence": st.integers(min_value=-1, max_value=3),
                "decoy": st.booleans(),
                "group": st.sampled_from(["force", "duration", "x"]),
                "also": st.lists(st.text(max_size=5), max_size=2),
            },
        ),
        max_size=5,
    )
)
def test_plausible_keys_load_or_report(items: list[dict[str, object]]) -> None:
    key = {"groups": {"force": {"description": "d"}, "duration": {"description": "d"}}, "items": items}
    check(None, tomli_w.dumps(key).encode())
