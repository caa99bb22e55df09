"""A small fixed cohort on the mini exercise, with figures worked out by hand for the dashboard tests.

Five trainees: alice, bob and carol submitted, dave is still working, erin has not started.
With 10 points of items and 2 link bonuses of 0.5 possible (two groups of two figures), 11 points:

* alice flags both force figures, "reportedly" and "brutal regime" exactly: 2 + 2 + 1 + 1 = 6,
  score 600/11 ≈ 54.55, in 10 minutes;
* bob flags "reportedly" as loaded framing (wrong category, 0.25), the decoy "40 Americans"
  (−1) and "four hours" alone (lone figure, 0): max(0, 0.25 − 1) = 0, score 0, in 20 minutes;
* carol flags "pro-democracy rebels" as unverified (accepted alternative: 2 × 0.5 = 1), "brutal
  regime" (1) and "heavy shelling", which is in no key item (−0.5): 1.5, score 150/11 ≈ 13.64,
  in 30 minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from app import db
from app.models import Attempt, Cohort, Exercise, Flag, Role
from bench.large_exercise import build_package
from tests.conftest import Factory

FLAGS = {
    "alice": [
        ("mini-a", "about\xa0500 fighters", "conflicting_number"),
        ("mini-b", "550 men", "conflicting_number"),
        ("mini-a", "reportedly", "unverified"),
        ("mini-b", "brutal regime", "loaded_framing"),
    ],
    "bob": [
        ("mini-a", "reportedly", "loaded_framing"),
        ("mini-a", "40 Americans", "conflicting_number"),
        ("mini-a", "four hours", "conflicting_number"),
    ],
    "carol": [
        ("mini-a", "pro-democracy rebels", "unverified"),
        ("mini-b", "brutal regime", "loaded_framing"),
        ("mini-b", "heavy shelling", "unverified"),
    ],
}
MINUTES = {"alice": 10, "bob": 20, "carol": 30}


@dataclass
class FixedCohort:
    cohort_id: int
    exercise_id: int
    users: dict[str, int]
    attempts: dict[str, int]

    def url(self, suffix: str = "dashboard") -> str:
        return f"/instructor/cohorts/{self.cohort_id}/exercises/{self.exercise_id}/{suffix}"


def build_fixed_cohort(factory: Factory) -> FixedCohort:
    """The cohort described above, taught by ``teacher``; ``stranger`` teaches another cohort."""
    cohort = factory.cohort("Fixed cohort")
    other = factory.cohort("Other cohort")
    factory.user("teacher", Role.INSTRUCTOR, teaches=cohort)
    factory.user("stranger", Role.INSTRUCTOR, teaches=other)
    exercise = factory.exercise(assign_to=cohort)
    users = {name: factory.user(name, cohort=cohort) for name in ("alice", "bob", "carol", "dave", "erin")}
    attempts = {}
    for name, flags in FLAGS.items():
        attempt, _ = factory.attempt(users[name], exercise, flags=flags, submit=True)
        attempts[name] = attempt.id
    attempt, _ = factory.attempt(users["dave"], exercise, flags=[("mini-a", "reportedly", "unverified")])
    attempts["dave"] = attempt.id
    with factory.app.app_context():
        session = db.session()
        for name, minutes in MINUTES.items():
            attempt = session.get(Attempt, attempts[name])
            attempt.started_at = attempt.submitted_at - timedelta(minutes=minutes)
        session.execute(
            update(Flag)
            .where(Flag.attempt_id == attempts["carol"], Flag.quote == "heavy shelling")
            .values(note='=HYPERLINK("x") who saw it?')
        )
        session.commit()
    return FixedCohort(cohort.id, exercise.id, {name: user.id for name, user in users.items()}, attempts)


def add_near_misses(factory: Factory, cohort: FixedCohort) -> FixedCohort:
    """Add two trainees who flag "battle" beside "three–hour battle" (core "three"): near misses."""
    with factory.app.app_context():
        session = db.session()
        group = session.get(Cohort, cohort.cohort_id)
        exercise = session.get(Exercise, cohort.exercise_id)
        for name in ("fay", "gus"):
            user = factory.user(name, cohort=group)
            attempt, _ = factory.attempt(
                user, exercise, flags=[("mini-b", "battle", "conflicting_number")], submit=True
            )
            cohort.users[name] = user.id
            cohort.attempts[name] = attempt.id
    return cohort


LARGE_ARTICLES = 5
"""Articles of the large exercise, about 5,000 characters each: past the limit of inline heatmaps."""


def build_large_cohort(factory: Factory, folder: Path) -> FixedCohort:
    """A cohort taught by ``teacher`` on an exercise of `LARGE_ARTICLES` articles of random words
    (``bench/large_exercise.py``'s); ``stranger`` teaches another cohort. Alice flags words 0–3 of
    the first article and words 10–13 of the last, Bob words 2–5 of the first: 2 flags on the first
    article, overlapping on words 2–3."""
    package = folder / "large-exercise"
    build_package(package, random.Random(5), articles=LARGE_ARTICLES, items=8 * LARGE_ARTICLES, slug="large-exercise")
    cohort = factory.cohort("Large cohort")
    factory.user("teacher", Role.INSTRUCTOR, teaches=cohort)
    factory.user("stranger", Role.INSTRUCTOR, teaches=factory.cohort("Other cohort"))
    exercise = factory.exercise(package=package, assign_to=cohort)
    with factory.app.app_context():
        words = {article.ref: article.text.split(" ") for article in db.session().get(Exercise, exercise.id).articles}
    first, *_, last = words

    def quote(ref: str, start: int, end: int) -> str:
        return " ".join(words[ref][start:end])

    flags = {
        "alice": [(first, quote(first, 0, 4), "unverified"), (last, quote(last, 10, 14), "loaded_framing")],
        "bob": [(first, quote(first, 2, 6), "unverified")],
    }
    users, attempts = {}, {}
    for name, chosen in flags.items():
        user = factory.user(name, cohort=cohort)
        users[name] = user.id
        attempts[name] = factory.attempt(user, exercise, flags=chosen, submit=True)[0].id
    return FixedCohort(cohort.id, exercise.id, users, attempts)
