"""Loading exercise packages into the database: idempotent, versioned keys, app edits kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import db
from app.exercise_import import import_directory
from app.models import Article, Attempt, Exercise, Flag, KeyVersion, Score
from tests.conftest import MINI_PACKAGE, Factory


@pytest.fixture
def package_root(tmp_path: Path) -> Path:
    root = tmp_path / "packages"
    shutil.copytree(MINI_PACKAGE, root / "mini-exercise")
    return root


def versions(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session().scalars(select(KeyVersion.number).order_by(KeyVersion.number)))


def test_loading_twice_creates_once(app: Flask, package_root: Path) -> None:
    with app.app_context():
        first = import_directory(db.session(), package_root)
        second = import_directory(db.session(), package_root)
        assert [o.action for o in first] == ["created"]
        assert [o.action for o in second] == ["unchanged"]
        exercise = db.session().scalar(select(Exercise))
        assert exercise.title == "Mini exercise"
        assert [a.ref for a in exercise.articles] == ["mini-a", "mini-b"]
        assert exercise.articles[0].text.startswith("Officials said about\u00a0500")
        assert [c.name for c in exercise.categories] == ["Unverified claim", "Conflicting number", "Loaded framing"]
    assert versions(app) == [1]


def test_changed_key_becomes_new_version_and_rescored(app: Flask, factory: Factory, package_root: Path) -> None:
    cohort = factory.cohort()
    trainee = factory.user("tess", cohort=cohort)
    with app.app_context():
        session = db.session()
        import_directory(session, package_root)
        exercise = session.scalar(select(Exercise))
        attempt = Attempt(user_id=trainee.id, exercise_id=exercise.id)
        text = exercise.articles[0].text
        start = text.index("reportedly")
        attempt.flags.append(
            Flag(
                client_id="f1",
                article_ref="mini-a",
                start=start,
                end=start + 10,
                quote="reportedly",
                category="unverified",
            )
        )
        session.add(attempt)
        session.flush()
        from app.grading import score_attempt
        from app.models import utcnow

        attempt.submitted_at = utcnow()
        first_score = score_attempt(session, attempt).score
        session.commit()

    key_file = package_root / "mini-exercise" / "key.toml"
    key_file.write_text(
        key_file.read_text().replace(
            'quote = "reportedly"\ncategory = "unverified"\npoints = 1',
            'quote = "reportedly"\ncategory = "unverified"\npoints = 5',
        )
    )
    with app.app_context():
        outcomes = import_directory(db.session(), package_root)
        assert outcomes[0].action == "new-key-version"
        assert "1 submissions rescored" in outcomes[0].message
        scores = list(db.session().scalars(select(Score).order_by(Score.id)))
        assert [s.is_current for s in scores] == [False, True]
        assert scores[1].score > first_score
        assert scores[1].key_version.number == 2
    assert versions(app) == [1, 2]


def test_app_edits_are_kept_unless_forced(app: Flask, package_root: Path) -> None:
    with app.app_context():
        session = db.session()
        import_directory(session, package_root)
        session.scalar(select(Exercise)).edited_in_app = True
        session.commit()
    exercise_file = package_root / "mini-exercise" / "exercise.toml"
    exercise_file.write_text(exercise_file.read_text().replace('title = "Mini exercise"', 'title = "Renamed"'))
    with app.app_context():
        kept = import_directory(db.session(), package_root)
        assert kept[0].action == "kept-app-edits"
        assert "--force" in kept[0].message
        assert db.session().scalar(select(Exercise.title)) == "Mini exercise"
        forced = import_directory(db.session(), package_root, force=True)
        assert forced[0].action == "updated"
        assert db.session().scalar(select(Exercise.title)) == "Renamed"


def test_changed_article_text_is_refused_once_flagged(app: Flask, factory: Factory, package_root: Path) -> None:
    trainee = factory.user("tess")
    with app.app_context():
        session = db.session()
        import_directory(session, package_root)
        exercise = session.scalar(select(Exercise))
        attempt = Attempt(user_id=trainee.id, exercise_id=exercise.id)
        attempt.flags.append(
            Flag(client_id="f1", article_ref="mini-a", start=0, end=9, quote="Officials", category="unverified")
        )
        session.add(attempt)
        session.commit()
    article = package_root / "mini-exercise" / "articles" / "mini-a.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("Officials", "Sources"), encoding="utf-8")
    with app.app_context():
        outcome = import_directory(db.session(), package_root)[0]
        assert outcome.action == "refused"
        texts = list(db.session().scalars(select(Article.text).where(Article.ref == "mini-a")))
        assert texts[0].startswith("Officials")


def test_invalid_package_is_reported_and_others_load(app: Flask, package_root: Path) -> None:
    broken = package_root / "broken"
    shutil.copytree(MINI_PACKAGE, broken)
    (broken / "exercise.toml").write_text(
        (broken / "exercise.toml").read_text().replace('slug = "mini-exercise"', 'slug = "broken"')
    )
    (broken / "key.toml").write_text(
        (broken / "key.toml").read_text().replace('quote = "reportedly"', 'quote = "nowhere in the text"')
    )
    with app.app_context():
        outcomes = {o.slug: o for o in import_directory(db.session(), package_root)}
        assert outcomes["broken"].action == "invalid"
        assert "item 'reportedly': field 'quote': not found" in outcomes["broken"].message
        assert outcomes["mini-exercise"].action == "created"
        assert db.session().scalar(select(func.count()).select_from(Exercise)) == 1


def test_shipped_packages_load(app: Flask) -> None:
    with app.app_context():
        outcomes = import_directory(db.session())
    assert outcomes and all(o.action == "created" for o in outcomes), [o.message for o in outcomes]
