"""The second ceiling: a minimal authenticated Flask + SQLAlchemy endpoint that inserts one row.

What a flag save cannot beat on this machine: the framework, a cookie session, loading the user
from PostgreSQL and one committed INSERT. Served like the app (gunicorn, same workers and threads)
on the same database, in tables of its own.

    POST /login  {"username": ...}  → 204, the session cookie set
    POST /rows   {"note": ...}      → 201 {"id": ...}, one row inserted and committed
"""

from __future__ import annotations

import os

from flask import Flask, abort, g, jsonify, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from sqlalchemy import ForeignKey, String, Text, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

USERS = 64
"""Accounts bench_user00 … bench_user63, made by ``prepare``."""


class Base(DeclarativeBase):
    pass


class BenchUser(UserMixin, Base):
    __tablename__ = "bench_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)


class BenchRow(Base):
    __tablename__ = "bench_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("bench_users.id"))
    note: Mapped[str] = mapped_column(Text)


def prepare(database_url: str) -> None:
    """Create the tables and the accounts (before the workers start, so they do not race to)."""
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine) as setup:
        setup.add_all(BenchUser(username=f"bench_user{number:02d}") for number in range(USERS))
        setup.commit()
    engine.dispose()


def create_app() -> Flask:
    """The app gunicorn serves; ``DATABASE_URL`` names a database ``prepare`` has set up."""
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "insert-ceiling")
    factory = sessionmaker(create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True), expire_on_commit=False)

    def database() -> Session:
        if "db" not in g:
            g.db = factory()
        return g.db

    @app.teardown_appcontext
    def close(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()

    logins = LoginManager(app)

    @logins.user_loader
    def load_user(user_id: str) -> BenchUser | None:
        return database().get(BenchUser, int(user_id))

    @app.post("/login")
    def login():  # type: ignore[no-untyped-def]
        username = (request.get_json(force=True) or {}).get("username", "")
        user = database().scalar(select(BenchUser).where(BenchUser.username == username))
        if user is None:
            abort(401)
        login_user(user)
        return "", 204

    @app.post("/rows")
    @login_required
    def insert_row():  # type: ignore[no-untyped-def]
        row = BenchRow(user_id=current_user.id, note=str((request.get_json(force=True) or {}).get("note", "")))
        session = database()
        session.add(row)
        session.commit()
        return jsonify({"id": row.id}), 201

    return app
