"""Accounts, cohorts and assignments from what a launch (or the roster service) says.

An LMS user (issuer and ``sub``) is one Crosscheck account; a course (context) is one cohort; a
resource link is one exercise set for that cohort. LMS roles never make an administrator.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.roles import AbstractRole, DesignerRole, StaffRole, StudentRole, TeacherRole, TeachingAssistantRole
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import accounts, audit
from app.deadlines import as_utc
from app.lti.adapter import service_connector
from app.models import (
    Assignment,
    AttemptGrant,
    Cohort,
    Exercise,
    LtiAccount,
    LtiContext,
    LtiPlatform,
    LtiResourceLink,
    Role,
    User,
)

if TYPE_CHECKING:
    from pylti1p3.names_roles import TNamesAndRolesData

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CUSTOM_EXERCISE = "crosscheck_exercise"
CUSTOM_DEADLINE = "crosscheck_deadline"
CUSTOM_ATTEMPTS = "crosscheck_attempts"


class AdministratorRole(AbstractRole):
    """LMS administrators at every level; the library's staff role misses the institution's."""

    _system_roles = ("Administrator", "SysAdmin")
    _institution_roles = ("Administrator", "SysAdmin")
    _context_roles = ("Administrator",)


NO_PASSWORD = "!lti"
"""Not a hash: no password matches it, so a launched account cannot log in with one until an instructor resets it."""
TEACHING_ROLES = (TeacherRole, TeachingAssistantRole, DesignerRole, StaffRole, AdministratorRole)


class NoCrosscheckRole(Exception):
    """The LMS roles map to no Crosscheck role (an observer or a guest, for instance)."""


def role_for(claims: dict[str, Any]) -> Role:
    """Instructor, teaching assistant, content developer and admin roles teach; learners train."""
    if any(kind(claims).check() for kind in TEACHING_ROLES):
        return Role.INSTRUCTOR
    if StudentRole(claims).check():
        return Role.TRAINEE
    raise NoCrosscheckRole(f"The LMS roles {claims.get(CLAIM + 'roles') or []} have no place in Crosscheck.")


def _username(issuer: str, sub: str) -> str:
    return "lti-" + hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:16]


def _display_name(claims: dict[str, Any], sub: str) -> str:
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return (str(name).strip() or f"LMS user {sub[:12]}")[:120]


def account_for(db: Session, issuer: str, sub: str, role: Role, claims: dict[str, Any]) -> User:
    """The account of an LMS user, created on first sight; names and email follow the LMS."""
    link = db.scalar(select(LtiAccount).where(LtiAccount.issuer == issuer, LtiAccount.sub == sub))
    email = claims.get("email")
    email = email if isinstance(email, str) and 3 <= len(email) <= 254 else None
    if link is None:
        user = User(
            username=_username(issuer, sub),
            display_name=_display_name(claims, sub),
            email=email,
            role=role,
            password_hash=NO_PASSWORD,
        )
        db.add(LtiAccount(issuer=issuer, sub=sub, user=user))
        db.flush()
        audit.record(db, None, "account.created", detail={**accounts.account_detail(user), "lms": issuer})
        return user
    user = link.user
    if claims.get("name") or claims.get("given_name"):
        user.display_name = _display_name(claims, sub)
    user.email = email or user.email
    if role == Role.INSTRUCTOR and user.role == Role.TRAINEE:
        accounts.change_role(db, None, user, Role.INSTRUCTOR, reason=f"the LMS {issuer} launched it as an instructor")
    return user


def context_for(db: Session, platform: LtiPlatform, deployment_id: str, claims: dict[str, Any]) -> LtiContext:
    """The cohort of the launch's course, created on first launch."""
    context_claim = claims.get(CLAIM + "context") or {}
    context_id = context_claim.get("id")
    if not context_id:
        raise ValueError("The launch names no course (context claim).")
    context = db.scalar(
        select(LtiContext).where(LtiContext.platform_id == platform.id, LtiContext.context_id == context_id)
    )
    if context is None:
        name = context_claim.get("title") or context_claim.get("label") or f"LMS course {context_id}"
        # The LMS brings everyone in: the join code exists but is closed until an instructor opens it.
        cohort = Cohort(name=str(name)[:120], join_code=accounts.new_join_code(), join_enabled=False)
        context = LtiContext(platform=platform, deployment_id=deployment_id, context_id=context_id, cohort=cohort)
        db.add(context)
        audit.record(db, None, "cohort.created", cohort=cohort, detail={"name": cohort.name, "lms": platform.issuer})
    memberships_url = (claims.get(NRPS_CLAIM) or {}).get("context_memberships_url")
    context.memberships_url = memberships_url or context.memberships_url
    return context


def join(cohort: Cohort, user: User, role: Role) -> None:
    """Add a launched user to the cohort: instructors teach it, learners are its trainees."""
    members = cohort.instructors if role == Role.INSTRUCTOR else cohort.trainees
    if user not in members:
        members.append(user)


def _parse_deadline(value: object) -> datetime | None:
    try:
        return as_utc(datetime.fromisoformat(str(value))) if value else None
    except ValueError:
        return None


def assign(db: Session, cohort: Cohort, exercise: Exercise, deadline: datetime | None) -> Assignment:
    """Set the exercise for the cohort unless it is set already."""
    assignment = db.get(Assignment, (cohort.id, exercise.id))
    if assignment is None:
        assignment = Assignment(cohort=cohort, exercise=exercise, deadline=deadline)
        db.add(assignment)
    return assignment


def resource_link_for(db: Session, context: LtiContext, claims: dict[str, Any]) -> LtiResourceLink | None:
    """The exercise behind the launched link, recorded on first launch; None if none was chosen."""
    link_id = (claims.get(CLAIM + "resource_link") or {}).get("id")
    link = db.scalar(
        select(LtiResourceLink).where(
            LtiResourceLink.context_id == context.id, LtiResourceLink.resource_link_id == link_id
        )
    )
    custom = claims.get(CLAIM + "custom") or {}
    if link is None:
        exercise = _custom_exercise(db, custom)
        if exercise is None:
            return None
        link = LtiResourceLink(context=context, resource_link_id=link_id, exercise=exercise)
        db.add(link)
        assign(db, context.cohort, exercise, _parse_deadline(custom.get(CUSTOM_DEADLINE)))
    ags = claims.get(AGS_CLAIM) or {}
    if ags.get("lineitem"):
        link.lineitem_url = ags["lineitem"]
        link.ags_scopes = list(ags.get("scope") or [])
    return link


def _custom_exercise(db: Session, custom: dict[str, Any]) -> Exercise | None:
    try:
        exercise_id = int(custom.get(CUSTOM_EXERCISE, ""))
    except ValueError:
        return None
    return db.get(Exercise, exercise_id)


def grant_attempts(db: Session, user: User, exercise: Exercise, custom: dict[str, Any]) -> None:
    """Give a launched trainee the attempts the activity allows, through the usual attempt grants."""
    try:
        wanted = int(custom.get(CUSTOM_ATTEMPTS, 0))
    except ValueError:
        return
    granted = (
        db.scalar(
            select(func.count())
            .select_from(AttemptGrant)
            .where(AttemptGrant.user_id == user.id, AttemptGrant.exercise_id == exercise.id)
        )
        or 0
    )
    for _ in range(wanted - max(1, exercise.attempts_allowed or 1) - granted):
        db.add(AttemptGrant(user_id=user.id, exercise_id=exercise.id))


@dataclass(frozen=True)
class Landing:
    """Who was launched, into which cohort, and the link (None for deep linking or an unlinked link)."""

    user: User
    role: Role
    context: LtiContext
    link: LtiResourceLink | None


def provision(db: Session, platform: LtiPlatform, claims: dict[str, Any], *, with_link: bool) -> Landing:
    """Create or update the account, cohort and link a validated launch describes; the caller commits."""
    role = role_for(claims)
    user = account_for(db, platform.issuer, claims["sub"], role, claims)
    db.flush()
    context = context_for(db, platform, claims[CLAIM + "deployment_id"], claims)
    effective = Role.INSTRUCTOR if user.is_instructor else Role.TRAINEE
    join(context.cohort, user, effective)
    link = resource_link_for(db, context, claims) if with_link else None
    if link is not None and effective == Role.TRAINEE:
        grant_attempts(db, user, link.exercise, claims.get(CLAIM + "custom") or {})
    db.flush()
    return Landing(user, effective, context, link)


@dataclass(frozen=True)
class RosterSync:
    added: int
    members: int


def sync_roster(db: Session, actor: User, context: LtiContext, members: list[dict[str, Any]]) -> RosterSync:
    """Bring the course's active members into the cohort, as launches would, at ``actor``'s request;
    the caller commits."""
    added = 0
    for member in members:
        if member.get("status", "Active") != "Active" or not member.get("user_id"):
            continue
        claims = {**member, CLAIM + "roles": member.get("roles") or []}
        try:
            role = role_for(claims)
        except NoCrosscheckRole:
            continue
        user = account_for(db, context.platform.issuer, str(member["user_id"]), role, claims)
        db.flush()
        effective = Role.INSTRUCTOR if user.is_instructor else Role.TRAINEE
        before = len(context.cohort.trainees) + len(context.cohort.instructors)
        join(context.cohort, user, effective)
        added += len(context.cohort.trainees) + len(context.cohort.instructors) - before
    audit.record(
        db, actor, "cohort.roster_synced", cohort=context.cohort, detail={"added": added, "members": len(members)}
    )
    return RosterSync(added=added, members=len(members))


def course_members(db: Session, context: LtiContext) -> list[dict[str, Any]]:
    """Every member of the course, page by page, from the platform's Names and Roles service."""
    assert context.memberships_url is not None
    service = NamesRolesProvisioningService(
        service_connector(db, context.platform),
        # The stub's TypedDict lacks service_versions, a claim of the NRPS 2.0 spec the library reads.
        cast("TNamesAndRolesData", {"context_memberships_url": context.memberships_url, "service_versions": ["2.0"]}),
    )
    return [dict(member) for member in service.get_members()]
