"""Issue 19's "Done when", told once through the pages and the API as the people in it use them.

An admin makes the seed exercise ask for confidence; an instructor sets it for a cohort with the
cohort view offered; three trainees flag it with confidences and submit (rating the sources and
saying how they would verify them); the instructor reads discernment and calibration on the
dashboard, comments, gives a point and releases the cohort view; the trainees read discernment,
calibration, the comments and the cohort in their debriefs; a second, synthetic exercise then
shows progress per trainee and per cohort.

The seed key has 47 problems and 11 sound passages (decoys). With H = (hits + 0.5) / 48 and
F = (false alarms + 0.5) / 12:

* ana finds 3 problems ("200 to 300", "some 300 Russian", "massacre") and flags 1 decoy ("about
  40 by the end of the firefight"): d′ = z(3.5/48) − z(1.5/12) = −1.454408 + 1.150349 = −0.304058.
  Confidences almost certain, likely, likely (all right) and unlikely (the decoy, wrong): Brier
  (0.05² + 0.25² + 0.25² + 0.25²) / 4 = 0.19 / 4 = 0.0475.
* ben finds "massacre" (almost certain, right) and flags the decoy "near the city of Deir el-Zour"
  (almost certain, wrong): d′ = z(1.5/48) − z(1.5/12) = −1.862732 + 1.150349 = −0.712382; Brier
  (0.05² + 0.95²) / 2 = 0.4525.
* cai finds "massacre" without a confidence: d′ = z(1.5/48) − z(0.5/12) = −1.862732 + 1.731664
  = −0.131068; no Brier score (nothing rated).

Pooled over the cohort: 6 rated flags, squared errors 0.19 + 0.905 = 1.095, Brier 0.1825.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import db
from app.models import Exercise, Flag, Role, User
from tests.app.test_deadlines import FrozenClock
from tests.conftest import Factory, csrf_token, login
from tests.second_exercise import SLUG as SECOND_SLUG
from tests.second_exercise import second_exercise

SEED = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"
DEADLINE = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
CONFIDENCE_FLAGS = {
    "ana": [
        ("khasham-nyt-repost", "200 to 300", "conflicting_number", "almost_certain"),
        ("khasham-unsigned-report", "some 300 Russian", "conflicting_number", "likely"),
        ("khasham-unsigned-report", "massacre", "loaded_framing", "likely"),
        ("khasham-nyt-repost", "about 40 by the end of the firefight", "conflicting_number", "unlikely"),
    ],
    "ben": [
        ("khasham-unsigned-report", "massacre", "loaded_framing", "almost_certain"),
        ("khasham-nyt-repost", "near the city of Deir el-Zour", "unverified", "almost_certain"),
    ],
    "cai": [("khasham-unsigned-report", "massacre", "loaded_framing", None)],
}
SECOND_FLAGS = {
    "ana": [
        ("mini-a", "reportedly", "unverified", "likely"),
        ("mini-b", "brutal regime", "loaded_framing", "likely"),
    ],
    "ben": [("mini-a", "reportedly", "unverified", "roughly_even")],
}


class FormFields(HTMLParser):
    """The values a browser would send for the named fields of a page's forms, as filled."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "button"):
            if attributes.get("type") not in ("checkbox", "radio"):
                self.fields[name] = attributes.get("value") or ""
            elif "checked" in attributes:
                self.fields[name] = attributes.get("value") or "y"
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def do_exercise(
    app: Flask, trainee: FlaskClient, exercise_id: int, flags: list[tuple[str, str, str, str | None]]
) -> int:
    """Start the exercise, flag through the API (as the workspace's script does) and submit with the
    no-JavaScript form, rating each source the key rates; return the attempt's id."""
    token = csrf_token(trainee, "/exercises")
    started = trainee.post(f"/exercises/{exercise_id}/attempts", data={"csrf_token": token})
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        texts = {article.ref: article.text for article in db.session().get(Exercise, exercise_id).articles}
    for number, (article, quote, category, confidence) in enumerate(flags, start=1):
        start = texts[article].index(quote)
        body: dict[str, Any] = {
            "client_id": f"f{number}",
            "article": article,
            "start": start,
            "end": start + len(quote),
            "quote": quote,
            "category": category,
        }
        if confidence:
            body["confidence"] = confidence
        created = trainee.post(f"/api/attempts/{attempt_id}/flags", json=body, headers={"X-CSRFToken": token})
        assert created.status_code == 201, created.get_data(as_text=True)
    submit_page = f"/attempts/{attempt_id}/submit"
    form = FormFields(trainee.get(submit_page).get_data(as_text=True)).fields
    for name in [name for name in form if name.startswith("ratings-") and name.endswith("-reason")]:
        entry = name.removesuffix("-reason")
        form |= {f"{entry}-reliability": "C", f"{entry}-credibility": "3", name: "Find the original report"}
    submitted = trainee.post(submit_page, data=form)
    assert submitted.status_code == 302, submitted.get_data(as_text=True)
    return attempt_id


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    frozen = FrozenClock(DEADLINE - timedelta(days=1))
    app.config["CLOCK"] = frozen
    return frozen


def test_a_cohort_goes_from_confidence_to_feedback_to_progress(
    app: Flask, factory: Factory, clock: FrozenClock, tmp_path: Path
) -> None:
    cohort = factory.cohort("Spring analysts")
    factory.user("root", Role.ADMIN)
    factory.user("teacher", Role.INSTRUCTOR, teaches=cohort)
    for name in CONFIDENCE_FLAGS:
        factory.user(name, cohort=cohort)
    seed = factory.exercise(package=SEED)
    cohort_page = f"/instructor/cohorts/{cohort.id}"

    # The admin makes the seed exercise ask for confidence; it did not before.
    admin = signed_in(app, "root")
    details = f"/instructor/exercises/{seed.id}/details"
    form = FormFields(admin.get(details).get_data(as_text=True)).fields
    assert "asks_confidence" not in form
    assert admin.post(details, data=form | {"asks_confidence": "y"}).status_code == 302

    # The instructor sets it for the cohort with a deadline, offering the cohort view.
    teacher = signed_in(app, "teacher")
    assigned = teacher.post(
        f"{cohort_page}/assignments",
        data={
            "csrf_token": csrf_token(teacher, cohort_page),
            "exercise_id": seed.id,
            "deadline": DEADLINE.strftime("%Y-%m-%dT%H:%M"),
            "cohort_view": "y",
        },
    )
    assert assigned.status_code == 302, assigned.get_data(as_text=True)

    # The trainees flag with confidences and submit before the deadline.
    trainees = {name: signed_in(app, name) for name in CONFIDENCE_FLAGS}
    attempts = {name: do_exercise(app, trainees[name], seed.id, flags) for name, flags in CONFIDENCE_FLAGS.items()}
    with app.app_context():
        stored = db.session().scalars(
            select(Flag.confidence).where(Flag.attempt_id == attempts["ana"]).order_by(Flag.id)
        )
        assert stored.all() == ["almost_certain", "likely", "likely", "unlikely"]
    debrief = trainees["ana"].get(f"/attempts/{attempts['ana']}/debrief").get_data(as_text=True)
    assert "Where your cohort flagged" not in debrief  # before the deadline and before any release

    # The dashboard: discernment's spread and the cohort's calibration.
    dashboard = text_of(teacher.get(f"{cohort_page}/exercises/{seed.id}/dashboard").get_data(as_text=True))
    assert "Median d′ -0.30 over 3 submissions" in dashboard
    assert "Brier score 0.18 over 6 flags given a confidence (1 without one left out)" in dashboard
    assert "Almost certain 95% 3 67%" in dashboard and "Likely 75% 2 100%" in dashboard

    # The instructor comments on ana's decoy flag and on how she would verify the first source,
    # gives a point on her "massacre" flag and releases the cohort view before the deadline.
    with app.app_context():
        ids = dict(db.session().execute(select(Flag.quote, Flag.id).where(Flag.attempt_id == attempts["ana"])).all())
    drill_down = f"{cohort_page}/exercises/{seed.id}/trainees/{_user_id(app, 'ana')}"
    comments = f"{cohort_page}/attempts/{attempts['ana']}/comments"
    for data in (
        {"target": "flag", "flag_id": ids["about 40 by the end of the firefight"], "body": "A decoy: 40 is sourced."},
        {"target": "rating", "article": "khasham-nyt-repost", "body": "Yes: the Times archive first."},
    ):
        answer = teacher.post(comments, data={"csrf_token": csrf_token(teacher, drill_down), **data})
        assert answer.status_code == 302, answer.get_data(as_text=True)
    points = f"{cohort_page}/attempts/{attempts['ana']}/flags/{ids['massacre']}/points"
    assert teacher.post(points, data={"csrf_token": csrf_token(teacher, drill_down), "points": "1"}).status_code == 302
    release = f"{cohort_page}/assignments/{seed.id}/cohort-view"
    answer = teacher.post(release, data={"csrf_token": csrf_token(teacher, cohort_page), "action": "release"})
    assert answer.status_code == 302

    # Ana is told, and reads discernment, calibration, the comments, the point and the cohort.
    assert "2 unread comments" in trainees["ana"].get("/exercises").get_data(as_text=True)
    debrief = text_of(trainees["ana"].get(f"/attempts/{attempts['ana']}/debrief").get_data(as_text=True))
    assert "Discernment (d′) -0.30" in debrief
    assert "Problems found 3 of 47 (6%)" in debrief and "Sound passages flagged 1 of 11 (9%)" in debrief
    assert "You found a few of the problems but also flagged a few of the sound passages." in debrief
    assert "Calibration (Brier score) 0.05 over 4 flags you gave a confidence" in debrief
    assert "Likely 75% 2 2 (100%)" in debrief and "Unlikely 25% 1 0 (0%)" in debrief
    assert "A decoy: 40 is sourced." in debrief and "Yes: the Times archive first." in debrief
    assert "instructor +1" in debrief
    assert "Where your cohort flagged" in debrief and "3 submissions" in debrief
    assert not {"Ben", "Cai"} & set(debrief.split())
    report = trainees["ana"].get(f"/api/attempts/{attempts['ana']}/report").get_json()
    assert report["discernment"]["d_prime"] == pytest.approx(-0.304058, abs=1e-6)
    assert report["calibration"]["brier"] == pytest.approx(0.0475)
    assert report["cohort_view"]["submissions"] == 3
    ben = text_of(trainees["ben"].get(f"/attempts/{attempts['ben']}/debrief").get_data(as_text=True))
    assert "Discernment (d′) -0.71" in ben and "Calibration (Brier score) 0.45 over 2 flags" in ben
    assert "Where your cohort flagged" in ben and "A decoy: 40 is sourced." not in ben
    cai = text_of(trainees["cai"].get(f"/attempts/{attempts['cai']}/debrief").get_data(as_text=True))
    assert "Discernment (d′) -0.13" in cai
    assert "You gave none of your flags a confidence, so there is nothing to calibrate." in cai

    # A second exercise, which ana and ben do after the first; cai does not.
    second = second_exercise(factory, tmp_path)
    with app.app_context():
        db.session().get(Exercise, second.id).asks_confidence = True
        db.session().commit()
    token = csrf_token(teacher, cohort_page)
    assert (
        teacher.post(f"{cohort_page}/assignments", data={"csrf_token": token, "exercise_id": second.id}).status_code
        == 302
    )
    clock.moment = DEADLINE + timedelta(days=7)
    for name, flags in SECOND_FLAGS.items():
        do_exercise(app, trainees[name], second.id, flags)

    # Each trainee's progress: both exercises with score, discernment and calibration.
    mine = trainees["ana"].get("/api/progress").get_json()["submissions"]
    assert [entry["exercise"]["slug"] for entry in mine] == ["deir-ez-zor-2018", SECOND_SLUG]
    assert mine[0]["discernment"] == pytest.approx(-0.304058, abs=1e-6)
    assert mine[0]["brier"] == pytest.approx(0.0475)
    assert mine[1]["discernment"] is not None and mine[1]["brier"] is not None
    page = " ".join(trainees["ana"].get("/progress").get_data(as_text=True).split())
    assert "Discernment (d′)" in page and "Calibration (Brier score)" in page and "<td>-0.30</td> <td>0.05</td>" in page

    # The cohort's change from the seed to the second exercise, with how many did both.
    progress = teacher.get(f"{cohort_page}/progress?pre={seed.id}&post={second.id}")
    assert progress.status_code == 200
    shown = " ".join(progress.get_data(as_text=True).split())
    assert "2 trainees did both exercises; 1 did only" in shown
    document = teacher.get(f"{cohort_page}/progress.json?pre={seed.id}&post={second.id}").get_json()
    measures = {entry["measure"]: entry for entry in document["measures"]}
    assert (measures["score"]["both"], measures["score"]["only_pre"], measures["score"]["only_post"]) == (2, 1, 0)
    assert measures["d_prime"]["change"]["count"] == 2 and measures["brier"]["change"]["count"] == 2
    assert {"unverified", "conflicting_number", "loaded_framing"} <= set(measures)


def _user_id(app: Flask, username: str) -> int:
    with app.app_context():
        user_id = db.session().scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        return user_id
