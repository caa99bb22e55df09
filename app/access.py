"""Who may open which route: one decorator declares and enforces it on every view.

Every view carries an ``access_rule`` attribute; a test walks the URL map and fails on a
view without one, so no route is added without deciding who may reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import Session

from app.models import Cohort, Role, User

PUBLIC = "public"
SIGNED_IN = "signed_in"
TRAINEE = "trainee"
INSTRUCTOR = "instructor"
ADMIN = "admin"

RULES = {PUBLIC, SIGNED_IN, TRAINEE, INSTRUCTOR, ADMIN}

View = TypeVar("View", bound=Callable[..., object])


def allows(rule: str, role: str | None) -> bool:
    """Whether a user with ``role`` (None: anonymous) passes ``rule``."""
    if rule == PUBLIC:
        return True
    if role is None:
        return False
    if rule == SIGNED_IN:
        return True
    if rule == TRAINEE:
        return role == Role.TRAINEE
    if rule == INSTRUCTOR:
        return role in (Role.INSTRUCTOR, Role.ADMIN)
    return role == Role.ADMIN


def access(rule: str) -> Callable[[View], View]:
    """Let only users passing ``rule`` reach the view: anonymous users get 401, others 403.

    Rules about one object (this cohort, this attempt) are checked in the view on top.
    """
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}; expected one of {sorted(RULES)}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: object, **kwargs: object) -> object:
            role = current_user.role if current_user.is_authenticated else None
            if not allows(rule, role):
                abort(401 if role is None else 403)
            return view(*args, **kwargs)

        guarded.access_rule = rule  # type: ignore[attr-defined]  # read by the tests of each view's rule
        return guarded  # type: ignore[return-value]  # wraps gives it the view's name and signature

    return decorate


def cohort_for_instructor(db: Session, user: User, cohort_id: int) -> Cohort:
    """The cohort if ``user`` teaches it (or is an admin); 404 otherwise, so ids reveal nothing."""
    cohort = db.get(Cohort, cohort_id)
    if cohort is None or not (user.is_admin or user in cohort.instructors):
        abort(404, "No such cohort among yours.")
    return cohort
