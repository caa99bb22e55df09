"""Whole-instance backups round-trip on SQLite and PostgreSQL, and refuse what they can't restore."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, text

from app import create_app, db, feedback, migrate
from app.backup import BackupError, export_all, import_all
from app.cli import cli
from app.deadlines import as_utc
from app.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Exercise,
    FeedbackComment,
    FeedbackPoints,
    Flag,
    Role,
    Score,
    SourceRating,
    User,
)
from exercises.types import Category
from tests.conftest import Factory, login

RELEASED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

EXPECTED_TABLES = {
    "users",
    "cohorts",
    "exercises",
    "articles",
    "key_versions",
    "attempts",
    "flags",
    "flag_links",
    "scores",
    "score_items",
    "assignments",
    "audit_events",
    "feedback_comments",
    "feedback_points",
    "source_ratings",
}


def populate(app: Flask, factory: Factory) -> None:
    cohort = factory.cohort("Backed up")
    trainee = factory.user("tess", cohort=cohort)
    factory.user("grace", Role.INSTRUCTOR, teaches=cohort)
    exercise = factory.exercise(assign_to=cohort)
    attempt, _ = factory.attempt(
        trainee,
        exercise,
        flags=[
            ("mini-a", "about\u00a0500 fighters", "conflicting_number"),
            ("mini-b", "550 men", "conflicting_number"),
        ],
    )
    with app.app_context():
        session = db.session()
        first, second = session.scalars(select(Flag).where(Flag.attempt_id == attempt.id).order_by(Flag.id))
        first.links.append(second)
        first.note = "Zoë's note — “quoted” 🙂"
        first.confidence = "likely"
        first.attempt.exercise.asks_confidence = True
        session.commit()
    submitted, flag = factory.attempt(
        factory.user("other", cohort=cohort), exercise, flags=[("mini-a", "reportedly", "unverified")], submit=True
    )
    with app.app_context():
        session = db.session()
        grace = session.scalar(select(User).where(User.username == "grace"))
        attempt = session.get(Attempt, submitted.id)
        feedback.add_comment(session, grace, attempt, target="flag", flag_id=flag.id, body="Good — “why”?")
        feedback.set_points(session, grace, attempt, flag.id, 1.5)
        attempt.ratings.append(SourceRating(article_ref="mini-a", reliability="C", credibility="3", reason="Ask AP"))
        session.flush()
        feedback.add_comment(session, grace, attempt, target="rating", article_ref="mini-a", body="And the wire?")
        assignment = session.get(Assignment, (cohort.id, exercise.id))
        assignment.cohort_view = True
        assignment.cohort_view_released_at = RELEASED
        session.commit()


def restore(app: Flask, path: Path) -> dict[str, int]:
    """Restore ``path`` into ``app``'s database, as ``crosscheck import-all`` does (in an app context)."""
    with app.app_context():
        return import_all(db.get_engine(app), path)


def without_restore_event(backup: dict[str, Any]) -> dict[str, Any]:
    """The backup as it was before the restore added its audit event (the last row), which it checks."""
    rows = backup["tables"]["audit_events"]["rows"]
    action = backup["tables"]["audit_events"]["columns"].index("action")
    assert rows[-1][action] == "instance.restored"
    backup["tables"]["audit_events"]["rows"] = rows[:-1]
    return backup


def fresh_app(url: str, tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    app.instance_path = str(tmp_path)
    migrate.upgrade(db.get_engine(app))
    return app


def test_round_trip_on_sqlite_is_exact(app: Flask, factory: Factory, tmp_path: Path) -> None:
    populate(app, factory)
    first = tmp_path / "first.json.gz"
    counts = export_all(db.get_engine(app), first)
    assert {name for name, count in counts.items() if count} >= EXPECTED_TABLES
    restored = fresh_app(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path)
    assert restore(restored, first) == counts
    second = tmp_path / "second.json.gz"
    export_all(db.get_engine(restored), second)
    assert without_restore_event(json.loads(gzip.decompress(second.read_bytes()))) == json.loads(
        gzip.decompress(first.read_bytes())
    )
    client = restored.test_client()
    assert login(client, "grace").status_code == 302
    with restored.app_context():
        note = db.session().scalar(select(Flag.note).where(Flag.note != ""))
        assert note == "Zoë's note — “quoted” 🙂"
        assert db.session().scalar(select(Flag.confidence).where(Flag.note != "")) == "likely"
        assert db.session().scalar(select(Exercise.asks_confidence)) is True
        assert db.session().scalar(select(Score.score)) is not None
        assert db.session().scalar(select(FeedbackComment.body)) == "Good — “why”?"
        assert db.session().scalar(select(FeedbackPoints.points)) == 1.5
        assert db.session().scalar(select(Assignment.cohort_view))
    db.get_engine(restored).dispose()


def test_a_restored_instance_shows_the_same_feedback_confidence_and_cohort_view(
    app: Flask, factory: Factory, tmp_path: Path
) -> None:
    populate(app, factory)
    backup = tmp_path / "all.json"
    export_all(db.get_engine(app), backup)
    restored = fresh_app(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path)
    restore(restored, backup)
    with restored.app_context():
        session = db.session()
        assignment = session.scalar(select(Assignment))
        assert (assignment.cohort_view, as_utc(assignment.cohort_view_released_at)) == (True, RELEASED)
        assert session.scalars(select(FeedbackComment.target).order_by(FeedbackComment.id)).all() == ["flag", "rating"]
        submitted = session.scalar(select(Attempt.id).where(Attempt.submitted_at.is_not(None)))
    trainee = restored.test_client()
    login(trainee, "other")
    assert "2 unread comments" in trainee.get("/exercises").get_data(as_text=True)
    page = trainee.get(f"/attempts/{submitted}/debrief").get_data(as_text=True)
    assert "Good — “why”?" in page and "And the wire?" in page
    assert "instructor +1.5" in page
    assert "Where your cohort flagged" in page  # released before the restore, still released
    report = trainee.get(f"/api/attempts/{submitted}/report").get_json()
    assert report["instructor_points_on_flags"] == {"flag-1": 1.5}
    assert report["cohort_view"]["submissions"] == 1
    with restored.app_context():
        assert db.session().scalar(select(Flag.confidence).where(Flag.confidence.is_not(None))) == "likely"
    db.get_engine(restored).dispose()


def test_restore_refuses_a_database_that_is_not_empty(app: Flask, factory: Factory, tmp_path: Path) -> None:
    populate(app, factory)
    backup = tmp_path / "b.json"
    export_all(db.get_engine(app), backup)
    with pytest.raises(BackupError, match="is not empty"):
        import_all(db.get_engine(app), backup)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a readable backup file"),
        ('{"format": "something-else"}', "not a Crosscheck backup"),
        ('{"format": "crosscheck-backup", "version": 99}', "backup format version 99"),
        ('{"format": "crosscheck-backup", "version": 1, "schema_revision": "0000"}', "schema revision '0000'"),
    ],
)
def test_restore_rejects_bad_files_and_writes_nothing(app: Flask, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(BackupError, match=message):
        import_all(db.get_engine(app), path)
    with app.app_context():
        assert db.session().scalar(select(User)) is None


def test_commands(
    app_config: dict, factory: Factory, app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(app, factory)
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    monkeypatch.setenv("SECRET_KEY", "x")
    runner = CliRunner()
    result = runner.invoke(cli, ["export-all", str(tmp_path / "all.json")])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    assert json.loads((tmp_path / "all.json").read_text())["format"] == "crosscheck-backup"
    result = runner.invoke(cli, ["import-all", str(tmp_path / "all.json")])
    assert result.exit_code == 1
    assert "is not empty" in result.output


@pytest.mark.postgres
def test_round_trip_through_postgresql(app: Flask, factory: Factory, tmp_path: Path, pg_url: str) -> None:
    populate(app, factory)
    from_sqlite = tmp_path / "sqlite.json"
    counts = export_all(db.get_engine(app), from_sqlite)
    postgres = fresh_app(pg_url, tmp_path)
    try:
        assert restore(postgres, from_sqlite) == counts
        from_postgres = tmp_path / "postgres.json"
        export_all(db.get_engine(postgres), from_postgres)
        assert without_restore_event(json.loads(from_postgres.read_text())) == json.loads(from_sqlite.read_text())
        client = postgres.test_client()
        assert login(client, "grace").status_code == 302
        with postgres.app_context():
            session = db.session()
            session.add(User(username="after-restore", display_name="New", role=Role.TRAINEE, password_hash="x"))
            session.commit()
            assert (
                session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "instance.restored"
            )
    finally:
        db.get_engine(postgres).dispose()


def test_categories_are_stored_and_backed_up_as_their_json_records(
    app: Flask, factory: Factory, tmp_path: Path
) -> None:
    factory.exercise()
    records = [
        {"id": "unverified", "grouped": False},
        {"id": "conflicting_number", "grouped": True},
        {"id": "loaded_framing", "grouped": False},
    ]
    with app.app_context():
        stored = db.session().execute(text("SELECT categories FROM exercises")).scalar_one()
        categories = db.session().scalar(select(Exercise.categories))
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert [{"id": row["id"], "grouped": row["grouped"]} for row in stored] == records
    assert all(set(row) == {"id", "name", "definition", "example", "grouped"} for row in stored)
    assert categories == tuple(Category.from_record(row) for row in stored)
    backup = tmp_path / "backup.json"
    export_all(db.get_engine(app), backup)
    exercises = json.loads(backup.read_text(encoding="utf-8"))["tables"]["exercises"]
    row = dict(zip(exercises["columns"], exercises["rows"][0], strict=True))
    assert row["categories"] == stored
