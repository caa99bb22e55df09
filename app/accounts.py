"""Creating accounts and cohorts, checking passwords, join codes, resetting passwords and changing roles."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.models import Cohort, Role, User
from app.passwords import hash_password, verify_decoy

# No 0/O, 1/I/L: codes are read aloud and copied from slides.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_GROUPS = 3
JOIN_CODE_GROUP_LENGTH = 4
GENERATED_PASSWORD_WORDS = 3


class UsernameTaken(ValueError):
    """The username already belongs to an account."""


def has_users(db: Session) -> bool:
    """Whether any account exists (the first-run set-up page closes once one does)."""
    return db.scalar(select(func.count()).select_from(User)) != 0


def create_user(
    db: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    email: str | None = None,
    must_change_password: bool = False,
    created_by: User | None = None,
) -> User:
    """Add an account with a hashed password; raise ``UsernameTaken`` for a taken name.

    ``created_by`` is the instructor or admin who made it; None: the person made it themselves.
    """
    _refuse_taken(db, [username])
    user = User(
        username=username,
        display_name=display_name,
        email=email or None,
        role=role,
        must_change_password=must_change_password,
    )
    user.set_password(password)
    db.add(user)
    db.flush()
    audit.record(db, created_by or user, "account.created", detail=account_detail(user))
    return user


def account_detail(user: User) -> dict[str, object]:
    """What the audit trail says of an account: never its password or session token."""
    return {"user_id": user.id, "username": user.username, "role": str(user.role)}


def reset_password(db: Session, actor: User, user: User) -> str:
    """Give ``user`` a one-time password they must change at their next login; return it."""
    password = generated_password()
    user.set_password(password)
    user.must_change_password = True
    audit.record(db, actor, "account.password_reset", detail=account_detail(user))
    return password


def change_role(db: Session, actor: User | None, user: User, role: Role, *, reason: str) -> None:
    """Give ``user`` another role; ``actor`` None: the system did it, for ``reason``."""
    previous = user.role
    user.role = role
    audit.record(db, actor, "account.role_changed", detail={**account_detail(user), "from": previous, "reason": reason})


def create_demo_users(db: Session, people: Sequence[tuple[str, str]], role: Role) -> list[User]:
    """Add demo accounts, given as (username, display name), that nobody can log in to.

    They share one hash of a random secret nobody knows: hashing once keeps a demo cohort of
    thousands fast. Raises ``UsernameTaken`` for a taken name.
    """
    _refuse_taken(db, [username for username, _ in people])
    shared_hash = hash_password(secrets.token_urlsafe(32))
    users = [
        User(username=username, display_name=display_name, role=role, password_hash=shared_hash, is_demo=True)
        for username, display_name in people
    ]
    db.add_all(users)
    return users


def _refuse_taken(db: Session, usernames: Sequence[str]) -> None:
    taken = db.scalar(select(User.username).where(User.username.in_(usernames)).limit(1))
    if taken is not None:
        raise UsernameTaken(f"The username {taken!r} is taken.")


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The account for ``username`` if ``password`` is right."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        verify_decoy(password)
        return None
    return user if user.check_password(password) else None


def new_join_code() -> str:
    """An unguessable join code like ``K7QM-2XHD-9TRB`` (about 59 bits)."""
    groups = (
        "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_GROUP_LENGTH))
        for _ in range(JOIN_CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_join_code(code: str) -> str:
    """Accept a code typed in lower case, with spaces or without dashes."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    size = JOIN_CODE_GROUP_LENGTH
    return "-".join(compact[i : i + size] for i in range(0, len(compact), size))


def cohort_for_join_code(db: Session, code: str) -> Cohort | None:
    """The cohort that accepts ``code`` now, if any."""
    return db.scalar(select(Cohort).where(Cohort.join_code == normalise_join_code(code), Cohort.join_enabled.is_(True)))


def generated_password() -> str:
    """A one-time password a trainee can type: three random groups of letters and digits."""
    return "-".join(secrets.token_hex(3) for _ in range(GENERATED_PASSWORD_WORDS))
