"""Another person's objects, reached by changing an id in the URL: 403 or 404, and none of their
data in the answer. Each row names who asks, what and the expected status; the leak check looks
for the other trainee's note and name, and the private draft's title, in every answer.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, login
from tests.security.conftest import DRAFT_TITLE, OTHER_NOTE, OWN_NOTE, World

DASHBOARD_B = "/instructor/cohorts/{other_cohort}/exercises/{exercise}"
DASHBOARD_A = "/instructor/cohorts/{cohort}/exercises/{exercise}"
DRAFT = "/instructor/exercises/{draft}"

# (who, method, path, status); the trainee and instructor belong to cohort A, the others to B.
ATTEMPTS = [
    ("trainee", "GET", "/attempts/{other_attempt}", 404),
    ("trainee", "GET", "/attempts/{other_attempt}/debrief", 404),
    ("trainee", "GET", "/attempts/{other_attempt}/submit", 404),
    ("trainee", "POST", "/attempts/{other_attempt}/submit", 404),
    ("trainee", "POST", "/attempts/{other_attempt}/flags", 404),
    ("trainee", "POST", "/attempts/{other_attempt}/flags/{other_flag}/delete", 404),
    ("trainee", "POST", "/attempts/{attempt}/flags/{other_flag}/delete", 404),
    ("trainee", "GET", "/api/attempts/{other_attempt}/flags", 404),
    ("trainee", "GET", "/api/attempts/{other_attempt}/report", 404),
    ("trainee", "POST", "/api/attempts/{other_attempt}/submit", 404),
    ("trainee", "PATCH", "/api/attempts/{other_attempt}/flags/flag-1", 404),
    ("trainee", "DELETE", "/api/attempts/{other_attempt}/flags/flag-1", 404),
    ("other_trainee", "GET", "/attempts/{attempt}", 404),
    ("other_trainee", "GET", "/api/attempts/{attempt}/flags", 404),
    ("other_trainee", "PATCH", "/api/attempts/{attempt}/flags/flag-1", 404),
    ("other_trainee", "DELETE", "/api/attempts/{attempt}/flags/flag-1", 404),
    ("other_trainee", "POST", "/api/attempts/{attempt}/submit", 404),
    ("other_trainee", "POST", "/attempts/{attempt}/flags/{flag}/delete", 404),
    # Another trainee's attempt through the instructor side: not for trainees at all.
    ("trainee", "GET", DASHBOARD_B + "/trainees/{other_trainee}", 403),
    ("trainee", "GET", DASHBOARD_B + "/export/flags.json", 403),
    ("trainee", "GET", DASHBOARD_A + "/heatmaps/mini-b?fragment=1", 403),
]
COHORTS = [
    ("instructor", "GET", "/instructor/cohorts/{other_cohort}", 404),
    ("instructor", "POST", "/instructor/cohorts/{other_cohort}/join-code", 404),
    ("instructor", "POST", "/instructor/cohorts/{other_cohort}/trainees/import", 404),
    ("instructor", "POST", "/instructor/cohorts/{other_cohort}/instructors", 404),
    ("instructor", "POST", "/instructor/cohorts/{other_cohort}/assignments", 404),
    ("instructor", "POST", "/instructor/cohorts/{other_cohort}/assignments/{exercise}/remove", 404),
    ("instructor", "POST", "/instructor/cohorts/{other_cohort}/trainees/{other_trainee}/reset-password", 404),
    # Own cohort in the URL, someone else's trainee after it.
    ("instructor", "POST", "/instructor/cohorts/{cohort}/trainees/{other_trainee}/reset-password", 404),
    ("instructor", "GET", DASHBOARD_A + "/trainees/{other_trainee}", 404),
    ("instructor", "POST", DASHBOARD_A + "/trainees/{other_trainee}/retry", 404),
    # The dashboard and exports of another cohort.
    ("instructor", "GET", DASHBOARD_B + "/dashboard", 404),
    ("instructor", "GET", DASHBOARD_B + "/dashboard/flags?article=mini-b&at=25", 404),
    ("instructor", "GET", DASHBOARD_B + "/heatmaps/mini-b", 404),
    ("instructor", "GET", DASHBOARD_B + "/heatmaps/mini-b?fragment=1", 404),
    ("instructor", "GET", DASHBOARD_B + "/trainees/{other_trainee}", 404),
    ("instructor", "POST", DASHBOARD_B + "/trainees/{other_trainee}/retry", 404),
    ("instructor", "POST", DASHBOARD_B + "/key/add", 404),
    ("instructor", "POST", DASHBOARD_B + "/key/accept", 404),
    ("instructor", "POST", DASHBOARD_B + "/key/extent", 404),
    ("instructor", "GET", "/instructor/cohorts/{other_cohort}/export/results.csv", 404),
    ("instructor", "GET", DASHBOARD_B + "/export/flags.csv", 404),
    ("instructor", "GET", DASHBOARD_B + "/export/flags.json", 404),
]
DRAFTS = [
    ("instructor", "GET", DRAFT, 404),
    ("instructor", "GET", DRAFT + "/preview", 404),
    ("instructor", "GET", DRAFT + "/export.zip", 404),
    ("instructor", "GET", DRAFT + "/key", 404),
    ("instructor", "GET", DRAFT + "/suggestions", 404),
    ("instructor", "POST", DRAFT + "/key", 404),
    ("instructor", "POST", DRAFT + "/publishing", 404),
    ("instructor", "POST", DRAFT + "/assign", 404),
    ("instructor", "POST", DRAFT + "/semeval-mapping", 404),
    ("trainee", "GET", DRAFT + "/preview", 403),
]
LEAKS = (OTHER_NOTE, "Other_Trainee", DRAFT_TITLE)
"""Cohort B's data, which cohort A's people must never see."""
LEAKS_TO = {"other_trainee": (OWN_NOTE,)}
"""The other trainee sees their own name; what must not reach them is the trainee's note."""


def ask(world: World, client: FlaskClient, method: str, path: str) -> tuple[int, str]:
    url = path.format(**world.ids)
    headers = {"X-CSRFToken": world.token(client)}
    if method == "GET":
        response = client.get(url)
    elif url.startswith("/api/") or url.endswith("/key"):
        response = client.open(url, method=method, json={"note": "mine now", "items": []}, headers=headers)
    else:
        response = client.open(
            url,
            method=method,
            data={
                "csrf_token": headers["X-CSRFToken"],
                "action": "regenerate",
                "username": "intruder",
                "display_name": "Intruder",
                "state": "published",
                "cohort_id": str(world.ids["cohort"]),
            },
        )
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("rows", [ATTEMPTS, COHORTS, DRAFTS], ids=["attempts", "cohorts", "drafts"])
def test_other_peoples_objects_are_out_of_reach(world: World, rows: list[tuple[str, str, str, int]]) -> None:
    clients: dict[str, FlaskClient] = {}
    outcomes = []
    for who, method, path, status in rows:
        client = clients.setdefault(who, world.client(who))
        got, body = ask(world, client, method, path)
        leaked = [text for text in LEAKS_TO.get(who, LEAKS) if text in body]
        outcomes.append((who, method, path, got, leaked))
    assert [row for row, (*_, status) in zip(outcomes, rows) if row[3] != status or row[4]] == []
    # Nothing was changed on the way: notes, the other trainee's password, cohort B's code.
    assert world.flag_notes() == sorted([OWN_NOTE, OTHER_NOTE])
    assert login(world.app.test_client(), "other_trainee", PASSWORD).status_code == 302


def test_own_cohort_pages_and_exports_hold_only_own_trainees(world: World) -> None:
    """Both cohorts do the same exercise: cohort A's figures must not include cohort B's work."""
    client = world.client("instructor")
    pages = [
        "/instructor/",
        "/instructor/cohorts/{cohort}",
        DASHBOARD_A + "/dashboard",
        DASHBOARD_A + "/dashboard/flags?article=mini-b&at=25",
        DASHBOARD_A + "/heatmaps/mini-b",
        DASHBOARD_A + "/export/flags.csv",
        DASHBOARD_A + "/export/flags.json",
        "/instructor/cohorts/{cohort}/export/results.csv",
        "/instructor/exercises/",
        "/instructor/exercises/{exercise}",
    ]
    for page in pages:
        response = client.get(page.format(**world.ids))
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert [text for text in LEAKS if text in body] == [], page


def test_the_leak_check_sees_data_where_it_may_be(world: World) -> None:
    """The control: the admin exporting cohort B does get the other trainee's note and name."""
    admin = world.client("admin")
    body = admin.get((DASHBOARD_B + "/export/flags.json").format(**world.ids)).get_data(as_text=True)
    assert OTHER_NOTE in body
    assert DRAFT_TITLE in admin.get("/instructor/exercises/").get_data(as_text=True)
