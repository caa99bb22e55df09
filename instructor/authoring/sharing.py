"""Sharing exercises: package zips out and in, and drafts made from SemEval-2020 Task 11 files."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, grading
from app.exercise_import import ImportOutcome, import_package
from app.models import Exercise, ExerciseState, User
from exercises import semeval
from exercises.keyfile import declared_groups
from exercises.loader import EXERCISE_FILE
from exercises.package_zip import export_zip, load_zip
from exercises.problems import PackageError, Problem
from exercises.types import Article as PackageArticle
from exercises.types import ExercisePackage
from instructor.authoring.details import (
    DEFAULT_MINUTES,
    MAX_ARTICLES,
    ArticleDraft,
    create_exercise,
    default_categories,
)
from instructor.authoring.keys import KeySaved, save_key
from instructor.authoring.permissions import can_edit
from scoring.anchoring import find_quote


def package_of(db: Session, exercise: Exercise) -> ExercisePackage:
    """The exercise and its current key as a validated package, ready to write out.

    Raises :class:`PackageError` when something a package needs is missing (an empty key, an
    article without a date).
    """
    problems: list[Problem] = []
    articles = []
    for article in exercise.articles:
        try:
            event_date = datetime.date.fromisoformat(article.event_date)
        except ValueError:
            problems.append(
                Problem(
                    f"articles/{article.ref}.toml",
                    "the article has no event date",
                    item=article.ref,
                    field="event_date",
                )
            )
            continue
        articles.append(
            PackageArticle(
                id=article.ref,
                title=article.title,
                byline=article.byline or None,
                outlet=article.outlet or None,
                event_date=event_date,
                published=datetime.date.fromisoformat(article.published) if article.published else None,
                language=article.language,
                provenance=article.provenance,
                tracing=article.tracing,
                text=article.text,
            )
        )
    version = grading.current_key_version(db, exercise.id)
    key = version.items
    if not key:
        problems.append(Problem("key.toml", "the key is empty: add items before exporting", field="items"))
    if problems:
        raise PackageError(tuple(problems))
    return ExercisePackage(
        slug=exercise.slug,
        title=exercise.title,
        briefing=exercise.briefing,
        instructions=exercise.instructions,
        suggested_minutes=exercise.suggested_minutes or DEFAULT_MINUTES,
        attempts=exercise.attempts_allowed,
        articles=tuple(articles),
        categories=exercise.categories,
        groups=declared_groups(exercise.groups, key),
        policy=exercise.policy,
        key=key,
        rating_key=version.ratings,
        content_hash=exercise.package_hash or "",
    )


def export_exercise(db: Session, exercise: Exercise, actor: User | None) -> bytes:
    """The exercise as a package zip; ``actor`` (None: a command) is recorded as having taken it."""
    data = export_zip(package_of(db, exercise))
    audit.record(db, actor, "exercise.exported", exercise=exercise, detail={"slug": exercise.slug})
    return data


def import_zip(db: Session, data: bytes, user: User | None = None) -> ImportOutcome:
    """Create or update an exercise from a package zip, as ``load-exercises`` does for a folder.

    An exercise the zip creates through the app (``user`` given) starts as the user's draft;
    from the command line it is published like a shipped package. An existing exercise of the
    same slug is updated only if ``user`` may edit it. Raises :class:`PackageError`. The caller
    commits.
    """
    package = load_zip(data)
    existing = db.scalar(select(Exercise).where(Exercise.slug == package.slug))
    if existing is not None and user is not None and not can_edit(user, existing):
        raise PackageError(
            (
                Problem(
                    EXERCISE_FILE,
                    f"an exercise with slug {package.slug!r} exists and is not yours to change",
                    field="slug",
                ),
            )
        )
    outcome = import_package(db, package, actor=user)
    if outcome.action == "created" and user is not None:
        db.flush()
        created = db.scalar(select(Exercise).where(Exercise.slug == package.slug))
        assert created is not None
        created.state = ExerciseState.DRAFT
        created.created_by_id = user.id
        created.edited_in_app = True
        created.key_versions[0].created_by_id = user.id
        created.key_versions[0].note = "imported from a package zip"
    return outcome


def create_semeval_draft(
    db: Session,
    user: User,
    *,
    title: str,
    event_date: datetime.date,
    language: str,
    files: Mapping[str, str],
    labels_text: str,
) -> tuple[Exercise, list[semeval.Label]]:
    """A draft exercise from SemEval article files (``article<ID>.txt`` → text) and their labels.

    Raises ValueError (or :class:`exercises.semeval.LabelsError`) with what is wrong.
    """
    texts: dict[str, str] = {}
    for filename, text in files.items():
        ref = semeval.article_id(filename)
        if ref is None:
            raise ValueError(f"{filename}: SemEval articles are named article<ID>.txt")
        texts[ref] = text
    if not 1 <= len(texts) <= MAX_ARTICLES:
        raise ValueError(f"Choose one to {MAX_ARTICLES} article files (an exercise has at most {MAX_ARTICLES}).")
    labels = semeval.parse_labels(labels_text, texts)
    exercise = create_exercise(
        db,
        user,
        title=title,
        briefing="Articles from the SemEval-2020 Task 11 propaganda corpus.",
        instructions="Flag what a careful analyst would check before passing the text on.",
        suggested_minutes=DEFAULT_MINUTES,
        attempts=1,
        categories=default_categories(),
        articles=[
            ArticleDraft(
                title=ref.replace("article", "Article "),
                text=text,
                event_date=event_date,
                language=language,
                provenance=f"SemEval-2020 Task 11 corpus, {ref}.txt",
            )
            for ref, text in texts.items()
        ],
        origin_note="imported from SemEval-2020 Task 11 files",
    )
    # The article ids stay the corpus's, so the labels file keeps pointing at them.
    for article, ref in zip(exercise.articles, texts, strict=True):
        article.ref = ref
    return exercise, labels


def apply_semeval_mapping(
    db: Session, user: User, exercise: Exercise, labels: Sequence[semeval.Label], mapping: Mapping[str, str | None]
) -> KeySaved:
    """Turn the labels into the exercise's key through the instructor's technique → category mapping."""
    texts = {article.ref: article.text for article in exercise.articles}
    raw = semeval.key_items(labels, texts, mapping)
    items = []
    for item in raw:
        span = find_quote(texts[item["article"]], item["quote"], item.get("occurrence") or 1)
        items.append({**item, "start": span.start, "end": span.end})
    return save_key(db, user, exercise, items, {}, note="mapped from SemEval-2020 Task 11 labels")
