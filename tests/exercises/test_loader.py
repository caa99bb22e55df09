"""Where the loader finds articles, and the content hash that detects changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from exercises import load_package, package_dirs
from tests.exercises.conftest import BETA, PackageSpec


def test_articles_in_the_package_win_over_the_content_folder(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], tmp_path: Path
) -> None:
    content = tmp_path / "shared-content"
    content.mkdir()
    (content / "beta.txt").write_text("Something else entirely.", encoding="utf-8")
    package = load_package(write_package(spec), content_dir=content)
    assert package.article("beta").text == BETA


def test_articles_missing_from_the_package_come_from_the_content_folder(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], tmp_path: Path
) -> None:
    folder = write_package(spec)
    content = tmp_path / "shared-content"
    (folder / "articles").rename(content)
    assert load_package(folder, content_dir=content).article("beta").text == BETA


def test_text_is_read_without_newline_translation(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], empty_content: Path
) -> None:
    text, meta = spec.articles["beta"]
    spec.articles["beta"] = ("Line one.\r\n" + text, meta)
    package = load_package(write_package(spec), content_dir=empty_content)
    c2 = next(item for item in package.key if item.id == "c2")
    assert package.article("beta").text.startswith("Line one.\r\n")
    assert package.article("beta").text[c2.start : c2.end] == "50 soldiers died"


def test_content_hash_is_stable_and_follows_every_file(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], empty_content: Path
) -> None:
    first = load_package(write_package(spec), content_dir=empty_content).content_hash
    again = load_package(write_package(spec), content_dir=empty_content).content_hash
    assert first == again
    spec.articles["beta"][1]["title"] = "Another title"
    changed_sidecar = load_package(write_package(spec), content_dir=empty_content).content_hash
    spec.item("u1")["explanation"] = "Still no source."
    changed_key = load_package(write_package(spec), content_dir=empty_content).content_hash
    assert len({first, changed_sidecar, changed_key}) == 3


def test_package_dirs_lists_folders_with_an_exercise_file(
    spec: PackageSpec, write_package: Callable[[PackageSpec], Path], tmp_path: Path
) -> None:
    folder = write_package(spec)
    (tmp_path / "not-a-package").mkdir()
    assert package_dirs(tmp_path) == (folder,)
