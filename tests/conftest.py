"""Shared fixtures: an app on a fresh database, clients, factories for users and cohorts."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from app import accounts, create_app, db, migrate
from app.exercise_import import import_package
from app.grading import score_attempt
from app.models import Assignment, Attempt, Cohort, Exercise, Flag, Role, User, utcnow
from app.passwords import hash_password
from app.trainee.attempts import assigning_cohort
from bench.harness import fresh_postgres_database
from exercises.loader import load_package

# Property tests check what is true, not how fast: on a busy 2-core machine one example can take
# longer than Hypothesis's default 200 ms deadline without anything being wrong.
settings.register_profile("crosscheck", deadline=None)
settings.load_profile("crosscheck")

MINI_PACKAGE = Path(__file__).resolve().parent / "data" / "mini-exercise"
"""A small exercise (two short articles, eight key items) for tests that need one."""

PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, copied for each test (migrating is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = db.make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def app_config(tmp_path: Path, migrated_sqlite: Path) -> dict[str, Any]:
    database = tmp_path / "crosscheck.sqlite3"
    shutil.copy(migrated_sqlite, database)
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{database}",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app(app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    application = create_app(app_config)
    application.instance_path = str(tmp_path)
    yield application
    db.get_engine(application).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def database(app: Flask) -> Iterator[Any]:
    """A session on the test database, outside any request."""
    with app.app_context():
        yield db.session()


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    """The CSRF token a page hands to this client's session."""
    response = client.get(page)
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, f"no csrf meta tag on {page} ({response.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str = "/login", **kwargs: Any) -> TestResponse:
    """POST a form the way a browser does, with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data}, **kwargs)


@functools.cache
def password_hash() -> str:
    """The hash of PASSWORD, computed once: hashing is slow on purpose, and tests make many users."""
    return hash_password(PASSWORD)


class Factory:
    """Makes users and cohorts directly in the database."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def user(
        self, username: str, role: Role = Role.TRAINEE, *, cohort: Cohort | None = None, teaches: Cohort | None = None
    ) -> User:
        with self.app.app_context():
            session = db.session()
            user = User(username=username, display_name=username.title(), role=role, password_hash=password_hash())
            session.add(user)
            if cohort is not None:
                member_of = session.get(Cohort, cohort.id)
                member_of.trainees.append(user)
            if teaches is not None:
                taught = session.get(Cohort, teaches.id)
                taught.instructors.append(user)
            session.commit()
            return user

    def exercise(self, *, assign_to: Cohort | None = None, package: Path = MINI_PACKAGE) -> Exercise:
        """Load an exercise package into the database, optionally set for a cohort."""
        with self.app.app_context():
            session = db.session()
            import_package(session, load_package(package))
            session.commit()
            exercise = session.scalar(select(Exercise).order_by(Exercise.id.desc()).limit(1))
            if assign_to is not None:
                session.add(Assignment(cohort_id=assign_to.id, exercise_id=exercise.id))
                session.commit()
            return exercise

    def assign(self, exercise: Exercise, cohort: Cohort) -> None:
        with self.app.app_context():
            session = db.session()
            session.add(Assignment(cohort_id=cohort.id, exercise_id=exercise.id))
            session.commit()

    def attempt(
        self,
        user: User,
        exercise: Exercise,
        *,
        flags: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
        submit: bool = False,
        number: int = 1,
    ) -> tuple[Attempt, Flag | None]:
        """An attempt (the trainee's ``number``-th at the exercise) with flags given as (article ref,
        quote, category); optionally submitted and scored.

        It is made for the cohort the app would choose (see ``assigning_cohort``).
        """
        with self.app.app_context():
            session = db.session()
            cohort_id = assigning_cohort(session, session.get(User, user.id), exercise.id)
            attempt = Attempt(user_id=user.id, exercise_id=exercise.id, cohort_id=cohort_id, number=number)
            texts = {article.ref: article.text for article in session.get(Exercise, exercise.id).articles}
            for position, (ref, quote, category) in enumerate(flags, start=1):
                start = texts[ref].index(quote)
                attempt.flags.append(
                    Flag(
                        client_id=f"flag-{position}",
                        article_ref=ref,
                        start=start,
                        end=start + len(quote),
                        quote=quote,
                        category=category,
                    )
                )
            session.add(attempt)
            session.flush()
            if submit:
                attempt.submitted_at = utcnow()
                score_attempt(session, attempt)
            session.commit()
            return attempt, (attempt.flags[0] if attempt.flags else None)

    def cohort(self, name: str = "Analysts 2026") -> Cohort:
        with self.app.app_context():
            session = db.session()
            cohort = Cohort(name=name, join_code=accounts.new_join_code())
            session.add(cohort)
            session.commit()
            return cohort


@contextlib.contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve ``app`` in a thread on 127.0.0.1 (a free port) and give its base URL, for a browser or
    a test LMS to call."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(app)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    return post_form(client, "/login", {"username": username, "password": password})


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards."""
    with fresh_postgres_database(postgres_server_url(), f"crosscheck_test_{uuid.uuid4().hex[:12]}") as url:
        yield url


def postgres_server_url() -> str:
    """TEST_DATABASE_URL, or skip the test that needs it."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return base


def redis_is_running() -> bool:
    """Whether Redis answers on 127.0.0.1:6379 (it does on the development and CI machines)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False
