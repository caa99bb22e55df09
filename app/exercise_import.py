"""Importing exercise packages into the database, idempotently and without losing app edits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app import audit, grading
from app.models import Article, Attempt, Exercise, ExerciseState, Flag, KeyVersion, User
from exercises.loader import load_package, package_dirs
from exercises.problems import PackageError
from exercises.types import Article as PackageArticle
from exercises.types import ExercisePackage


@dataclass(frozen=True)
class ImportOutcome:
    """What loading one package did, in words for the person who ran it."""

    slug: str
    action: str
    """created, updated, new-key-version, unchanged, kept-app-edits, refused or invalid."""
    message: str


def import_package(
    db: Session, package: ExercisePackage, *, force: bool = False, actor: User | None = None
) -> ImportOutcome:
    """Create or update the exercise from ``package``; a changed key becomes a new key version.

    An exercise an instructor changed in the app is left alone unless ``force`` lets the file
    win. Article texts that trainees have already flagged are never replaced, since their flags'
    offsets point into them. ``actor`` is who imported it (None: a command). The caller commits.
    """
    exercise = db.scalar(select(Exercise).where(Exercise.slug == package.slug))
    if exercise is None:
        exercise = Exercise(slug=package.slug, state=ExerciseState.PUBLISHED)
        _copy_package(exercise, package)
        exercise.articles = _articles(package)
        exercise.key_versions = [KeyVersion(number=1, items=package.key, ratings=package.rating_key, origin="package")]
        db.add(exercise)
        outcome = ImportOutcome(package.slug, "created", f"{package.slug}: created with {len(package.key)} key items")
        return _imported(db, actor, exercise, outcome)
    if exercise.package_hash == package.content_hash:
        return ImportOutcome(package.slug, "unchanged", f"{package.slug}: unchanged")
    if exercise.edited_in_app and not force:
        return ImportOutcome(
            package.slug,
            "kept-app-edits",
            f"{package.slug}: changed in the app since it was loaded; the package file was NOT applied "
            "(run with --force to let the file win)",
        )
    stored_texts = {article.ref: article.text for article in exercise.articles}
    package_texts = {article.id: article.text for article in package.articles}
    if stored_texts != package_texts:
        if _has_flags(db, exercise.id):
            return ImportOutcome(
                package.slug,
                "refused",
                f"{package.slug}: the article texts changed, but trainees have flagged the old ones; "
                "give the changed package a new slug",
            )
        exercise.articles = _articles(package)
    else:
        # Same texts: the sidecars may still have changed (provenance, tracing, outlet).
        sidecars = {article.id: article for article in package.articles}
        for stored in exercise.articles:
            for column, value in _article_metadata(sidecars[stored.ref]).items():
                setattr(stored, column, value)
    _copy_package(exercise, package)
    exercise.edited_in_app = False
    current = grading.current_key_version(db, exercise.id)
    if package.key == current.items and package.rating_key == current.ratings:
        return _imported(
            db, actor, exercise, ImportOutcome(package.slug, "updated", f"{package.slug}: updated (key unchanged)")
        )
    version, rescored = grading.add_key_version(
        db,
        exercise,
        package.key,
        ratings=package.rating_key,
        origin="package",
        note="loaded from the package files",
        user=actor,
    )
    outcome = ImportOutcome(
        package.slug,
        "new-key-version",
        f"{package.slug}: key version {version.number}; {rescored} submissions rescored",
    )
    return _imported(db, actor, exercise, outcome)


def _imported(db: Session, actor: User | None, exercise: Exercise, outcome: ImportOutcome) -> ImportOutcome:
    audit.record(
        db, actor, "exercise.imported", exercise=exercise, detail={"slug": outcome.slug, "outcome": outcome.action}
    )
    return outcome


def import_directory(db: Session, root: Path | None = None, *, force: bool = False) -> list[ImportOutcome]:
    """Load every package under ``root`` (default: the packages shipped in ``exercises/``).

    Each package is committed on its own, so one invalid package does not hold back the others.
    """
    outcomes = []
    for path in package_dirs(root) if root else package_dirs():
        try:
            package = load_package(path)
        except PackageError as error:
            problems = "; ".join(str(problem) for problem in error.problems)
            outcomes.append(ImportOutcome(path.name, "invalid", f"{path.name}: not loaded: {problems}"))
            continue
        outcome = import_package(db, package, force=force)
        db.commit()
        outcomes.append(outcome)
    return outcomes


def _copy_package(exercise: Exercise, package: ExercisePackage) -> None:
    exercise.title = package.title
    exercise.briefing = package.briefing
    exercise.instructions = package.instructions
    exercise.suggested_minutes = package.suggested_minutes
    exercise.attempts_allowed = package.attempts
    exercise.categories = package.categories
    exercise.groups = {group.id: group.description for group in package.groups}
    exercise.policy = package.policy
    exercise.calibration = [
        {"name": answers.name, "answers": json.loads(answers.source)} for answers in package.calibration
    ]
    exercise.package_hash = package.content_hash


def _articles(package: ExercisePackage) -> list[Article]:
    return [
        Article(ref=article.id, position=position, text=article.text, **_article_metadata(article))
        for position, article in enumerate(package.articles)
    ]


def _article_metadata(article: PackageArticle) -> dict[str, str]:
    """The columns of a stored article that describe it, from its sidecar."""
    return {
        "title": article.title,
        "byline": article.byline or "",
        "outlet": article.outlet or "",
        "event_date": article.event_date.isoformat(),
        "published": article.published.isoformat() if article.published else "",
        "language": article.language,
        "provenance": article.provenance,
        "tracing": article.tracing,
    }


def _has_flags(db: Session, exercise_id: int) -> bool:
    return bool(db.scalar(select(exists().where(Flag.attempt_id == Attempt.id, Attempt.exercise_id == exercise_id))))
