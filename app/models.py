"""The stored state of Crosscheck: people, cohorts, exercises, keys, attempts, flags and scores."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.passwords import hash_password, verify_password

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Role(enum.StrEnum):
    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    TRAINEE = "trainee"


class ExerciseState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


cohort_instructors = Table(
    "cohort_instructors",
    Base.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

cohort_trainees = Table(
    "cohort_trainees",
    Base.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # Flask-Login stores this, not the id: rotating it on a password change ends every old session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    # Set for passwords an instructor generated: the trainee must choose their own at next login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    teaching: Mapped[list[Cohort]] = relationship(
        secondary=cohort_instructors, back_populates="instructors"
    )
    cohorts: Mapped[list[Cohort]] = relationship(
        secondary=cohort_trainees, back_populates="trainees"
    )

    def get_id(self) -> str:
        return self.session_token

    def set_password(self, password: str) -> None:
        """Hash and store ``password``, ending every session opened with the old one."""
        self.password_hash = hash_password(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_instructor(self) -> bool:
        """Instructors and admins can teach."""
        return self.role in (Role.INSTRUCTOR, Role.ADMIN)


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    join_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    instructors: Mapped[list[User]] = relationship(
        secondary=cohort_instructors, back_populates="teaching", order_by="User.display_name"
    )
    trainees: Mapped[list[User]] = relationship(
        secondary=cohort_trainees, back_populates="cohorts", order_by="User.display_name"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )


class Exercise(Base):
    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    briefing: Mapped[str] = mapped_column(Text, default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    suggested_minutes: Mapped[int | None] = mapped_column(Integer)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    groups: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Blind answer sets from the package ({"name", "answers"}: an answers file), read against grades.
    calibration: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    state: Mapped[str] = mapped_column(String(16), default=ExerciseState.DRAFT)
    available_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    available_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the exercise came from a package under exercises/: the hash of its files as loaded.
    package_hash: Mapped[str | None] = mapped_column(String(64))
    # Set when an instructor changed it in the app, so loading the package file won't overwrite it.
    edited_in_app: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    articles: Mapped[list[Article]] = relationship(
        back_populates="exercise", order_by="Article.position", cascade="all, delete-orphan"
    )
    key_versions: Mapped[list[KeyVersion]] = relationship(
        back_populates="exercise", order_by="KeyVersion.number", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan"
    )
    # The instructor who made (or imported) it in the app; None for a package shipped with the instance.
    created_by: Mapped[User | None] = relationship()


class Article(Base):
    """An article as one exercise shows it; ``ref`` is the id key items and flags use."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("exercise_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    byline: Mapped[str] = mapped_column(String(200), default="")
    outlet: Mapped[str] = mapped_column(String(200), default="")
    event_date: Mapped[str] = mapped_column(String(32), default="")
    # ISO date the text was published; empty when it does not say.
    published: Mapped[str] = mapped_column(String(32), default="", server_default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    provenance: Mapped[str] = mapped_column(Text, default="")
    # How a professional would trace the text to its origin: shown in the debrief.
    tracing: Mapped[str] = mapped_column(Text, default="", server_default="")
    text: Mapped[str] = mapped_column(Text)

    exercise: Mapped[Exercise] = relationship(back_populates="articles")


class KeyVersion(Base):
    """One version of an exercise's key: resolved items as ``crosscheck key --json`` prints them."""

    __tablename__ = "key_versions"
    __table_args__ = (UniqueConstraint("exercise_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The instructor's source ratings (scoring.RatingKey records); empty: trainees rate nothing.
    ratings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    origin: Mapped[str] = mapped_column(String(16))  # package, editor or dashboard
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    exercise: Mapped[Exercise] = relationship(back_populates="key_versions")
    created_by: Mapped[User | None] = relationship()


class Assignment(Base):
    """An exercise set for a cohort, with an optional deadline.

    At the deadline open attempts are submitted as they stand, unless ``allow_late``: then work
    goes on and what is submitted after the deadline is marked late.
    """

    __tablename__ = "assignments"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    allow_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    cohort: Mapped[Cohort] = relationship(back_populates="assignments")
    exercise: Mapped[Exercise] = relationship(back_populates="assignments")


class DeadlineExtension(Base):
    """A later deadline an instructor gave one trainee for one assignment."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["cohort_id", "exercise_id"], ["assignments.cohort_id", "assignments.exercise_id"], ondelete="CASCADE"
        ),
    )

    cohort_id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Attempt(Base):
    """A trainee's work on an exercise for one cohort: in progress until ``submitted_at`` is set, then final.

    ``cohort_id`` is the cohort whose assignment the work was made for: only that cohort's
    instructors see it. None only for work older than the column whose trainee no cohort set the
    exercise for.
    """

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "exercise_id", "number"),
        Index("ix_attempts_exercise_submitted", "exercise_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped on every change to the attempt's flags, so a second tab learns it is behind.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Submitted after its deadline (an assignment that allows late work).
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    user: Mapped[User] = relationship()
    exercise: Mapped[Exercise] = relationship()
    flags: Mapped[list[Flag]] = relationship(
        back_populates="attempt", order_by="Flag.id", cascade="all, delete-orphan"
    )
    scores: Mapped[list[Score]] = relationship(
        back_populates="attempt", order_by="Score.id", cascade="all, delete-orphan"
    )
    ratings: Mapped[list[SourceRating]] = relationship(
        order_by="SourceRating.article_ref", cascade="all, delete-orphan"
    )


class Flag(Base):
    """A span a trainee flagged. ``client_id`` makes a retried create idempotent."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("attempt_id", "client_id"),
        # Covers the dashboard's grouped scan of a cohort's flagged spans (heatmap, key gaps).
        Index("ix_flags_attempt_span", "attempt_id", "article_ref", "start", "end", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    article_ref: Mapped[str] = mapped_column(String(80))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    attempt: Mapped[Attempt] = relationship(back_populates="flags")
    links: Mapped[list[Flag]] = relationship(
        secondary="flag_links",
        primaryjoin="Flag.id == flag_links.c.flag_id",
        secondaryjoin="Flag.id == flag_links.c.target_id",
    )


flag_links = Table(
    "flag_links",
    Base.metadata,
    Column("flag_id", ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SourceRating(Base):
    """A trainee's Admiralty rating of one article's source and information, with a reason."""

    __tablename__ = "source_ratings"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    article_ref: Mapped[str] = mapped_column(String(80), primary_key=True)
    reliability: Mapped[str] = mapped_column(String(1))
    credibility: Mapped[str] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(Text, default="")


class Score(Base):
    """What the scoring engine said of an attempt under one key version; the newest is current."""

    __tablename__ = "scores"
    __table_args__ = (Index("ix_scores_attempt_current", "attempt_id", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    key_version_id: Mapped[int] = mapped_column(ForeignKey("key_versions.id", ondelete="CASCADE"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    score: Mapped[float] = mapped_column(Float)
    precision: Mapped[float] = mapped_column(Float)
    recall: Mapped[float] = mapped_column(Float)
    f1: Mapped[float] = mapped_column(Float)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The scoring rules (scoring.RULES) the score was made under, and why it replaced the
    # attempt's previous score (empty for the first).
    rules: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="scores")
    key_version: Mapped[KeyVersion] = relationship()
    items: Mapped[list[ScoreItem]] = relationship(cascade="all, delete-orphan")


class ScoreItem(Base):
    """One key item's outcome in one score, kept as rows so the dashboard can aggregate in SQL."""

    __tablename__ = "score_items"
    # Covers the dashboard's grouped scan of a cohort's current score items.
    __table_args__ = (Index("ix_score_items_outcome", "score_id", "item_id", "status", "chosen_category", "credit"),)

    score_id: Mapped[int] = mapped_column(
        ForeignKey("scores.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(24))
    chosen_category: Mapped[str | None] = mapped_column(String(64))
    credit: Mapped[float] = mapped_column(Float)


class AttemptGrant(Base):
    """Extra attempts an instructor allowed a trainee beyond the exercise's own number."""

    __tablename__ = "attempt_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
