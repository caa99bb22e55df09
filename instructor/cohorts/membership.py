"""Cohort membership: who teaches and who studies in a cohort, bulk import of trainees."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import accounts, audit
from app.auth.forms import USERNAME_PATTERN
from app.models import Cohort, Role, User
from exercises.storable import PROBLEM, is_storable

MAX_IMPORT_ROWS = 2000


def visible_cohorts(db: Session, user: User) -> list[Cohort]:
    """The cohorts ``user`` may manage: those they teach, or all for an admin."""
    query = select(Cohort).order_by(Cohort.created_at.desc())
    if not user.is_admin:
        query = query.where(Cohort.instructors.any(User.id == user.id))
    return list(db.scalars(query))


def manages_account(instructor: User, trainee: User) -> bool:
    """Whether ``instructor`` may act on the trainee's account itself (a password reset): an admin,
    or an instructor who teaches every cohort the trainee is in, so no other cohort's work is
    reachable by signing in as them."""
    return instructor.is_admin or all(instructor in cohort.instructors for cohort in trainee.cohorts)


def trainee_in_cohort(db: Session, cohort: Cohort, user_id: int) -> User:
    trainee = db.get(User, user_id)
    if trainee is None or trainee not in cohort.trainees:
        abort(404, "No such trainee in this cohort.")
    return trainee


@dataclass(frozen=True)
class ImportRow:
    line: int
    username: str
    display_name: str
    email: str | None


@dataclass(frozen=True)
class ImportedTrainee:
    user: User
    one_time_password: str | None
    """None when the account existed already and was only added to the cohort."""


def parse_trainee_csv(data: bytes) -> tuple[list[ImportRow], list[str]]:
    """Read ``username, display name[, email]`` rows; return them, or the problems line by line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again."]
    rows: list[ImportRow] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if not all(is_storable(cell) for cell in cells):
            problems.append(f"Line {line}: {PROBLEM}.")
            continue
        if line == 1 and cells[0].lower() == "username":
            continue
        if len(cells) < 2 or len(cells) > 3:
            problems.append(f"Line {line}: expected username, display name and an optional email.")
            continue
        username, display_name = cells[0].lower(), cells[1]
        email = cells[2] if len(cells) == 3 and cells[2] else None
        if not USERNAME_PATTERN.match(username):
            problems.append(f"Line {line}: {username!r} is not a valid username.")
        elif username in seen:
            problems.append(f"Line {line}: {username!r} appears twice in the file.")
        if not display_name or len(display_name) > 120:
            problems.append(f"Line {line}: the display name must have 1–120 characters.")
        if email is not None and ("@" not in email or len(email) > 254):
            problems.append(f"Line {line}: {email!r} is not an email address.")
        seen.add(username)
        rows.append(ImportRow(line, username, display_name, email))
    if len(rows) > MAX_IMPORT_ROWS:
        problems.append(f"The file has {len(rows)} trainees; import at most {MAX_IMPORT_ROWS} at once.")
    if not rows and not problems:
        problems.append("The file has no trainees.")
    return rows, problems


def import_trainees(
    db: Session, cohort: Cohort, rows: list[ImportRow], importer: User
) -> tuple[list[ImportedTrainee], list[str]]:
    """Create accounts with one-time passwords and add everyone to ``cohort``.

    An existing account is only added when it is a trainee the importer already teaches in
    another cohort (or the importer is an admin). Any other existing username is reported as
    taken, the same words whoever holds it, so an import neither takes over nor reveals an account.
    The caller commits only when there are no problems, so an import is all or nothing.
    """
    existing = {
        user.username: user
        for user in db.scalars(select(User).where(User.username.in_([row.username for row in rows])))
    }
    imported: list[ImportedTrainee] = []
    problems: list[str] = []
    for row in rows:
        user = existing.get(row.username)
        if user is not None and not _may_admit(importer, user):
            problems.append(
                f"Line {row.line}: the username {row.username!r} is taken; choose another, or ask an "
                "administrator to add that account."
            )
            continue
        password = None
        if user is None:
            password = accounts.generated_password()
            user = accounts.create_user(
                db,
                username=row.username,
                display_name=row.display_name,
                email=row.email,
                password=password,
                role=Role.TRAINEE,
                must_change_password=True,
                created_by=importer,
            )
        if user not in cohort.trainees:
            cohort.trainees.append(user)
        imported.append(ImportedTrainee(user, password))
    created = sum(item.one_time_password is not None for item in imported)
    audit.record(
        db,
        importer,
        "cohort.trainees_imported",
        cohort=cohort,
        detail={"created": created, "added": len(imported) - created},
    )
    return imported, problems


def _may_admit(importer: User, user: User) -> bool:
    if user.role != Role.TRAINEE:
        return False
    return importer.is_admin or any(importer in cohort.instructors for cohort in user.cohorts)
