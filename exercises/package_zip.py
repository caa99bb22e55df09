"""Share an exercise package as one zip file: write it from a package, read it back safely.

The zip holds a self-contained package: ``exercise.toml``, ``key.toml`` and every article under
``articles/<id>.txt`` and ``articles/<id>.toml``. Writing is deterministic (sorted members, a
fixed timestamp), and reading a written zip and writing it again gives the same files.

Reading trusts nothing: absolute paths, ``..``, backslashes, symbolic links, files other than a
package's, non-UTF-8 text, damaged data (a bad checksum, a broken deflate stream), text no database
can store and too much data (counted while decompressing, not from the zip's own headers) are each
refused with a message naming the member.
"""

from __future__ import annotations

import dataclasses
import io
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w

from exercises.keyfile import item_table
from exercises.loader import CALIBRATION_DIR, EXERCISE_FILE, KEY_FILE, load_package
from exercises.problems import PackageError, Problem
from exercises.storable import PROBLEM, is_storable
from exercises.types import Article, ConflictGroup, ExercisePackage

MAX_TOTAL_BYTES = 8 * 1024 * 1024
"""Most uncompressed bytes a zip may hold in all (the seed package is about 40 kB)."""
MAX_MEMBERS = 64
"""Most members a zip may have: two package files and two per article, with room to spare."""
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_NAME = "package.zip"

_MEMBER = re.compile(
    r"(?:exercise\.toml|key\.toml|articles/[a-z0-9][a-z0-9_-]*\.(?:txt|toml)|calibration/[a-z0-9][a-z0-9_-]*\.json)"
)


def package_files(package: ExercisePackage) -> dict[str, bytes]:
    """The files of ``package`` as a self-contained folder: path inside the package → bytes."""
    files = {
        EXERCISE_FILE: _toml(_exercise_table(package)),
        KEY_FILE: _toml(_key_table(package)),
    }
    for article in package.articles:
        files[f"articles/{article.id}.txt"] = article.text.encode("utf-8")
        files[f"articles/{article.id}.toml"] = _toml(_article_table(article))
    for answers in package.calibration:
        files[f"{CALIBRATION_DIR}/{answers.name}.json"] = answers.source.encode("utf-8")
    return files


def write_zip(files: Mapping[str, bytes]) -> bytes:
    """Zip ``files`` deterministically: sorted names, one fixed timestamp, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def export_zip(package: ExercisePackage) -> bytes:
    """The package as zip bytes."""
    return write_zip(package_files(package))


def read_zip(data: bytes, *, max_total: int = MAX_TOTAL_BYTES) -> dict[str, bytes]:
    """Read a package zip into path → bytes, refusing anything unsafe; raises :class:`PackageError`.

    One top-level folder around the package (``slug/exercise.toml``, as ``zip -r`` makes) is
    accepted and removed.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise _error(ZIP_NAME, f"not a zip file: {error}") from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise _error(ZIP_NAME, f"{len(infos)} files; a package zip has at most {MAX_MEMBERS}")
        problems = [problem for info in infos for problem in _unsafe(info)]
        if problems:
            raise PackageError(tuple(problems))
        prefix = _common_folder([info.filename for info in infos])
        files: dict[str, bytes] = {}
        total = 0
        for info in infos:
            name = info.filename[len(prefix) :]
            if not _MEMBER.fullmatch(name):
                problems.append(
                    Problem(
                        info.filename,
                        "not part of an exercise package (expected exercise.toml, key.toml, articles/<id>.txt, articles/<id>.toml and calibration/<name>.json)",
                    )
                )
                continue
            content = _read_member(archive, info, max_total - total)
            total += len(content)
            try:
                content.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.append(Problem(info.filename, f"not UTF-8 text: {error}"))
                continue
            files[name] = content
        for required in (EXERCISE_FILE, KEY_FILE):
            if required not in files:
                problems.append(Problem(prefix + required, "missing from the zip"))
        if problems:
            raise PackageError(tuple(problems))
        return files


def load_zip(data: bytes) -> ExercisePackage:
    """Read and validate a package zip; raises :class:`PackageError` listing every problem."""
    files = read_zip(data)
    with tempfile.TemporaryDirectory(prefix="crosscheck-zip-") as folder:
        root = Path(folder) / "package"
        (root / "articles").mkdir(parents=True)
        (root / CALIBRATION_DIR).mkdir()
        for name, content in files.items():
            (root / name).write_bytes(content)
        # An empty content folder: a shared package must carry every article it names.
        empty = Path(folder) / "content"
        empty.mkdir()
        package = load_package(root, content_dir=empty)
    # After parsing: TOML escapes such as \u0000 only become characters then.
    problems = list(_unstorable_texts(package))
    if problems:
        raise PackageError(tuple(problems))
    return package


def _unstorable_texts(package: ExercisePackage) -> Iterator[Problem]:
    """A problem for every text of ``package`` that a database cannot store, naming its file."""
    for article in package.articles:
        for name, value in _texts(article):
            suffix = "txt" if name == "text" else "toml"
            yield from _check(f"articles/{article.id}.{suffix}", value, field=name)
    for name, value in _texts(package):
        yield from _check(EXERCISE_FILE, value, field=name)
    for category in package.categories:
        for name, value in _texts(category):
            yield from _check(EXERCISE_FILE, value, field=name)
    for group in package.groups:
        for name, value in _texts(group):
            yield from _check(KEY_FILE, value, item=group.id, field=name)
    for item in package.key:
        for name, value in _texts(item):
            yield from _check(KEY_FILE, value, item=item.id, field=name)
    for rating in package.rating_key:
        for name, value in _texts(rating):
            yield from _check(KEY_FILE, value, item=f"ratings.{rating.article}", field=name)
    for answers in package.calibration:
        yield from _check(f"{CALIBRATION_DIR}/{answers.name}.json", answers.source, field="flags")


def _texts(record: Any) -> Iterator[tuple[str, str]]:
    """The text fields of a dataclass record, and those in its tuples (of text or of records)."""
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        values = value if isinstance(value, tuple) else (value,)
        for element in values:
            if isinstance(element, str):
                yield field.name, element
            elif dataclasses.is_dataclass(element):
                for _, text in _texts(element):
                    yield field.name, text


def _check(file: str, text: str, *, item: str | None = None, field: str) -> Iterator[Problem]:
    if not is_storable(text):
        yield Problem(file, PROBLEM, item=item, field=field)


def _error(member: str, message: str) -> PackageError:
    return PackageError((Problem(member, message),))


def _unsafe(info: zipfile.ZipInfo) -> list[Problem]:
    """Why a member may not be extracted: its path, its type or its size."""
    name = info.filename
    problems = []
    path = PurePosixPath(name)
    if "\\" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name) or path.is_absolute():
        problems.append(Problem(name, "absolute or Windows path; members must be relative"))
    elif ".." in path.parts:
        problems.append(Problem(name, "path leaves the package ('..')"))
    if stat.S_ISLNK(info.external_attr >> 16):
        problems.append(Problem(name, "symbolic link; a package holds plain files only"))
    if info.file_size > MAX_TOTAL_BYTES:
        problems.append(Problem(name, f"{info.file_size} bytes uncompressed; the limit is {MAX_TOTAL_BYTES}"))
    return problems


def _common_folder(names: list[str]) -> str:
    """``slug/`` when every member sits in one top folder and none is a package file at the root."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        top = next(iter(tops))
        if any(name == f"{top}/{EXERCISE_FILE}" for name in names):
            return top + "/"
    return ""


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, allowance: int) -> bytes:
    """Decompress one member, stopping as soon as the zip's total goes over the limit."""
    chunks, size = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(64 * 1024):
                size += len(chunk)
                if size > allowance:
                    raise _error(
                        info.filename, f"the zip unpacks to more than {MAX_TOTAL_BYTES} bytes; refused (a zip bomb?)"
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise _error(info.filename, f"damaged or unsupported data, cannot be unpacked ({error})") from error
    return b"".join(chunks)


def _toml(table: Mapping[str, Any]) -> bytes:
    return tomli_w.dumps(table, multiline_strings=True).encode("utf-8")


def _exercise_table(package: ExercisePackage) -> dict[str, Any]:
    return {
        "slug": package.slug,
        "title": package.title,
        "briefing": package.briefing,
        "instructions": package.instructions,
        "suggested_minutes": package.suggested_minutes,
        "attempts": package.attempts,
        "articles": [article.id for article in package.articles],
        "categories": [
            {
                "id": c.id,
                "name": c.name,
                "definition": c.definition,
                "example": c.example,
                **({"grouped": True} if c.grouped else {}),
            }
            for c in package.categories
        ],
        "policy": package.policy.to_record(),
    }


def _key_table(package: ExercisePackage) -> dict[str, Any]:
    texts = {article.id: article.text for article in package.articles}
    table: dict[str, Any] = {}
    if package.groups:
        table["groups"] = {group.id: _group_table(group) for group in package.groups}
    table["items"] = [item_table(item, texts[item.article]) for item in package.key]
    if package.rating_key:
        table["ratings"] = [rating.to_record() for rating in package.rating_key]
    return table


def _group_table(group: ConflictGroup) -> dict[str, Any]:
    table: dict[str, Any] = {"description": group.description}
    if group.agree:
        table["agree"] = [{"items": [first, second], "reason": reason} for first, second, reason in group.agree]
    return table


def _article_table(article: Article) -> dict[str, Any]:
    table: dict[str, Any] = {"id": article.id, "title": article.title}
    if article.byline:
        table["byline"] = article.byline
    if article.outlet:
        table["outlet"] = article.outlet
    table["event_date"] = article.event_date
    if article.published is not None:
        table["published"] = article.published
    table["language"] = article.language
    table["provenance"] = article.provenance
    if article.tracing:
        table["tracing"] = article.tracing
    return table
