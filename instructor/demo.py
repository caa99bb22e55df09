"""Simulated cohorts for demonstrations and benchmarks (``crosscheck seed-demo``).

Each demo trainee gets a skill between 0 and 1 and works through the exercise the way trainees
do: the better they are, the more key items they find, with the key's category and its exact
words; weaker trainees miss more, pick a wrong or merely accepted category, select a word too many
or too few, link fewer conflicting figures, fall for decoys and flag plausible phrases the key
does not list (a few such phrases attract many trainees, as real cohorts do, so the dashboard has
possible key gaps to show). Their work goes through the services the app uses: accounts from
``app.accounts``, attempts started by ``app.trainee.attempts``, flags saved by
``app.trainee.flags``, the attempt submitted by ``app.trainee.submission`` and scored by
``app.grading``, so every figure on the dashboard comes from the real write and scoring path.

Demo accounts are marked ``is_demo`` and cannot log in (see ``accounts.create_demo_users``). The
instructor account created with the cohort gets a real password, printed once.
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import accounts, db, grading
from app.exercise_import import import_package
from app.models import (
    Assignment,
    Attempt,
    Cohort,
    Exercise,
    KeyVersion,
    Role,
    User,
)
from app.trainee import attempts, standing
from app.trainee.flag_requests import CheckedFlag
from app.trainee.flags import MAX_FLAGS, create_flags
from app.trainee.submission import submit
from exercises import PACKAGES_DIR, load_package
from scoring.types import KeyItem

DEFAULT_EXERCISE = "deir-ez-zor-2018"
BATCH = 500

FIRST_NAMES = (
    "Amira",
    "Bao",
    "Carmen",
    "Dmitri",
    "Esi",
    "Farid",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kalani",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tove",
    "Ugo",
    "Vera",
    "Wanjiru",
    "Xavier",
    "Yusuf",
    "Zofia",
)
SURNAMES = (
    "Abara",
    "Berg",
    "Castillo",
    "Dlamini",
    "Eriksen",
    "Fontaine",
    "Gashi",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Laine",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrova",
    "Quispe",
    "Rahman",
    "Silva",
    "Tanaka",
    "Umarov",
    "Varga",
    "Weber",
    "Yilmaz",
    "Zeller",
)
NOTES = {
    "unverified": (
        "Who says so? No source is named.",
        "Could not check this anywhere.",
        "Hedged wording: 'reportedly'.",
        "Ask for the original document.",
    ),
    "conflicting_number": (
        "Does not match the other report.",
        "The two texts give different figures.",
        "Which count is right?",
    ),
    "loaded_framing": (
        "Emotive word, takes a side.",
        "A label, not a description.",
        "Tells the reader what to think.",
    ),
}
HEDGES = re.compile(
    r"\b(?:said|says|claimed|claims|according to|believed|appears?|suggest(?:s|ed)?|"
    r"sources?|officials?|witnesses|reports?|estimated?|at least|up to)\b",
    re.IGNORECASE,
)
FIGURES = re.compile(r"\b\d[\d,.]*(?:\s+(?:\w+))?")
STRONG_WORDS = re.compile(r"\b(?:[a-z]+ly|[a-z]{7,}(?:ive|ous|ful|ing))\b")
WORD = re.compile(r"\w+(?:[’'\-]\w+)*")


@dataclass(frozen=True)
class DemoCohort:
    """What ``seed_demo`` made: printed by the command, used by the benchmark."""

    cohort_id: int
    exercise_id: int
    instructor_username: str
    instructor_password: str
    trainees: int
    submitted: int


@dataclass(frozen=True)
class Distractor:
    """A plausible phrase outside the key, and how strongly it draws a flag."""

    article: str
    start: int
    end: int
    category: str
    pull: float


@dataclass
class SimulatedFlag:
    article: str
    start: int
    end: int
    category: str
    note: str
    group: str | None = None


class Simulator:
    """Draws one trainee's flags from the key, with noise that depends on the trainee's skill."""

    def __init__(self, exercise: Exercise, version: KeyVersion, rng: random.Random) -> None:
        self.rng = rng
        key = version.items
        self.texts = {article.ref: article.text for article in exercise.articles}
        self.categories = exercise.category_ids
        self.real = [item for item in key if not item.decoy]
        self.decoys = [item for item in key if item.decoy]
        # Each item is easier or harder for the whole cohort, the same for every trainee.
        self.ease = {item.id: rng.uniform(0.25, 1.0) for item in self.real}
        self.words = {
            ref: ([m.start() for m in WORD.finditer(text)], [m.end() for m in WORD.finditer(text)])
            for ref, text in self.texts.items()
        }
        self.distractors = self._distractors(key)

    def _distractors(self, key: Sequence[KeyItem]) -> list[Distractor]:
        """Phrases a trainee might flag although the key does not: hedges, figures, strong words."""
        found: list[Distractor] = []
        for ref, text in self.texts.items():
            taken = [(item.start, item.end) for item in key if item.article == ref]
            for pattern, category in (
                (HEDGES, "unverified"),
                (FIGURES, "conflicting_number"),
                (STRONG_WORDS, "loaded_framing"),
            ):
                if category not in self.categories:
                    category = self.rng.choice(self.categories)
                for match in pattern.finditer(text):
                    start, end = match.span()
                    if any(start < right and left < end for left, right in taken):
                        continue
                    taken.append((start, end))
                    found.append(Distractor(ref, start, end, category, self.rng.uniform(0.005, 0.04)))
        self.rng.shuffle(found)
        # A few phrases draw a large share of any cohort: the possible key gaps.
        for index in range(min(3, len(found))):
            spot = found[index]
            found[index] = Distractor(spot.article, spot.start, spot.end, spot.category, self.rng.uniform(0.25, 0.45))
        return found

    def flags(self, skill: float) -> list[SimulatedFlag]:
        rng = self.rng
        chosen: list[SimulatedFlag] = []
        for item in self.real:
            if rng.random() >= min(0.97, max(0.02, 1.25 * skill * self.ease[item.id] + 0.05)):
                continue
            start, end = self._boundaries(item, skill)
            chosen.append(
                SimulatedFlag(
                    item.article,
                    start,
                    end,
                    self._category(item, skill),
                    self._note(item.category, skill),
                    item.group,
                )
            )
        for decoy in self.decoys:
            if rng.random() < 0.05 + 0.4 * (1 - skill):
                start, end = self._boundaries(decoy, skill)
                chosen.append(
                    SimulatedFlag(decoy.article, start, end, decoy.category, self._note(decoy.category, skill))
                )
        for spot in self.distractors:
            if rng.random() < spot.pull * (1.3 - skill):
                chosen.append(
                    SimulatedFlag(spot.article, spot.start, spot.end, spot.category, self._note(spot.category, 0.3))
                )
        rng.shuffle(chosen)
        # On a large exercise a good trainee would find more than an attempt may hold: they stop at the limit.
        return chosen[:MAX_FLAGS]

    def _category(self, item: KeyItem, skill: float) -> str:
        if self.rng.random() < 0.55 + 0.4 * skill:
            return item.category
        if item.also and self.rng.random() < 0.6:
            return self.rng.choice(item.also)
        others = [category for category in self.categories if category != item.category]
        return self.rng.choice(others) if others else item.category

    def _boundaries(self, item: KeyItem, skill: float) -> tuple[int, int]:
        """The item's span, or for a less careful trainee a word more or less at either end."""
        if self.rng.random() < 0.3 + 0.55 * skill:
            return item.start, item.end
        starts, ends = self.words[item.article]
        # The words the item touches: from the first ending after its start to the last starting before its end.
        first_inside = bisect.bisect_right(ends, item.start)
        last_inside = bisect.bisect_left(starts, item.end) - 1
        if last_inside < first_inside:
            return item.start, item.end
        first = max(0, first_inside + self.rng.choice((-2, -1, -1, 0, 0, 1)))
        last = min(len(starts) - 1, last_inside + self.rng.choice((-1, 0, 0, 1, 1, 2)))
        if last < first:
            return item.start, item.end
        return starts[first], ends[last]

    def _note(self, category: str, skill: float) -> str:
        if self.rng.random() < 0.15 + 0.35 * skill:
            return self.rng.choice(NOTES.get(category, ("Worth checking.",)))
        return ""

    def links(self, flags: Sequence[SimulatedFlag], skill: float) -> list[tuple[int, int]]:
        """Links between the flags of each conflict group's figures, as indexes: a chain, if the trainee links at all."""
        by_group: dict[str, list[int]] = {}
        for index, flag in enumerate(flags):
            if flag.group is not None:
                by_group.setdefault(flag.group, []).append(index)
        pairs = []
        for members in by_group.values():
            for left, right in pairwise(members):
                if self.rng.random() < 0.3 + 0.6 * skill:
                    pairs.append((left, right))
        return pairs


def client_id(index: int) -> str:
    """The client id of a trainee's flag number ``index`` (from 0), as the workspace would number it."""
    return f"flag-{index + 1}"


def demo_exercise(database: Session, slug: str) -> Exercise:
    """The exercise with ``slug``, loaded from its package under exercises/ if not yet imported."""
    exercise = database.scalar(select(Exercise).where(Exercise.slug == slug))
    if exercise is not None:
        return exercise
    path = PACKAGES_DIR / slug
    if not path.is_dir():
        raise click.ClickException(f"No exercise {slug!r} in the database or under {PACKAGES_DIR}.")
    import_package(database, load_package(path))
    database.flush()
    exercise = database.scalar(select(Exercise).where(Exercise.slug == slug))
    assert exercise is not None
    return exercise


def seed_demo(
    database: Session,
    *,
    cohort_name: str,
    trainees: int,
    exercise_slug: str = DEFAULT_EXERCISE,
    unfinished: float = 0.0,
    seed: int | None = None,
) -> DemoCohort:
    """Create a demo cohort of ``trainees`` simulated trainees with scored attempts, and its instructor.

    ``unfinished`` is the share of trainees left without a submission (half not started, half
    in progress). Commits as it goes, one batch of trainees at a time.
    """
    rng = random.Random(seed)
    exercise = demo_exercise(database, exercise_slug)
    cohort = Cohort(name=cohort_name, join_code=accounts.new_join_code(), join_enabled=False, is_demo=True)
    database.add(cohort)
    database.flush()
    password = accounts.generated_password()
    instructor = accounts.create_user(
        database,
        username=f"demo-teacher-{cohort.id}",
        display_name=f"Demo instructor of {cohort_name}"[:120],
        password=password,
        role=Role.INSTRUCTOR,
    )
    instructor.is_demo = True
    cohort.instructors.append(instructor)
    database.add(Assignment(cohort_id=cohort.id, exercise_id=exercise.id))
    database.commit()

    simulator = Simulator(exercise, grading.current_key_version(database, exercise.id), rng)
    now = datetime.now(UTC)
    submitted = 0
    for first in range(0, trainees, BATCH):
        numbers = range(first + 1, min(trainees, first + BATCH) + 1)
        submitted += _seed_batch(database, cohort, exercise, simulator, numbers, now, unfinished)
    return DemoCohort(cohort.id, exercise.id, instructor.username, password, trainees, submitted)


def _seed_batch(
    database: Session,
    cohort: Cohort,
    exercise: Exercise,
    simulator: Simulator,
    numbers: range,
    now: datetime,
    unfinished: float,
) -> int:
    """Add one batch of trainees to the cohort; each works and submits as the workspace would have them."""
    rng = simulator.rng
    people = accounts.create_demo_users(
        database,
        [
            (f"demo{cohort.id}-{number:05d}", f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} ({number})")
            for number in numbers
        ],
        Role.TRAINEE,
    )
    cohort.trainees.extend(people)
    database.commit()
    minutes = exercise.suggested_minutes or 30
    submitted = 0
    for trainee in people:
        state = rng.random()
        if state < unfinished / 2:
            continue  # not started
        skill = min(1.0, max(0.0, rng.betavariate(2.5, 2.0)))
        duration = timedelta(minutes=minutes * math.exp(rng.gauss(0, 0.35)) * (1.2 - 0.4 * skill))
        started = now - timedelta(hours=rng.uniform(1, 72))
        done = state >= unfinished
        attempt = attempts.start_or_resume(database, trainee, exercise)
        flags = simulator.flags(skill if done else skill / 2)
        _work(database, trainee, attempt, flags, simulator.links(flags, skill))
        if done:
            submit(database, trainee, attempt)
            submitted += 1
        _backdate(attempt, started, started + duration, done)
    database.commit()
    return submitted


def _work(
    database: Session, trainee: User, attempt: Attempt, flags: Sequence[SimulatedFlag], links: Sequence[tuple[int, int]]
) -> None:
    """Save the trainee's flags with their links, as the workspace would have them, in one change."""
    linked: dict[int, list[str]] = {}
    for left, right in links:
        linked.setdefault(left, []).append(client_id(right))
    texts = standing.texts_of(database, attempt).texts
    # A link points at a flag saved before it: the flags later in the list are saved first.
    create_flags(
        database,
        trainee,
        attempt,
        [
            CheckedFlag(
                client_id(index),
                flag.article,
                flag.start,
                flag.end,
                texts[flag.article][flag.start : flag.end],
                flag.category,
                flag.note,
                linked.get(index, []),
            )
            for index, flag in reversed(list(enumerate(flags)))
        ],
    )


def _backdate(attempt: Attempt, started: datetime, finished: datetime, submitted: bool) -> None:
    """Move the attempt to when the simulated trainee worked on it, so the dashboard shows their time."""
    attempt.started_at = started
    attempt.last_activity_at = finished
    if submitted:
        attempt.submitted_at = finished
    for flag in attempt.flags:
        flag.created_at = flag.updated_at = started


@click.command("seed-demo")
@click.option(
    "--cohort", "cohort_name", default="Demo cohort", show_default=True, help="Name of the demo cohort to create."
)
@click.option("--trainees", type=click.IntRange(1, 100_000), required=True, help="How many simulated trainees.")
@click.option(
    "--exercise", "exercise_slug", default=DEFAULT_EXERCISE, show_default=True, help="Slug of the exercise to set."
)
@click.option(
    "--unfinished",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Share of trainees who have not submitted (half not started, half in progress).",
)
@click.option("--seed", type=int, help="Random seed, for the same cohort every time.")
@with_appcontext
def seed_demo_command(cohort_name: str, trainees: int, exercise_slug: str, unfinished: float, seed: int | None) -> None:
    """Create a demo cohort of simulated trainees with scored attempts, and an instructor who sees it."""
    made = seed_demo(
        db.session(),
        cohort_name=cohort_name,
        trainees=trainees,
        exercise_slug=exercise_slug,
        unfinished=unfinished,
        seed=seed,
    )
    click.echo(
        f"Demo cohort {cohort_name!r} (id {made.cohort_id}): {made.trainees} trainees, {made.submitted} submitted and scored."
    )
    click.echo(f"Log in as {made.instructor_username} with password: {made.instructor_password}")
    click.echo(f"Dashboard: /instructor/cohorts/{made.cohort_id}/exercises/{made.exercise_id}/dashboard")
