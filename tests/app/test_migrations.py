"""The schema comes from migrations, the same on SQLite and PostgreSQL, and matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app import db, migrate
from app.models import Base


def assert_models_match_migrations(url: str) -> None:
    engine = db.make_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            tables = set(inspect(connection).get_table_names())
        assert set(Base.metadata.tables) <= tables
        migrate.upgrade(engine)  # a second run changes nothing
    finally:
        engine.dispose()


def test_sqlite_schema_matches_models(tmp_path: Path) -> None:
    assert_models_match_migrations(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


@pytest.mark.postgres
def test_postgresql_schema_matches_models(pg_url: str) -> None:
    assert_models_match_migrations(pg_url)


def test_confidence_and_the_cohort_view_are_off_for_what_existed_before(tmp_path: Path) -> None:
    """An exercise, its article, assignment, attempt and flag made before 0007 (confidence) and 0009 (cohort view) are still
    there once the database is upgraded (SQLite rebuilds the exercises table: with foreign keys on,
    that once cascaded and deleted the assignment), asking for no confidence and offering no cohort view."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        migrate.upgrade(engine, "0006_audit_trail")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO exercises (id, slug, title, briefing, instructions, attempts_allowed, categories, "
                    "groups, policy, calibration, state, edited_in_app, created_at, updated_at) VALUES (1, 'old', "
                    "'Old', '', '', 1, '[]', '{}', '{}', '[]', 'published', 0, '2026-01-01', '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO cohorts (id, name, join_enabled, is_demo, created_at) VALUES (1, 'Old', 1, 0, '2026-01-01')"
                )
            )
            connection.execute(text("INSERT INTO assignments (cohort_id, exercise_id) VALUES (1, 1)"))
            connection.execute(
                text(
                    "INSERT INTO users (id, username, display_name, password_hash, role, session_token, "
                    "must_change_password, is_demo, created_at) VALUES (1, 'u', 'U', 'x', 'trainee', 't', 0, 0, "
                    "'2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO articles (id, exercise_id, ref, position, title, byline, outlet, event_date, "
                    "published, language, provenance, tracing, text) VALUES (1, 1, 'a', 1, 'T', '', '', '', '', "
                    "'en', '', '', 'Text.')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO attempts (id, user_id, exercise_id, cohort_id, number, revision, started_at, "
                    "last_activity_at, late) VALUES (1, 1, 1, 1, 1, 0, '2026-01-01', '2026-01-01', 0)"
                )
            )
            connection.execute(
                text(
                    'INSERT INTO flags (id, attempt_id, client_id, article_ref, start, "end", quote, category, '
                    "note, created_at, updated_at) VALUES (1, 1, 'c1', 'a', 0, 4, 'Text', 'x', '', '2026-01-01', "
                    "'2026-01-01')"
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as connection:
            for table in ("articles", "attempts"):
                assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1, table
            assert connection.execute(text("SELECT confidence FROM flags")).scalar_one() is None
            assert connection.execute(text("SELECT asks_confidence FROM exercises")).scalar_one() in (False, 0)
            assert connection.execute(text("SELECT cohort_view, cohort_view_released_at FROM assignments")).one() in (
                (False, None),
                (0, None),
            )
    finally:
        engine.dispose()
