"""Opening the workspace and the dashboard sends as many SQL statements for 50 articles as for 4.

A query run once an article (or once a key item) would make a large exercise's pages slow without
failing `test_sql_counts`'s ceilings on the two-article mini exercise: this compares the same
cohort's pages on the mini exercise copied twice and copied 25 times.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.models import Cohort, Exercise, Role
from tests.conftest import Factory, csrf_token, login
from tests.many_articles import many_articles_package
from tests.perf.test_sql_counts import CEILINGS, count

SMALL, LARGE = 2, 25
"""Copies of the mini exercise's two articles: 4 and 50 articles."""


def flags_across(copies: int) -> list[tuple[str, str, str]]:
    """Flags in the first and the last copy's articles, including a conflicting figure and a decoy."""
    return [
        ("mini-a-0", "reportedly", "unverified"),
        ("mini-a-0", "about\xa0500 fighters", "conflicting_number"),
        (f"mini-b-{copies - 1}", "550 men", "conflicting_number"),
        (f"mini-b-{copies - 1}", "brutal regime", "loaded_framing"),
        ("mini-a-0", "40 Americans", "conflicting_number"),
    ]


def set_exercise(factory: Factory, tmp_path: Path, cohort: Cohort, copies: int) -> Exercise:
    """The exercise of ``copies`` copies, set for ``cohort``, with three trainees' submissions."""
    exercise = factory.exercise(package=many_articles_package(tmp_path, copies), assign_to=cohort)
    for name in ("alice", "bob", "carol"):
        factory.attempt(
            factory.user(f"{name}-{copies}", cohort=cohort), exercise, flags=flags_across(copies), submit=True
        )
    return exercise


def statements_to_open(app: Flask, factory: Factory, cohort: Cohort, exercise: Exercise, copies: int) -> dict[str, int]:
    """The statements of a trainee with flags opening the workspace, and of the teacher's dashboard."""
    trainee = factory.user(f"trudy-{copies}", cohort=cohort)
    factory.attempt(trainee, exercise, flags=flags_across(copies))
    client = app.test_client()
    login(client, f"trudy-{copies}")
    token = csrf_token(client, "/exercises")

    def open_workspace() -> object:
        return client.post(f"/exercises/{exercise.id}/attempts", data={"csrf_token": token}, follow_redirects=True)

    teacher = app.test_client()
    login(teacher, "teacher")
    url = f"/instructor/cohorts/{cohort.id}/exercises/{exercise.id}/dashboard"
    assert open_workspace().status_code == 200  # warm: the per-process caches of texts and keys
    assert teacher.get(url).status_code == 200
    return {"open workspace": count(app, open_workspace), "dashboard": count(app, lambda: teacher.get(url))}


def test_the_workspace_and_the_dashboard_send_the_same_statements_for_50_articles_as_for_4(
    app: Flask, factory: Factory, tmp_path: Path
) -> None:
    cohort = factory.cohort()
    factory.user("teacher", Role.INSTRUCTOR, teaches=cohort)
    small = set_exercise(factory, tmp_path, cohort, SMALL)
    large = set_exercise(factory, tmp_path, cohort, LARGE)
    with app.app_context():
        assert len(large.articles) == 2 * LARGE
    four_articles = statements_to_open(app, factory, cohort, small, SMALL)
    fifty_articles = statements_to_open(app, factory, cohort, large, LARGE)
    print({"4 articles": four_articles, "50 articles": fifty_articles})
    assert fifty_articles == four_articles
    for name, statements in fifty_articles.items():
        assert statements <= CEILINGS[name], f"{name}: {statements} statements, ceiling {CEILINGS[name]}"
