"""The stored state of Crosscheck: people, cohorts, exercises, keys, attempts, flags and scores."""

from __future__ import annotations

import dataclasses
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
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.column_types import RecordList, StoredPolicy, StoredPolicyJSON, key_item_from_record
from app.passwords import hash_password, verify_password
from exercises.types import Category
from scoring.types import KeyItem, Policy, RatingKey

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

    teaching: Mapped[list[Cohort]] = relationship(secondary=cohort_instructors, back_populates="instructors")
    cohorts: Mapped[list[Cohort]] = relationship(secondary=cohort_trainees, back_populates="trainees")

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
    assignments: Mapped[list[Assignment]] = relationship(back_populates="cohort", cascade="all, delete-orphan")


class Exercise(Base):
    __tablename__ = "exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    briefing: Mapped[str] = mapped_column(Text, default="")
    instructions: Mapped[str] = mapped_column(Text, default="")
    suggested_minutes: Mapped[int | None] = mapped_column(Integer)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    categories: Mapped[tuple[Category, ...]] = mapped_column(RecordList(Category.from_record), default=tuple)
    groups: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The scoring policy and the key editor's dismissed suggestions: read them as `policy` and
    # `dismissed_suggestions`.
    stored_policy: Mapped[StoredPolicy] = mapped_column("policy", StoredPolicyJSON, default=StoredPolicy)
    # Blind answer sets from the package ({"name", "answers"}: an answers file), read against grades.
    calibration: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    state: Mapped[str] = mapped_column(String(16), default=ExerciseState.DRAFT)
    available_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    available_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the exercise came from a package under exercises/: the hash of its files as loaded.
    package_hash: Mapped[str | None] = mapped_column(String(64))
    # Set when an instructor changed it in the app, so loading the package file won't overwrite it.
    edited_in_app: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether trainees give each flag a confidence (scoring.calibration.CONFIDENCE_SCALE).
    asks_confidence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    articles: Mapped[list[Article]] = relationship(
        back_populates="exercise", order_by="Article.position", cascade="all, delete-orphan"
    )
    key_versions: Mapped[list[KeyVersion]] = relationship(
        back_populates="exercise", order_by="KeyVersion.number", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="exercise", cascade="all, delete-orphan")
    # The instructor who made (or imported) it in the app; None for a package shipped with the instance.
    created_by: Mapped[User | None] = relationship()

    @property
    def category_ids(self) -> list[str]:
        """The ids of the exercise's categories, in its order."""
        return [category.id for category in self.categories]

    @property
    def category_names(self) -> dict[str, str]:
        """Category id → the name trainees see."""
        return {category.id: category.name for category in self.categories}

    @property
    def grouped_category_ids(self) -> set[str]:
        """The categories whose flags link to others: figures of a conflict group."""
        return {category.id for category in self.categories if category.grouped}

    @property
    def policy(self) -> Policy:
        """How the exercise's flags earn and lose points."""
        return (self.stored_policy or StoredPolicy()).policy

    @policy.setter
    def policy(self, policy: Policy) -> None:
        self.stored_policy = dataclasses.replace(self.stored_policy or StoredPolicy(), policy=policy)

    @property
    def dismissed_suggestions(self) -> tuple[str, ...]:
        """The key editor's suggestions the instructor dismissed (``article:start:end:category``)."""
        return (self.stored_policy or StoredPolicy()).dismissed_suggestions

    @dismissed_suggestions.setter
    def dismissed_suggestions(self, keys: tuple[str, ...]) -> None:
        self.stored_policy = dataclasses.replace(self.stored_policy or StoredPolicy(), dismissed_suggestions=keys)


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
    items: Mapped[tuple[KeyItem, ...]] = mapped_column(RecordList(key_item_from_record))
    # The instructor's source ratings; empty: trainees rate nothing.
    ratings: Mapped[tuple[RatingKey, ...]] = mapped_column(
        RecordList(RatingKey.from_record), default=tuple, server_default="[]"
    )
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

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    allow_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Trainees may see where the cohort flagged (no names) after their submission and the deadline,
    # or sooner once an instructor released it (``cohort_view_released_at``).
    cohort_view: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cohort_view_released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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
    flags: Mapped[list[Flag]] = relationship(back_populates="attempt", order_by="Flag.id", cascade="all, delete-orphan")
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
        # With the unique constraint it also serves lookups by attempt, so no index on
        # attempt_id alone is kept: the span index below costs a flag save no more than it did.
        Index("ix_flags_attempt_span", "attempt_id", "article_ref", "start", "end", "category"),
        # Covers the key gaps' count: the flags of one stretch of an article, whatever the attempt.
        Index("ix_flags_article_span", "article_ref", "start", "end", "attempt_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    article_ref: Mapped[str] = mapped_column(String(80))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    # The id of a level of scoring.calibration.CONFIDENCE_SCALE; None when not given.
    confidence: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="flags")
    links: Mapped[list[Flag]] = relationship(
        secondary="flag_links",
        primaryjoin="Flag.id == flag_links.c.flag_id",
        secondaryjoin="Flag.id == flag_links.c.target_id",
        # flag_links cascades on delete: removing a flag need not load its links first.
        passive_deletes=True,
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

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
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

    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"), primary_key=True)
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


class AuditEvent(Base):
    """One action of an instructor, an admin or a command that changed data: who, what, when, where.

    The actor's username is copied so the row still says who acted after the account is gone.
    Cohort and exercise ids carry no foreign key: the trail outlives what it names.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_newest", "occurred_at", "id"),
        Index("ix_audit_events_cohort", "cohort_id", "occurred_at"),
        Index("ix_audit_events_exercise", "exercise_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # None for what a command or the system did (loading packages, an LMS launch, a restore).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    cohort_id: Mapped[int | None] = mapped_column(Integer)
    exercise_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FeedbackTarget(enum.StrEnum):
    """What of a submission an instructor's comment is about."""

    FLAG = "flag"
    NOTE = "note"
    """The note the trainee wrote on the flag."""
    RATING = "rating"
    """The trainee's one-line reason for a source rating: how they would verify the source."""


class FeedbackComment(Base):
    """An instructor's comment on a flag, its note, or a source rating's reason, for the trainee to read."""

    __tablename__ = "feedback_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    # The flag for a flag or note comment; the article for a rating comment.
    flag_id: Mapped[int | None] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), index=True)
    article_ref: Mapped[str | None] = mapped_column(String(80))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the trainee opened the debrief after the comment was written or last edited.
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    author: Mapped[User | None] = relationship()


class FeedbackPoints(Base):
    """Discretionary points an instructor awarded (or, negative, removed) on one flag, beside the automatic score."""

    __tablename__ = "feedback_points"

    flag_id: Mapped[int] = mapped_column(ForeignKey("flags.id", ondelete="CASCADE"), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    points: Mapped[float] = mapped_column(Float)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- LTI 1.3: the tool's keys, registered platforms, and what launches linked ---------------------


class LtiToolKey(Base):
    """One of the tool's RSA key pairs: the newest unretired one signs; every stored one is published."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    public_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a newer key took over signing; the key stays in the JWKS until it is removed.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LtiPlatform(Base):
    """An LMS registration: what the admin copied from the platform's tool configuration."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    roster_sync: Mapped[bool] = mapped_column(Boolean, default=False)
    # The platform's JWKS as last fetched; fetched again when a launch names an unknown kid.
    key_set: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    key_set_fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.deployment_id"
    )


class LtiDeployment(Base):
    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiLaunchValue(Base):
    """The LTI library's short-lived launch data: nonces (single use), launches kept for deep linking.

    In the database rather than the session cookie, so every worker sees it and the cross-site
    launch POST, which carries no Lax session cookie, still finds it.
    """

    __tablename__ = "lti_launch_values"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LtiAccessToken(Base):
    """An OAuth 2 access token from a platform, reused until it expires."""

    __tablename__ = "lti_access_tokens"

    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LtiAccount(Base):
    """An LMS user (issuer and ``sub``) and the one Crosscheck account it maps to."""

    __tablename__ = "lti_accounts"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()


class LtiContext(Base):
    """An LMS course (context) and the cohort it maps to."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    # The Names and Roles service of the course, when the platform offers it.
    memberships_url: Mapped[str | None] = mapped_column(String(1000))

    platform: Mapped[LtiPlatform] = relationship()
    cohort: Mapped[Cohort] = relationship()


class LtiResourceLink(Base):
    """A link in the course, the exercise it opens and the gradebook column (line item) it feeds."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), index=True)
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)

    context: Mapped[LtiContext] = relationship()
    exercise: Mapped[Exercise] = relationship()


class LtiGradeSync(Base):
    """Whether a trainee's grade on one line item still has to reach the LMS.

    One row per line item and trainee, so a retry always sends the newest score, never a
    queued old one.
    """

    __tablename__ = "lti_grade_syncs"
    __table_args__ = (
        UniqueConstraint("resource_link_id", "user_id"),
        Index("ix_lti_grade_syncs_due", "pending", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped whenever a new score is queued, so a delivery finishing late cannot mark it done.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The score the LMS has, by the time it was computed: an older one is never sent over it.
    sent_score_id: Mapped[int | None] = mapped_column(ForeignKey("scores.id", ondelete="SET NULL"))
    sent_timestamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    resource_link: Mapped[LtiResourceLink] = relationship()
    user: Mapped[User] = relationship()


class CountedSubmission(Base):
    """The submission that counts on a cohort's dashboard for one trainee at one exercise (their
    latest submitted attempt for the cohort) with the figures of its current score.

    Kept by ``app.cohort_figures.tallies`` in the transaction that stores a score, so the dashboard
    reads one row per trainee instead of finding the latest attempt and its current score. The
    attempt's times are read from the attempt (the demo seeder moves them after scoring).
    """

    __tablename__ = "counted_submissions"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"), unique=True)
    score: Mapped[float] = mapped_column(Float)
    precision: Mapped[float] = mapped_column(Float)
    recall: Mapped[float] = mapped_column(Float)
    f1: Mapped[float] = mapped_column(Float)
    false_positives: Mapped[int] = mapped_column(Integer)
    span_f1: Mapped[float] = mapped_column(Float)
    """SemEval span F1 regardless of category, from the report."""
    note: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    previous_score: Mapped[float | None] = mapped_column(Float)
    """The score the current one replaced; None for a first score."""
    problems: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer)
    sound: Mapped[int] = mapped_column(Integer)
    false_alarms: Mapped[int] = mapped_column(Integer)
    """The counts behind discernment (``scoring.discernment.measure_from_counts``)."""
    outlying_flags: Mapped[list[list[Any]]] = mapped_column(JSON)
    """The report's flags that matched no key item as it stands (near misses, decoys, not in the
    key), each as [article, start, end, category, outcome, item id]: what the key gaps and false
    positives read."""


class ItemTally(Base):
    """How many counted submissions left one key item in one status with one chosen category
    ("" for none), and the credit they earned: the sum over ``counted_submissions``' score items.

    Missed items and avoided decoys are not tallied: they are the counted submissions that remain.
    """

    __tablename__ = "item_tallies"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    chosen_category: Mapped[str] = mapped_column(String(64), primary_key=True)
    submissions: Mapped[int] = mapped_column(Integer)
    credit: Mapped[float] = mapped_column(Float)


class SpanTally(Base):
    """How many flags of counted submissions cover exactly one span with one category."""

    __tablename__ = "span_tallies"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    article_ref: Mapped[str] = mapped_column(String(80), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    end: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    flags: Mapped[int] = mapped_column(Integer)


OUTLYING_COUNTING = "flags != 0 OR opened != 0"
"""The outlying tallies that count flags or groups opened, which `OutlyingTally`'s partial index
holds: a statement that reads them from it says so in these words (a database uses a partial
index only for a condition it can see implies the index's, never for bound parameters)."""


class OutlyingTally(Base):
    """The counted submissions' flags that matched no key item (``outlying_flags``), tallied by
    outcome, key item ("" for none) and span, for the near misses and false positives.

    ``flags`` counts the flags on exactly the span. The lists count submissions, not flags, so
    each submission's outlying flags are grouped as the dashboard groups the cohort's: near misses
    and decoys by key item, flags in no key item by runs of overlapping spans in an article.
    ``opened`` counts the submissions whose group opens at the span (its first flag). A group of
    the cohort's can hold two runs of one submission's, joined by other trainees' flags; ``gaps``
    counts, on a row whose start and end are the first run's reach and the next run's start, the
    submissions with two such consecutive runs, so the dashboard counts each submission once.
    """

    __tablename__ = "outlying_tallies"
    __table_args__ = (
        # The dashboard reads the tallies that count flags or groups opened from this index alone:
        # the others count gaps alone, most of a large cohort's, and are read only where they matter.
        Index(
            "ix_outlying_tallies_counting",
            *"cohort_id exercise_id outcome item_id article_ref start end flags opened gaps".split(),  # noqa: SIM905 (a list takes ten lines)
            sqlite_where=text(OUTLYING_COUNTING),
            postgresql_where=text(OUTLYING_COUNTING),
        ),
    )

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(24), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    article_ref: Mapped[str] = mapped_column(String(80), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    end: Mapped[int] = mapped_column(Integer, primary_key=True)
    flags: Mapped[int] = mapped_column(Integer)
    opened: Mapped[int] = mapped_column(Integer)
    gaps: Mapped[int] = mapped_column(Integer)
