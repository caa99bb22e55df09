"""The key editor: what it shows, and saving the key it sends back (a new version once trainees submitted)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app import audit, grading
from app.models import Attempt, Exercise, KeyVersion, User, utcnow
from exercises.keyfile import declared_groups, validate_key, which_occurrence
from exercises.problems import PackageError, Problem
from exercises.types import ConflictGroup
from scoring.anchoring import reanchor


def has_submissions(db: Session, exercise_id: int) -> bool:
    """Whether any trainee has submitted an attempt at the exercise."""
    return bool(
        db.scalar(select(exists().where(Attempt.exercise_id == exercise_id, Attempt.submitted_at.is_not(None))))
    )


def editor_state(db: Session, exercise: Exercise) -> dict[str, Any]:
    """What the key editor page hands to its script: articles, categories, groups and the current key."""
    version = grading.current_key_version(db, exercise.id)
    return {
        "articles": [{"ref": a.ref, "title": a.title, "text": a.text} for a in exercise.articles],
        "categories": [category.to_record() for category in exercise.categories],
        "groups": dict(exercise.groups),
        "items": editor_items(version),
        "version": version.number,
        "submitted": has_submissions(db, exercise.id),
        "dismissed": list(exercise.dismissed_suggestions),
    }


def editor_items(version: KeyVersion) -> list[dict[str, Any]]:
    """The version's key items as the editor shows them: each record with its core as text (None
    for the whole span)."""
    return [
        {**item.to_record(), "core": None}
        if item.core == (item.start, item.end)
        else {**item.to_record(), "core": item.core_quote}
        for item in version.items
    ]


_ITEM_KEYS = ("id", "core", "category", "also", "points", "group", "decoy", "explanation")


def items_from_editor(exercise: Exercise, payload: Sequence[Any]) -> list[dict[str, Any]]:
    """Turn the editor's items (spans with offsets) into key-file items (quote and occurrence).

    The span is re-anchored on the server (offsets stand if they cut the quote, else the quote
    is found again); an item whose span cannot be found keeps its quote so that the validator
    reports it on the item's ``quote`` field.
    """
    texts = {article.ref: article.text for article in exercise.articles}
    items: list[dict[str, Any]] = []
    for raw in payload:
        if not isinstance(raw, Mapping):
            items.append({"id": None, "quote": None})
            continue
        item: dict[str, Any] = {key: raw[key] for key in _ITEM_KEYS if key in raw and raw[key] not in (None, "", [])}
        if item.get("decoy") is False:
            del item["decoy"]
        if isinstance(item.get("points"), str):
            try:
                item["points"] = float(item["points"])
            except ValueError:
                pass
        article, quote = raw.get("article"), raw.get("quote")
        item["article"] = article
        item["quote"] = quote
        text = texts.get(article) if isinstance(article, str) else None
        if text is not None and isinstance(quote, str):
            start, end = raw.get("start"), raw.get("end")
            span = reanchor(
                text,
                start if isinstance(start, int) else None,
                end if isinstance(end, int) else None,
                quote,
                str(raw.get("prefix") or ""),
                str(raw.get("suffix") or ""),
            )
            if span is not None:
                stored = text[span.start : span.end]
                item["quote"] = stored
                occurrence = which_occurrence(text, stored, span.start, span.end)
                if occurrence is not None:
                    item["occurrence"] = occurrence
                core_start = raw.get("core_start")
                if isinstance(item.get("core"), str) and isinstance(core_start, int):
                    core_end = core_start + len(item["core"])
                    inside = which_occurrence(stored, item["core"], core_start - span.start, core_end - span.start)
                    if inside is not None:
                        item["core_occurrence"] = inside
        items.append(item)
    return items


def groups_from_editor(payload: Any) -> tuple[ConflictGroup, ...]:
    """Conflict groups from the editor: ``{id: description}``; bad entries become a problem."""
    if payload is None:
        return ()
    if not isinstance(payload, Mapping):
        raise PackageError((Problem("key", "groups must be an object of id → description", field="groups"),))
    problems, groups = [], []
    for group_id, description in payload.items():
        if not isinstance(description, str) or not description.strip():
            problems.append(
                Problem("key", "a conflict group needs a description", item=f"groups.{group_id}", field="description")
            )
        elif not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(group_id)):
            problems.append(
                Problem(
                    "key",
                    f"{group_id!r} is not an id (lower-case letters, digits, '-' and '_')",
                    item=f"groups.{group_id}",
                )
            )
        else:
            groups.append(ConflictGroup(id=group_id, description=description.strip()))
    if problems:
        raise PackageError(tuple(problems))
    return tuple(groups)


@dataclass(frozen=True)
class KeySaved:
    version: KeyVersion
    new_version: bool
    rescored: int


def save_key(
    db: Session,
    user: User,
    exercise: Exercise,
    items: Sequence[Any],
    groups: Any,
    *,
    note: str = "",
) -> KeySaved:
    """Validate the editor's key exactly as the loader does and store it.

    Before any submission the current version is updated in place; once trainees have
    submitted, a new version is added and every submission rescored (earlier scores stay as
    history). Raises :class:`PackageError` listing every problem. The caller commits.
    """
    current = grading.current_key_version(db, exercise.id)
    # The editor has no place for agreeing figures: they stay as the key had them.
    descriptions = {group.id: group.description for group in groups_from_editor(groups)}
    declared = declared_groups(descriptions, current.items)
    raw_items = items_from_editor(exercise, items)
    texts = {article.ref: article.text for article in exercise.articles}
    resolved = validate_key(raw_items, texts, exercise.categories, declared, source="key")
    exercise.groups = descriptions
    exercise.edited_in_app = True
    if not has_submissions(db, exercise.id):
        current.items = resolved
        current.created_by_id = user.id
        current.created_at = utcnow()
        if note:
            current.note = note
        db.flush()
        audit.record(
            db,
            user,
            "exercise.key_saved",
            exercise=exercise,
            detail={"version": current.number, "origin": "editor", "in_place": True},
        )
        return KeySaved(current, False, 0)
    version, rescored = grading.add_key_version(
        db, exercise, resolved, origin="editor", note=note or "edited in the key editor", user=user
    )
    return KeySaved(version, True, rescored)


def problem_records(error: PackageError) -> list[dict[str, str | None]]:
    """Problems as the editor shows them, next to the item and field they concern."""
    return [{"item": p.item, "field": p.field, "message": p.message, "text": str(p)} for p in error.problems]
