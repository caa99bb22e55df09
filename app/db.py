"""Database engine and the per-request session."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import CursorResult, Delete, Engine, Update, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

EXTENSION_KEY = "crosscheck.db"
MAX_ID = 2**31 - 1
"""The largest id an INTEGER column holds on PostgreSQL (SQLite's limit is higher)."""


class IdConverter(IntegerConverter):
    """``<int:...>`` in a URL, limited to ids the database can hold: a larger number is a 404,
    not a driver error (a 500) when the query is built."""

    def to_python(self, value: str) -> int:
        number = int(super().to_python(value))
        if number > MAX_ID:
            # Not ValidationError: werkzeug would then answer 405 with a wrong Allow header.
            raise NotFound("There is nothing here.")
        return number


def init_app(app: Flask) -> None:
    """Create the engine for ``DATABASE_URL`` and close each request's session at teardown."""
    # Before any blueprint adds its rules: they pick up the converter when added.
    app.url_map.converters["int"] = IdConverter
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[EXTENSION_KEY] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options = {"connect_args": {"timeout": 30}}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(app: Flask | None = None) -> Engine:
    """The engine of ``app`` (default: the current app)."""
    factory: sessionmaker[Session] = (app or current_app).extensions[EXTENSION_KEY]
    engine = factory.kw["bind"]
    assert isinstance(engine, Engine)
    return engine


def session() -> Session:
    """The session of this request or app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION_KEY]()
    db_session: Session = g.db_session
    return db_session


def rows_changed(db_session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed."""
    result = db_session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(statement).__name__} gave {type(result).__name__}, not a cursor result")
    return result.rowcount


def rollback() -> None:
    """Undo what this request wrote but did not commit."""
    db_session = g.get("db_session")
    if db_session is not None:
        db_session.rollback()


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
