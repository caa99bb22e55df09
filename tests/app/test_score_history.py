"""Scores changed by a rescore say why, and scores made under older rules are brought up to date."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, update

import scoring
from app import db, grading
from app.cli import cli
from app.exercise_import import import_directory
from app.models import Article, Attempt, Exercise, Score, utcnow
from tests.conftest import MINI_PACKAGE, Factory

FLAGS = [("mini-a", "500", "conflicting_number"), ("mini-b", "550", "conflicting_number")]


def _scores(app: Flask, attempt_id: int) -> list[tuple[float, bool, int, str]]:
    with app.app_context():
        return [
            (round(s.score, 6), s.is_current, s.rules, s.note)
            for s in db.session().scalars(select(Score).where(Score.attempt_id == attempt_id).order_by(Score.id))
        ]


def test_upgrade_db_rescores_scores_made_under_older_rules(
    app: Flask, app_config: dict, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    attempt, _ = factory.attempt(factory.user("tess", cohort=cohort), exercise, flags=FLAGS, submit=True)
    ((first, _, rules, note),) = _scores(app, attempt.id)
    assert (rules, note) == (scoring.RULES, "")
    with app.app_context():  # as if it had been scored before these rules, at another score
        db.session().execute(update(Score).values(rules=1, score=12.5))
        db.session().commit()

    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "x")
    result = CliRunner().invoke(cli, ["upgrade-db"])
    assert result.exit_code == 0, result.output
    assert "1 submissions rescored under the current scoring rules." in result.output
    assert _scores(app, attempt.id) == [
        (12.5, False, 1, ""),
        (first, True, scoring.RULES, scoring.RULES_CHANGES[scoring.RULES]),
    ]
    # nothing left to do the second time
    again = CliRunner().invoke(cli, ["upgrade-db"])
    assert "rescored" not in again.output


def test_a_new_key_version_rescores_with_its_reason(app: Flask, factory: Factory, tmp_path: Path) -> None:
    cohort = factory.cohort()
    root = tmp_path / "packages"
    shutil.copytree(MINI_PACKAGE, root / "mini-exercise")
    with app.app_context():
        import_directory(db.session(), root)
        db.session().commit()
        exercise = db.session().scalar(select(Exercise))
    factory.assign(exercise, cohort)
    attempt, _ = factory.attempt(factory.user("tess", cohort=cohort), exercise, flags=FLAGS, submit=True)
    key = root / "mini-exercise" / "key.toml"
    key.write_text(
        key.read_text().replace('quote = "about 500 fighters"', 'quote = "about 500 fighters"\ncore = "500"')
    )
    sidecar = root / "mini-exercise" / "articles" / "mini-a.toml"
    sidecar.write_text(sidecar.read_text() + 'tracing = "Search for the agency wire."\n')
    with app.app_context():
        (outcome,) = import_directory(db.session(), root)
        db.session().commit()
        assert outcome.action == "new-key-version"
        # a changed sidecar reaches the stored article even though its text is the same
        article = db.session().scalar(select(Article).where(Article.ref == "mini-a"))
        assert article.tracing == "Search for the agency wire."
    *_, (_, current, _, note) = _scores(app, attempt.id)
    assert current and note == "Key version 2: loaded from the package files"


def test_the_key_s_source_ratings_are_stored_and_scored(app: Flask, factory: Factory) -> None:
    seed = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort, package=seed)
    with app.app_context():
        version = grading.current_key_version(db.session(), exercise.id)
        assert [r.article for r in version.ratings] == ["khasham-nyt-repost", "khasham-unsigned-report"]
        assert [c["name"] for c in db.session().get(Exercise, exercise.id).calibration] == ["analyst", "factchecker"]
    attempt, _ = factory.attempt(factory.user("tess", cohort=cohort), exercise, submit=True)
    with app.app_context():
        report = scoring.report_from_dict(
            db.session().scalar(select(Score.report).where(Score.attempt_id == attempt.id))
        )
    assert report.totals.possible == 84.0
    assert [(r.article, r.reliability, r.credit) for r in report.ratings] == [
        ("khasham-nyt-repost", None, 0.0),
        ("khasham-unsigned-report", None, 0.0),
    ]


def _items(score: Score) -> list[tuple[str, str, str | None, float]]:
    return sorted((item.item_id, item.status, item.chosen_category, item.credit) for item in score.items)


def _report_items(score: Score) -> list[tuple[str, str, str | None, float]]:
    categories = {flag.client_id: flag.category for flag in score.attempt.flags}
    return sorted(
        (item["id"], item["status"], categories[item["flag_ids"][0]] if item["flag_ids"] else None, item["credit"])
        for item in score.report["items"]
    )


def test_a_stored_score_reads_its_items_in_the_transaction_that_stored_it(app: Flask, factory: Factory) -> None:
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort)
    tess, _ = factory.attempt(factory.user("tess", cohort=cohort), exercise, flags=FLAGS)
    rex, _ = factory.attempt(factory.user("rex", cohort=cohort), exercise, flags=FLAGS[:1], submit=True)
    with app.app_context():
        session = db.session()
        attempt = session.get(Attempt, tess.id)
        attempt.submitted_at = utcnow()
        stored = grading.score_attempt(session, attempt)
        assert _items(stored) == _report_items(stored) != []
        assert any(status == "missed" for _, status, _, _ in _items(stored))
        assert any(category is not None for _, _, category, _ in _items(stored))

        assert grading.rescore_exercise(session, session.get(Exercise, exercise.id), note="key fixed") == 2
        current = list(session.scalars(select(Score).where(Score.is_current.is_(True)).order_by(Score.attempt_id)))
        assert [score.attempt_id for score in current] == [tess.id, rex.id]
        for score in current:
            assert _items(score) == _report_items(score)
        assert _items(current[0]) == _items(stored)
        session.commit()
    with app.app_context():
        replaced = db.session().scalars(select(Score).where(Score.is_current.is_(False)).order_by(Score.attempt_id))
        assert [(score.attempt_id, _items(score) == _report_items(score)) for score in replaced] == [
            (tess.id, True),
            (rex.id, True),
        ]
