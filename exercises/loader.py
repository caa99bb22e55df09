"""Load an exercise package from its folder, validating everything and reporting every problem."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exercises.answers import AnswersError, read_answers, read_ratings
from exercises.articles import article_files, read_article
from exercises.fields import ID_PATTERN, Fields, type_name
from exercises.keyfile import check_items, read_groups, read_rating_key
from exercises.problems import ProblemLog
from exercises.tomlfile import read_toml
from exercises.types import Article, CalibrationSet, Category, ExercisePackage
from scoring.types import Policy

EXERCISE_FILE = "exercise.toml"
KEY_FILE = "key.toml"
PACKAGES_DIR = Path(__file__).resolve().parent
"""Where the packages shipped with the project live (each a folder with an ``exercise.toml``)."""
DEFAULT_CONTENT_DIR = PACKAGES_DIR.parent / "content"
"""The shared article folder a package's article ids are looked up in."""


def package_dirs(root: Path = PACKAGES_DIR) -> tuple[Path, ...]:
    """Return every folder directly under ``root`` that holds an ``exercise.toml``, sorted."""
    return tuple(sorted(p.parent for p in root.glob(f"*/{EXERCISE_FILE}")))


def load_package(path: Path | str, *, content_dir: Path | str = DEFAULT_CONTENT_DIR) -> ExercisePackage:
    """Load and validate the package in folder ``path``.

    Articles are looked up in ``<path>/articles/`` first, then in ``content_dir``. Raises
    :class:`exercises.problems.PackageError` listing every problem found.
    """
    package, content = Path(path), Path(content_dir)
    log = ProblemLog()
    hashed: dict[str, bytes] = {}
    for name in (EXERCISE_FILE, KEY_FILE):
        file = package / name
        if file.is_file():
            hashed[name] = file.read_bytes()
    exercise = read_toml(package / EXERCISE_FILE, log, shown=EXERCISE_FILE)
    key = read_toml(package / KEY_FILE, log, shown=KEY_FILE)

    # A file that could not be read is reported once; its fields are then not reported missing,
    # and the other file is still checked.
    fields = Fields(exercise or {}, log if exercise is not None else ProblemLog(), EXERCISE_FILE)
    slug = fields.text("slug")
    if slug is not None and not ID_PATTERN.fullmatch(slug):
        fields.problem("slug", f"{slug!r} is not a slug (lower-case letters, digits, '-' and '_')")
    title = fields.text("title")
    briefing = fields.text("briefing")
    instructions = fields.text("instructions")
    suggested_minutes = fields.integer("suggested_minutes")
    attempts = fields.integer("attempts", required=False, default=1)
    article_ids = fields.identifiers("articles") or ()
    categories = _read_categories(fields)
    policy = _read_policy(fields.table("policy"), log)
    fields.finish()

    articles: list[Article] = []
    unreadable: list[str] = []
    for article_id in article_ids:
        text_path, sidecar_path = article_files(article_id, package, content)
        shown = f"{package.name}/articles" if text_path.parent != content else content.name
        article, raw_text, raw_sidecar = read_article(article_id, text_path, sidecar_path, log, shown=shown)
        hashed[f"articles/{article_id}.txt"] = raw_text
        hashed[f"articles/{article_id}.toml"] = raw_sidecar
        if article is None:
            unreadable.append(article_id)
        else:
            articles.append(article)

    key_fields = Fields(key or {}, log if key is not None else ProblemLog(), KEY_FILE)
    groups = read_groups(key_fields.table("groups"), log, KEY_FILE)
    raw_items = key_fields.tables("items") or []
    raw_ratings = key_fields.tables("ratings", required=False) or []
    key_fields.finish()
    rating_key = read_rating_key(raw_ratings, article_ids, log, KEY_FILE)
    items = check_items(
        raw_items,
        {article.id: article.text for article in articles},
        categories,
        groups,
        log,
        source=KEY_FILE,
        unreadable=unreadable,
    )
    calibration = _read_calibration(package, {article.id: article.text for article in articles}, log, hashed)
    log.raise_if_any()
    # No problem recorded means every required field was read.
    assert slug and title and briefing and instructions and suggested_minutes and attempts
    return ExercisePackage(
        slug=slug,
        title=title,
        briefing=briefing,
        instructions=instructions,
        suggested_minutes=suggested_minutes,
        attempts=attempts,
        articles=tuple(articles),
        categories=categories,
        groups=groups,
        policy=policy,
        key=items,
        rating_key=rating_key,
        content_hash=_content_hash(hashed),
        calibration=calibration,
        warnings=tuple(log.warnings),
    )


def _read_categories(fields: Fields) -> tuple[Category, ...]:
    """Read the ``[[categories]]`` of an exercise file."""
    categories: list[Category] = []
    seen: set[str] = set()
    for index, table in enumerate(fields.tables("categories") or [], start=1):
        label = table.get("id") if isinstance(table.get("id"), str) else f"categories[{index}]"
        entry = Fields(table, fields.log, fields.file, item=f"categories.{label}")
        category_id = entry.identifier("id")
        name = entry.text("name")
        definition = entry.text("definition")
        example = entry.text("example")
        grouped = entry.boolean("grouped", default=False)
        entry.finish()
        if category_id is not None and category_id in seen:
            entry.problem("id", f"duplicate category id {category_id!r}")
            continue
        if category_id is None or name is None or definition is None or example is None:
            continue
        seen.add(category_id)
        categories.append(
            Category(
                id=category_id,
                name=name,
                definition=definition,
                example=example,
                grouped=bool(grouped),
            )
        )
    return tuple(categories)


RETIRED_POLICY_KEYS = ("min_key_overlap", "min_flag_overlap")
"""Policy keys of packages written before matching used each item's core and extent."""


def _read_policy(table: Mapping[str, Any], log: ProblemLog) -> Policy:
    """Build the scoring policy from ``[policy]``; its keys are the fields of ``Policy``.

    Retired keys still load, with a warning, so packages exported by an older instance import.
    """
    known = {field.name: field for field in dataclasses.fields(Policy)}
    values: dict[str, Any] = {}
    for name, value in table.items():
        field = known.get(name)
        if name in RETIRED_POLICY_KEYS:
            log.warning(
                EXERCISE_FILE,
                f"policy key {name!r} is no longer used: a flag matches an item by covering the "
                "words of its core (see docs/authoring.md); remove it",
                field=f"policy.{name}",
            )
            continue
        if field is None:
            log.add(
                EXERCISE_FILE,
                f"unknown policy key {name!r}; known keys: {', '.join(known)}",
                field=f"policy.{name}",
            )
            continue
        expected = type(field.default)
        # A float field takes integers too (``decoy_penalty = 1``); booleans are never numbers.
        accepted = (int, float) if expected is float else (expected,)
        if isinstance(value, bool) != (expected is bool) or not isinstance(value, accepted):
            log.add(
                EXERCISE_FILE,
                f"expected {type_name(field.default)}, got {type_name(value)} {value!r}",
                field=f"policy.{name}",
            )
            continue
        values[name] = float(value) if isinstance(value, int | float) and expected is float else value
    try:
        return Policy(**values)
    except (TypeError, ValueError) as error:
        log.add(EXERCISE_FILE, f"rejected by the scoring policy: {error}", field="policy")
        return Policy()


CALIBRATION_DIR = "calibration"
"""A package's folder of blind answer sets, one ``<name>.json`` answers file each."""


def _read_calibration(
    package: Path, texts: Mapping[str, str], log: ProblemLog, hashed: dict[str, bytes]
) -> tuple[CalibrationSet, ...]:
    """Read the package's calibration sets (answers files, see `exercises.answers`)."""
    sets = []
    for path in sorted((package / CALIBRATION_DIR).glob("*.json")):
        shown = f"{CALIBRATION_DIR}/{path.name}"
        raw = path.read_bytes()
        hashed[shown] = raw
        if not ID_PATTERN.fullmatch(path.stem):
            log.add(shown, "the file name must be an id (lower-case letters, digits, '-' and '_')")
            continue
        try:
            source = raw.decode("utf-8")
            data = json.loads(source)
            flags, ratings = read_answers(data, texts), read_ratings(data, texts)
        except (UnicodeDecodeError, json.JSONDecodeError, AnswersError) as error:
            log.add(shown, f"not an answers file: {error}")
            continue
        sets.append(CalibrationSet(path.stem, tuple(flags), tuple(ratings), source))
    return tuple(sets)


def _content_hash(files: Mapping[str, bytes]) -> str:
    """Hash file names and bytes in name order, so any change to any file changes the hash."""
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
