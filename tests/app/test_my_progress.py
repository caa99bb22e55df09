"""My progress: a trainee's submissions across exercises and attempts, on a page and in the API."""

from __future__ import annotations

from pathlib import Path

import jsonschema_rs
import pytest
from flask.testing import FlaskClient

from tests.conftest import Factory, login
from tests.instructor.progress_cohort import ProgressCohort, build_progress_cohort, store_in_report


@pytest.fixture
def cohort(factory: Factory, tmp_path: Path) -> ProgressCohort:
    return build_progress_cohort(factory, tmp_path)


def test_my_exercises_links_to_my_progress(client: FlaskClient, cohort: ProgressCohort) -> None:
    login(client, "bob")
    assert 'href="/progress">My progress</a>' in client.get("/exercises").get_data(as_text=True)


def test_every_submission_in_order_per_category(client: FlaskClient, cohort: ProgressCohort) -> None:
    login(client, "bob")
    page = " ".join(client.get("/progress").get_data(as_text=True).split())
    # Bob: the mini exercise, then two attempts at the second, the later one marked.
    first = page.index(">Mini exercise</a>")
    second = page.index(">Second exercise</a>", first)
    third = page.index('>Second exercise</a><br><span class="muted">attempt 2</span>', second + 1)
    assert first < second < third
    # Categories in the order first met: the mini key's order.
    assert '<th scope="col">Conflicting number</th><th scope="col">Unverified claim</th>' in page
    # Attempt 2: "reportedly" is 3 of the 3 unverified points.
    assert '100%<br><span class="muted">3.00 of 3.00 points</span>' in page[third:]
    # The mini exercise: a quarter of 1 point for "reportedly" in the wrong category.
    assert '25%<br><span class="muted">0.25 of 1.00 points</span>' in page[first:second]
    assert "Discernment" not in page and "Brier" not in page


def test_nothing_submitted_yet(client: FlaskClient, cohort: ProgressCohort) -> None:
    login(client, "erin")  # erin's only submission went to another cohort: still hers
    assert ">Second exercise</a>" in client.get("/progress").get_data(as_text=True)


def test_a_trainee_without_submissions(factory: Factory, client: FlaskClient) -> None:
    factory.user("newcomer")
    login(client, "newcomer")
    assert "Nothing submitted yet" in client.get("/progress").get_data(as_text=True)
    assert client.get("/api/progress").get_json() == {"submissions": []}


def test_the_api_gives_the_same_in_order(client: FlaskClient, cohort: ProgressCohort) -> None:
    login(client, "bob")
    response = client.get("/api/progress")
    assert response.status_code == 200
    submissions = response.get_json()["submissions"]
    assert [(entry["exercise"]["slug"], entry["attempt"]) for entry in submissions] == [
        ("mini-exercise", 1),
        ("second-exercise", 1),
        ("second-exercise", 2),
    ]
    assert submissions[2]["score"] == pytest.approx(300 / 13)
    assert {entry["category"]: (entry["earned"], entry["possible"]) for entry in submissions[0]["categories"]} == {
        "conflicting_number": (0.5, 6.0),
        "unverified": (0.25, 1.0),
        "loaded_framing": (0.0, 3.0),
    }
    assert submissions[2]["debrief_url"] == f"/attempts/{submissions[2]['attempt_id']}/debrief"
    assert "discernment" not in submissions[0] and "brier" not in submissions[0]


def test_the_api_answer_matches_the_openapi_document(client: FlaskClient, cohort: ProgressCohort) -> None:
    document = client.get("/api/openapi.json").get_json()
    login(client, "alice")
    schema = {"$ref": "#/components/schemas/Progress", "components": document["components"]}
    answer = client.get("/api/progress").get_json()
    assert [str(error) for error in jsonschema_rs.Draft7Validator(schema).iter_errors(answer)] == []


def test_only_my_own(client: FlaskClient, cohort: ProgressCohort) -> None:
    login(client, "carol")
    page = client.get("/progress").get_data(as_text=True)
    assert ">Mini exercise</a>" in page and ">Second exercise</a>" not in page
    assert len(client.get("/api/progress").get_json()["submissions"]) == 1


def test_discernment_and_calibration_show_where_stored(
    factory: Factory, client: FlaskClient, cohort: ProgressCohort
) -> None:
    store_in_report(factory, cohort.second_attempts["bob"], discernment={"d_prime": 1.5}, calibration={"brier": 0.25})
    login(client, "bob")
    page = " ".join(client.get("/progress").get_data(as_text=True).split())
    assert '<th scope="col">Discernment (d′)</th> <th scope="col">Calibration (Brier score)</th>' in page
    assert page.count("not measured") == 2 and page.count("no confidence given") == 2
    assert "<td>1.50</td> <td>0.25</td>" in page
    submissions = client.get("/api/progress").get_json()["submissions"]
    assert [(entry.get("discernment"), entry.get("brier")) for entry in submissions] == [
        (None, None),
        (None, None),
        (1.5, 0.25),
    ]
