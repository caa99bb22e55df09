"""The cohort's progress between two exercises: the view, its exports and who may see them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from app import db
from app.models import Role, User
from tests.conftest import Factory, login
from tests.instructor.progress_cohort import ProgressCohort, build_progress_cohort, store_in_report

ALICE_CHANGE = 1000 / 13 - 600 / 11
BOB_CHANGE = 300 / 13


@pytest.fixture
def cohort(factory: Factory, tmp_path: Path) -> ProgressCohort:
    return build_progress_cohort(factory, tmp_path)


@pytest.fixture
def teacher(client: FlaskClient, cohort: ProgressCohort) -> FlaskClient:
    login(client, "teacher")
    return client


def measure(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(entry for entry in document["measures"] if entry["measure"] == name)


def test_the_cohort_page_links_to_progress(teacher: FlaskClient, cohort: ProgressCohort) -> None:
    page = teacher.get(f"/instructor/cohorts/{cohort.cohort_id}").get_data(as_text=True)
    assert f'href="/instructor/cohorts/{cohort.cohort_id}/progress"' in page


def test_the_view_compares_the_first_and_the_last_exercise_by_default(
    teacher: FlaskClient, cohort: ProgressCohort
) -> None:
    response = teacher.get(cohort.url())
    page = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "From Mini exercise to Second exercise" in page
    assert "2 trainees did both exercises; 1 did only Mini exercise and 1 only Second exercise." in page
    assert "latest submitted attempt at each exercise, made for this cohort" in page
    # The score row: means 250/11 and 1400/39, medians 150/11 and 300/13, change of both 3250/143.
    assert "<td>22.7</td><td>13.6</td> <td>35.9</td><td>23.1</td> <td>+22.7</td><td>+22.7</td>" in page
    assert '<script type="application/json" id="progress-data">' in page
    assert "js/progress.js" in page and "<script>" not in page


def test_the_summary_by_hand(teacher: FlaskClient, cohort: ProgressCohort) -> None:
    response = teacher.get(cohort.url(".json", pre=cohort.first_id, post=cohort.second_id))
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert (document["pre"]["slug"], document["post"]["slug"]) == ("mini-exercise", "second-exercise")
    score = measure(document, "score")
    assert score["pre"] == {"count": 3, "mean": round(250 / 11, 4), "median": round(150 / 11, 4)}
    assert score["post"] == {"count": 3, "mean": round(1400 / 39, 4), "median": round(300 / 13, 4)}
    both = (ALICE_CHANGE + BOB_CHANGE) / 2
    assert score["change"] == {"count": 2, "mean": round(both, 4), "median": round(both, 4)}
    assert (score["both"], score["only_pre"], score["only_post"]) == (2, 1, 1)
    # Per category, percent of the category's points. Unverified: alice 100 → 100, bob 25 → 100.
    unverified = measure(document, "unverified")
    assert unverified["pre"] == {"count": 3, "mean": round(125 / 3, 4), "median": 25.0}
    assert unverified["post"] == {"count": 3, "mean": round(200 / 3, 4), "median": 100.0}
    assert unverified["change"] == {"count": 2, "mean": 37.5, "median": 37.5}
    # Loaded framing: alice 1/3 → 3/3, bob 0 → 0; carol 2/3 only before, dave 1/3 only after.
    loaded = measure(document, "loaded_framing")
    assert loaded["change"] == {"count": 2, "mean": round(100 / 3, 4), "median": round(100 / 3, 4)}
    assert loaded["pre"]["mean"] == round(100 / 3, 4) and loaded["post"]["mean"] == round(400 / 9, 4)
    # Conflicting numbers: alice 4/6 both times, bob's lone figure half a point of 6 before, 0 after.
    conflicting = measure(document, "conflicting_number")
    assert conflicting["change"] == {"count": 2, "mean": round(-25 / 6, 4), "median": round(-25 / 6, 4)}
    assert [entry["measure"] for entry in document["measures"]] == [
        "score",
        "unverified",
        "conflicting_number",
        "loaded_framing",
    ]


def test_the_csv_has_a_row_per_trainee_who_did_either(
    factory: Factory, teacher: FlaskClient, cohort: ProgressCohort
) -> None:
    with factory.app.app_context():
        db.session().execute(update(User).where(User.username == "dave").values(display_name="=HYPERLINK(1)"))
        db.session().commit()
    response = teacher.get(cohort.url(".csv", pre=cohort.first_id, post=cohort.second_id))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="fixed-cohort-mini-exercise-second-exercise-progress.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["username"] for row in rows] == ["dave", "alice", "bob", "carol"]  # by name: "=" first
    dave, alice, bob, carol = rows
    assert (alice["score_pre"], alice["score_post"], alice["score_change"]) == (
        str(round(600 / 11, 4)),
        str(round(1000 / 13, 4)),
        str(round(ALICE_CHANGE, 4)),
    )
    assert (bob["pre_attempt"], bob["post_attempt"], bob["unverified_change"]) == ("1", "2", "75.0")
    assert (carol["post_attempt"], carol["score_post"], carol["score_change"]) == ("", "", "")
    assert (dave["pre_attempt"], dave["loaded_framing_post"]) == ("", str(round(100 / 3, 4)))
    assert dave["display_name"] == "'=HYPERLINK(1)"
    assert "d_prime_pre" not in rows[0] and "brier_pre" not in rows[0]


def test_any_two_exercises_either_way_round(teacher: FlaskClient, cohort: ProgressCohort) -> None:
    document = teacher.get(cohort.url(".json", pre=cohort.second_id, post=cohort.first_id)).get_json()
    score = measure(document, "score")
    assert score["change"]["mean"] == round(-(ALICE_CHANGE + BOB_CHANGE) / 2, 4)
    assert (score["only_pre"], score["only_post"]) == (1, 1)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("pre={first}&post={first}", "Choose two different exercises."),
        ("pre={first}&post=999999", "Not a valid choice"),
        ("pre=abc&post={second}", "Invalid Choice"),
        ("post={second}", "Choose the first exercise."),
    ],
)
def test_a_wrong_choice_is_a_400_that_says_why(
    teacher: FlaskClient, cohort: ProgressCohort, query: str, message: str
) -> None:
    filled = query.format(first=cohort.first_id, second=cohort.second_id)
    base = f"/instructor/cohorts/{cohort.cohort_id}/progress"
    page = teacher.get(f"{base}?{filled}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    export = teacher.get(f"{base}.csv?{filled}")
    assert export.status_code == 400 and message in export.get_data(as_text=True)


def test_the_exercise_of_another_cohort_cannot_be_chosen(
    factory: Factory, teacher: FlaskClient, cohort: ProgressCohort, tmp_path: Path
) -> None:
    other = factory.exercise(package=_third_package(tmp_path))
    response = teacher.get(cohort.url(".json", pre=cohort.first_id, post=other.id))
    assert response.status_code == 400


def _third_package(root: Path) -> Path:
    from tests.second_exercise import second_package

    package = second_package(root / "third")
    manifest = package / "exercise.toml"
    manifest.write_text(manifest.read_text().replace('slug = "second-exercise"', 'slug = "third-exercise"'))
    return package


@pytest.mark.parametrize("suffix", ["", ".csv", ".json"])
def test_only_the_cohorts_instructors(
    factory: Factory, client: FlaskClient, cohort: ProgressCohort, suffix: str
) -> None:
    url = cohort.url(suffix, pre=cohort.first_id, post=cohort.second_id)
    assert client.get(url).status_code in (302, 401)
    login(client, "stranger")
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(client, "alice")
    assert client.get(url).status_code == 403


def test_the_other_cohorts_attempts_stay_out(factory: Factory, client: FlaskClient, cohort: ProgressCohort) -> None:
    factory.user("night-teacher", Role.INSTRUCTOR, teaches=_cohort(factory, cohort.evening_id))
    factory.assign(_exercise(factory, cohort.first_id), _cohort(factory, cohort.evening_id))
    login(client, "night-teacher")
    evening = f"/instructor/cohorts/{cohort.evening_id}/progress.csv?pre={cohort.first_id}&post={cohort.second_id}"
    rows = list(csv.DictReader(io.StringIO(client.get(evening).get_data(as_text=True))))
    assert [(row["username"], row["pre_attempt"], row["post_attempt"]) for row in rows] == [("erin", "", "1")]


def _cohort(factory: Factory, cohort_id: int) -> Any:
    from app.models import Cohort

    with factory.app.app_context():
        return db.session().get(Cohort, cohort_id)


def _exercise(factory: Factory, exercise_id: int) -> Any:
    from app.models import Exercise

    with factory.app.app_context():
        return db.session().get(Exercise, exercise_id)


def test_a_cohort_with_one_exercise_is_told_to_set_another(factory: Factory, client: FlaskClient) -> None:
    single = factory.cohort("Single")
    factory.user("solo-teacher", Role.INSTRUCTOR, teaches=single)
    factory.exercise(assign_to=single)
    login(client, "solo-teacher")
    page = client.get(f"/instructor/cohorts/{single.id}/progress")
    assert page.status_code == 200 and "Set a second exercise" in page.get_data(as_text=True)
    assert f'href="/instructor/cohorts/{single.id}/progress"' not in client.get(
        f"/instructor/cohorts/{single.id}"
    ).get_data(as_text=True)


def test_discernment_and_calibration_join_when_stored(
    factory: Factory, teacher: FlaskClient, cohort: ProgressCohort
) -> None:
    store_in_report(factory, cohort.fixed.attempts["alice"], discernment={"d_prime": 0.5})
    store_in_report(factory, cohort.second_attempts["alice"], discernment={"d_prime": 2.0}, calibration={"brier": 0.25})
    store_in_report(factory, cohort.second_attempts["bob"], discernment={"d_prime": None, "reason": "no decoys"})
    document = teacher.get(cohort.url(".json", pre=cohort.first_id, post=cohort.second_id)).get_json()
    discernment = measure(document, "d_prime")
    assert discernment["change"] == {"count": 1, "mean": 1.5, "median": 1.5}
    assert (discernment["pre"]["count"], discernment["post"]["count"], discernment["only_pre"]) == (1, 1, 0)
    calibration = measure(document, "brier")
    assert calibration["post"] == {"count": 1, "mean": 0.25, "median": 0.25} and calibration["change"]["count"] == 0
    rows = list(
        csv.DictReader(
            io.StringIO(
                teacher.get(cohort.url(".csv", pre=cohort.first_id, post=cohort.second_id)).get_data(as_text=True)
            )
        )
    )
    alice = next(row for row in rows if row["username"] == "alice")
    assert (alice["d_prime_pre"], alice["d_prime_post"], alice["d_prime_change"], alice["brier_post"]) == (
        "0.5",
        "2.0",
        "1.5",
        "0.25",
    )
    page = " ".join(teacher.get(cohort.url()).get_data(as_text=True).split())
    assert "Discernment<br>" in page and "Calibration<br>" in page
