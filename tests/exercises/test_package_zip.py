"""Package zips: an exact round trip, and every unsafe zip refused with a clear message."""

from __future__ import annotations

import dataclasses
import io
import stat
import zipfile

import pytest

from exercises import PACKAGES_DIR, PackageError, load_package, package_zip
from exercises.package_zip import export_zip, load_zip, package_files, read_zip, write_zip
from scoring.types import KeyItem
from tests.conftest import MINI_PACKAGE


@pytest.mark.parametrize("path", [PACKAGES_DIR / "deir-ez-zor-2018", MINI_PACKAGE])
def test_round_trip_is_exact(path: object) -> None:
    package = load_package(path)
    data = export_zip(package)
    again = load_zip(data)
    assert again.key == package.key  # same items, same offsets into the same texts
    assert again.articles == package.articles
    assert (again.categories, again.groups, again.policy) == (package.categories, package.groups, package.policy)
    assert (again.rating_key, again.calibration) == (package.rating_key, package.calibration)
    assert package_files(again) == package_files(package)
    assert export_zip(again) == data


def test_a_repeated_quote_and_core_keep_their_occurrence() -> None:
    package = load_package(PACKAGES_DIR / "deir-ez-zor-2018")
    text = package.article("khasham-unsigned-report").text
    start = text.index("Regime", text.index("Regime") + 1)
    repeated = KeyItem(
        "repeated",
        "khasham-unsigned-report",
        start,
        start + 6,
        "Regime",
        "loaded_framing",
        explanation="A repeat.",
        core_start=start,
        core_end=start + 6,
    )
    changed = dataclasses.replace(package, key=(*package.key, repeated))
    key = read_zip(export_zip(changed))["key.toml"].decode()
    assert 'quote = "Regime"\noccurrence = 2\ncore = "Regime"\n' in key
    assert load_zip(export_zip(changed)).key == changed.key  # cores and agreeing figures included


def test_one_top_folder_is_accepted() -> None:
    files = package_files(load_package(MINI_PACKAGE))
    data = write_zip({f"mini-exercise/{name}": content for name, content in files.items()})
    assert load_zip(data).slug == "mini-exercise"


def raw_zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name)
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


VALID = {"exercise.toml": b"x", "key.toml": b"y"}


@pytest.mark.parametrize(
    ("members", "symlink", "expected"),
    [
        ({**VALID, "../evil.txt": b"x"}, None, "../evil.txt: path leaves the package ('..')"),
        ({**VALID, "articles/../../evil.txt": b"x"}, None, "articles/../../evil.txt: path leaves the package ('..')"),
        ({**VALID, "/etc/passwd": b"x"}, None, "/etc/passwd: absolute or Windows path; members must be relative"),
        ({**VALID, "C:\\evil.txt": b"x"}, None, "C:\\evil.txt: absolute or Windows path; members must be relative"),
        (
            {**VALID, "articles/a.txt": b"/etc/passwd"},
            "articles/a.txt",
            "articles/a.txt: symbolic link; a package holds plain files only",
        ),
        ({**VALID, "articles/a.txt": b"\xff\xfe"}, None, "articles/a.txt: not UTF-8 text"),
        ({**VALID, "notes.exe": b"x"}, None, "notes.exe: not part of an exercise package"),
        ({"exercise.toml": b"x"}, None, "key.toml: missing from the zip"),
    ],
)
def test_unsafe_zips_are_refused(members: dict[str, bytes], symlink: str | None, expected: str) -> None:
    with pytest.raises(PackageError) as caught:
        read_zip(raw_zip(members, symlink=symlink))
    assert any(str(problem).startswith(expected) for problem in caught.value.problems), caught.value


def test_a_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package_zip, "MAX_TOTAL_BYTES", 10_000)
    # One member declaring too much, and members whose total goes over while decompressing.
    with pytest.raises(PackageError, match="articles/a.txt: 200000 bytes uncompressed; the limit is 10000"):
        read_zip(raw_zip({**VALID, "articles/a.txt": b"a" * 200_000}))
    spread = raw_zip({**VALID, "articles/a.txt": b"a" * 6_000, "articles/b.txt": b"b" * 6_000})
    with pytest.raises(PackageError, match="unpacks to more than 10000 bytes"):
        read_zip(spread, max_total=10_000)


def test_not_a_zip() -> None:
    with pytest.raises(PackageError, match="not a zip file"):
        read_zip(b"hello")


def test_a_package_must_carry_its_articles() -> None:
    files = package_files(load_package(MINI_PACKAGE))
    del files["articles/mini-b.txt"], files["articles/mini-b.toml"]
    with pytest.raises(PackageError, match="article text not found"):
        load_zip(write_zip(files))
