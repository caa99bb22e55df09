"""A small world for the security tests: two cohorts that share an exercise, their people, work
in progress and submitted, and a private draft; each piece carries text that must not leak."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.routing import Rule

from app import db
from app.access import ADMIN, INSTRUCTOR, PUBLIC, SIGNED_IN, TRAINEE
from app.lti import keys
from app.models import Attempt, Exercise, ExerciseState, Flag, LtiDeployment, LtiPlatform, Role
from tests.conftest import MINI_PACKAGE, Factory, csrf_token, login

KEY_ONLY = (
    "Reported by whom?",
    "A label that takes a side.",
    "Emotive label.",
    "Nothing contradicts it.",
    "550 here, 500 in the other report.",
)
"""Explanations in the mini exercise's key: text no trainee page may show before submission."""
OTHER_NOTE = "NOTE-OF-OTHER-TRAINEE-7f3a"
OWN_NOTE = "note-of-trainee-2b9c"
DRAFT_TITLE = "PRIVATE-DRAFT-TITLE-91ce"


@dataclass
class World:
    """Cohort A (trainee, instructor) and cohort B (other_trainee, other_instructor), an admin.

    Both cohorts are set the mini exercise; the trainee has an attempt in progress with one flag,
    the other trainee a submitted one; the other instructor has a draft only they can see.
    """

    app: Flask
    ids: dict[str, int]

    def client(self, username: str | None) -> FlaskClient:
        client = self.app.test_client()
        if username is not None:
            assert login(client, username).status_code == 302
        return client

    def token(self, client: FlaskClient) -> str:
        return csrf_token(client, "/account/password")

    def flag_notes(self) -> list[str]:
        with self.app.app_context():
            return sorted(flag.note for flag in db.session().scalars(select(Flag)))

    def revision(self, attempt: str = "attempt") -> int:
        with self.app.app_context():
            found = db.session().get(Attempt, self.ids[attempt])
            assert found is not None
            return found.revision


def draft_package(tmp_path: Path) -> Path:
    """A copy of the mini package under another slug and a title that must not leak."""
    package = tmp_path / "draft-package"
    shutil.copytree(MINI_PACKAGE, package)
    manifest = package / "exercise.toml"
    text = manifest.read_text().replace('slug = "mini-exercise"', 'slug = "private-draft"')
    manifest.write_text(text.replace('title = "Mini exercise"', f'title = "{DRAFT_TITLE}"'))
    return package


@pytest.fixture
def world(app: Flask, factory: Factory, tmp_path: Path) -> World:
    cohort = factory.cohort("Cohort A")
    other_cohort = factory.cohort("Cohort B")
    trainee = factory.user("trainee", cohort=cohort)
    other_trainee = factory.user("other_trainee", cohort=other_cohort)
    instructor = factory.user("instructor", Role.INSTRUCTOR, teaches=cohort)
    other_instructor = factory.user("other_instructor", Role.INSTRUCTOR, teaches=other_cohort)
    factory.user("admin", Role.ADMIN)
    exercise = factory.exercise(assign_to=cohort)
    factory.assign(exercise, other_cohort)
    attempt, flag = factory.attempt(trainee, exercise, flags=[("mini-a", "reportedly", "unverified")])
    other_attempt, other_flag = factory.attempt(
        other_trainee, exercise, flags=[("mini-b", "550 men", "conflicting_number")], submit=True
    )
    draft = factory.exercise(package=draft_package(tmp_path))
    with app.app_context():
        session = db.session()
        session.execute(update(Flag).where(Flag.id == flag.id).values(note=OWN_NOTE))
        session.execute(update(Flag).where(Flag.id == other_flag.id).values(note=OTHER_NOTE))
        session.execute(
            update(Exercise)
            .where(Exercise.id == draft.id)
            .values(state=ExerciseState.DRAFT, created_by_id=other_instructor.id)
        )
        platform = LtiPlatform(
            name="An LMS",
            issuer="https://lms.example",
            client_id="client-1",
            auth_login_url="https://lms.example/auth",
            auth_token_url="https://lms.example/token",
            key_set_url="https://lms.example/jwks",
            deployments=[LtiDeployment(deployment_id="1")],
        )
        session.add(platform)
        tool_key = keys.create_key(session)
        session.commit()
    return World(
        app,
        {
            "cohort": cohort.id,
            "other_cohort": other_cohort.id,
            "trainee": trainee.id,
            "other_trainee": other_trainee.id,
            "instructor": instructor.id,
            "other_instructor": other_instructor.id,
            "exercise": exercise.id,
            "draft": draft.id,
            "attempt": attempt.id,
            "flag": flag.id,
            "other_attempt": other_attempt.id,
            "other_flag": other_flag.id,
            "platform": platform.id,
            "tool_key": tool_key.id,
        },
    )


def url_for_rule(rule: Rule, world: World) -> str:
    """A URL for ``rule`` with the world's ids: cohort A, the shared exercise, the trainee's attempt."""
    values = {
        "cohort_id": world.ids["cohort"],
        "exercise_id": world.ids["exercise"],
        "attempt_id": world.ids["attempt"],
        "user_id": world.ids["trainee"],
        "flag_id": world.ids["flag"],
        "client_id": "flag-1",
        "article_ref": "mini-a",
        "platform_id": world.ids["platform"],
        "key_id": world.ids["tool_key"],
        # No comment is needed: the CSRF check refuses the request before the view looks for it.
        "comment_id": 1,
    }
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return path


def user_for(rule: Rule, app: Flask) -> str | None:
    """Someone the rule's ``@access`` lets in: the trainee for trainee routes, the admin for the rest."""
    access_rule = getattr(app.view_functions[rule.endpoint], "access_rule", None)
    return {PUBLIC: None, SIGNED_IN: "trainee", TRAINEE: "trainee", INSTRUCTOR: "admin", ADMIN: "admin"}[access_rule]


def routes(app: Flask, methods: set[str]) -> list[Rule]:
    """Every rule of the URL map answering one of ``methods`` (static files aside)."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and rule.methods and rule.methods & methods
        ),
        key=lambda rule: rule.endpoint,
    )
