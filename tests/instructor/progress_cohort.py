"""The fixed dashboard cohort (`dashboard_cohort`) set a second exercise (`tests.second_exercise`),
with its progress worked out by hand.

First exercise (11 points): alice 600/11 ≈ 54.55, bob 0, carol 150/11 ≈ 13.64; dave is still working.
Second exercise (13 points):

* alice flags both force figures, "reportedly" as unverified, "pro-democracy rebels" and "brutal
  regime" as loaded framing: 2 + 2 + 3 + 2 + 1 = 10, score 1000/13 ≈ 76.92;
* bob's first attempt hits only the decoy (score 0); his second, the one that counts, flags
  "reportedly" as unverified: 3, score 300/13 ≈ 23.08;
* dave flags "brutal regime": 1, score 100/13 ≈ 7.69;
* erin flags what alice flagged, but for another cohort: it never counts here.

So alice and bob did both, carol only the first, dave only the second. The scores are stored as
they were before discernment and calibration joined the stored report, so those measures appear only
where a test stores them (`store_in_report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from app import db
from app.grading import score_attempt
from app.models import Attempt, Cohort, Score, User, utcnow
from scoring.report import DERIVED_FIELDS
from tests.conftest import Factory
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort
from tests.second_exercise import second_exercise

ALICE = [
    ("mini-a", "about\xa0500 fighters", "conflicting_number"),
    ("mini-b", "550 men", "conflicting_number"),
    ("mini-a", "reportedly", "unverified"),
    ("mini-a", "pro-democracy rebels", "loaded_framing"),
    ("mini-b", "brutal regime", "loaded_framing"),
]


@dataclass
class ProgressCohort:
    fixed: FixedCohort
    second_id: int
    evening_id: int
    second_attempts: dict[str, int]
    """The attempt at the second exercise that counts, by trainee (erin's counts for the evening)."""

    @property
    def cohort_id(self) -> int:
        return self.fixed.cohort_id

    @property
    def first_id(self) -> int:
        return self.fixed.exercise_id

    def url(self, suffix: str = "", **query: int) -> str:
        """The progress view (or an export, ``suffix`` ".csv" or ".json") comparing ``pre`` and ``post``."""
        chosen = "&".join(f"{name}={value}" for name, value in query.items())
        return f"/instructor/cohorts/{self.cohort_id}/progress{suffix}" + (f"?{chosen}" if chosen else "")


def build_progress_cohort(factory: Factory, root: Path) -> ProgressCohort:
    """The cohort described above; erin is also in the evening cohort, taught by nobody here."""
    fixed = build_fixed_cohort(factory)
    with factory.app.app_context():
        session = db.session()
        cohort = session.get(Cohort, fixed.cohort_id)
        users = {name: session.get(User, user_id) for name, user_id in fixed.users.items()}
        session.expunge_all()
    evening = factory.cohort("Evening cohort")
    second = second_exercise(factory, root, assign_to=cohort)
    factory.assign(second, evening)
    alices, _ = factory.attempt(users["alice"], second, flags=ALICE, submit=True)
    factory.attempt(users["bob"], second, flags=[("mini-a", "40 Americans", "conflicting_number")], submit=True)
    bobs, _ = factory.attempt(
        users["bob"], second, flags=[("mini-a", "reportedly", "unverified")], submit=True, number=2
    )
    daves, _ = factory.attempt(
        users["dave"], second, flags=[("mini-b", "brutal regime", "loaded_framing")], submit=True
    )
    erins, _ = factory.attempt(users["erin"], second, flags=ALICE)
    with factory.app.app_context():
        session = db.session()
        night = session.get(Cohort, evening.id)
        night.trainees.append(session.get(User, users["erin"].id))
        # Made for the evening cohort, then submitted: the app scores an attempt for its cohort.
        session.execute(update(Attempt).where(Attempt.id == erins.id).values(cohort_id=evening.id))
        submitted = session.get(Attempt, erins.id)
        submitted.submitted_at = utcnow()
        score_attempt(session, submitted)
        for score in session.scalars(select(Score)):
            score.report = {key: value for key, value in score.report.items() if key not in DERIVED_FIELDS}
        session.commit()
    attempts = {"alice": alices.id, "bob": bobs.id, "dave": daves.id, "erin": erins.id}
    return ProgressCohort(fixed, second.id, evening.id, attempts)


def store_in_report(factory: Factory, attempt_id: int, **fields: object) -> None:
    """Add ``fields`` to the stored report of the attempt's current score, as a newer scoring
    engine would store discernment and calibration."""
    with factory.app.app_context():
        session = db.session()
        score = session.scalar(select(Score).where(Score.attempt_id == attempt_id, Score.is_current.is_(True)))
        score.report = {**score.report, **fields}
        session.commit()
