"""Authoring in the browser's place: new exercise, key editor, versions, publishing, sharing, access."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app, db
from app.models import Assignment, Attempt, Exercise, ExerciseState, KeyVersion, Role, Score
from exercises.package_zip import read_zip
from instructor.authoring import details, sharing
from tests.conftest import Factory, csrf_token, login, post_form

ARTICLE_ONE = (
    "Officials said about 500 fighters attacked the outpost. The assault reportedly lasted four hours.\n\n"
    "The \u201cbrutal regime\u201d denied it."
)
ARTICLE_TWO_HTML = (
    "<html><head><title>x</title><style>p{}</style></head><body>"
    "<p>Witnesses said 550 men took part in a three-hour battle.</p><script>alert(1)</script>"
    "<p>The toll is unconfirmed.</p></body></html>"
)
NEW_PAGE = "/instructor/exercises/new"


def new_exercise_form(**overrides: Any) -> dict[str, Any]:
    """The new-exercise form as a browser posts it: default categories, one pasted and one uploaded article."""
    data: dict[str, Any] = {
        "title": "Night raid: two reports",
        "briefing": "Two reports of one raid.",
        "instructions": "Flag what you would check.",
        "suggested_minutes": "20",
        "attempts": "1",
    }
    for index, category in enumerate(details.default_categories()):
        data[f"categories-{index}-id"] = category.id
        data[f"categories-{index}-name"] = category.name
        data[f"categories-{index}-definition"] = category.definition
        data[f"categories-{index}-example"] = category.example
        if category.grouped:
            data[f"categories-{index}-grouped"] = "y"
    article = {
        "title": "Wire report",
        "byline": "By A. Reporter",
        "outlet": "Wire",
        "event_date": "2024-03-01",
        "language": "en",
        "provenance": "Pasted for the test.",
    }
    for name, value in article.items():
        data[f"articles-0-{name}"] = value
    data["articles-0-text"] = ARTICLE_ONE
    for name, value in {**article, "title": "Tabloid page", "byline": "", "provenance": "Saved web page."}.items():
        data[f"articles-1-{name}"] = value
    data["articles-1-file"] = (io.BytesIO(ARTICLE_TWO_HTML.encode()), "page.html")
    data.update(overrides)
    return data


def create_via_browser(client: FlaskClient, **overrides: Any) -> int:
    response = post_form(
        client, NEW_PAGE, new_exercise_form(**overrides), page=NEW_PAGE, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-2])


def save_key(
    client: FlaskClient,
    exercise_id: int,
    items: list[dict[str, Any]],
    groups: dict[str, str] | None = None,
    note: str = "",
) -> Any:
    token = csrf_token(client, f"/instructor/exercises/{exercise_id}/key")
    return client.post(
        f"/instructor/exercises/{exercise_id}/key",
        json={"items": items, "groups": groups or {}, "note": note},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )


def span(text: str, quote: str) -> dict[str, Any]:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


@pytest.fixture
def people(factory: Factory) -> dict[str, Any]:
    cohort = factory.cohort("Analysts")
    other = factory.cohort("Elsewhere")
    return {
        "cohort": cohort,
        "other_cohort": other,
        "author": factory.user("author", Role.INSTRUCTOR, teaches=cohort),
        "colleague": factory.user("colleague", Role.INSTRUCTOR, teaches=other),
        "admin": factory.user("boss", Role.ADMIN),
        "trainee": factory.user("trainee", cohort=cohort),
    }


def test_from_pasted_articles_to_a_completed_exercise(app: Flask, client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    assert "Unverified claim" in client.get(NEW_PAGE).get_data(as_text=True)
    exercise_id = create_via_browser(client)

    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        assert exercise.state == ExerciseState.DRAFT and exercise.edited_in_app
        assert exercise.created_by_id == people["author"].id
        assert [a.ref for a in exercise.articles] == ["wire-report", "tabloid-page"]
        assert exercise.articles[0].text == ARTICLE_ONE
        # The uploaded HTML is reduced to its text, paragraphs kept, script and style dropped.
        assert (
            exercise.articles[1].text
            == "Witnesses said 550 men took part in a three-hour battle.\n\nThe toll is unconfirmed."
        )
        assert [(v.number, v.items) for v in exercise.key_versions] == [(1, ())]
        tabloid = exercise.articles[1].text

    editor = client.get(f"/instructor/exercises/{exercise_id}/key")
    assert editor.status_code == 200 and "key_editor.js" in editor.get_data(as_text=True)
    found = client.get(f"/instructor/exercises/{exercise_id}/suggestions").get_json()["suggestions"]
    figures = [s for s in found if s["group"] == "force"]
    assert {s["quote"] for s in figures} == {"about 500 fighters", "550 men"}

    # Accept the two proposed figures, add a hedge and a decoy by selection.
    items = [
        {
            "id": f"force-{n}",
            "article": s["article"],
            "start": s["start"],
            "end": s["end"],
            "quote": s["quote"],
            "category": "conflicting_number",
            "group": "force",
            "points": 2,
            "explanation": "500 or 550?",
        }
        for n, s in enumerate(figures)
    ]
    items.append(
        {
            "id": "reportedly",
            "article": "wire-report",
            **span(ARTICLE_ONE, "reportedly"),
            "category": "unverified",
            "explanation": "By whom?",
        }
    )
    items.append(
        {
            "id": "toll",
            "article": "tabloid-page",
            **span(tabloid, "unconfirmed"),
            "category": "unverified",
            "decoy": True,
            "explanation": "Says so itself.",
        }
    )
    saved = save_key(client, exercise_id, items, {"force": "Size of the attacking force"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["version"] == 1 and not saved.get_json()["new_version"]

    assert "reportedly" in client.get(f"/instructor/exercises/{exercise_id}/preview").get_data(as_text=True)
    assert "By whom?" not in client.get(f"/instructor/exercises/{exercise_id}/preview").get_data(as_text=True)

    page = f"/instructor/exercises/{exercise_id}"
    assert post_form(client, f"{page}/publishing", {"state": "published"}, page=page).status_code == 302
    response = post_form(client, f"{page}/assign", {"cohort_id": people["cohort"].id}, page=page)
    assert response.status_code == 302

    trainee = FlaskClient(app, app.response_class, use_cookies=True)
    login(trainee, "trainee")
    started = post_form(trainee, f"/exercises/{exercise_id}/attempts", {}, page="/exercises")
    assert started.status_code == 302, started.get_data(as_text=True)
    attempt_page = started.headers["Location"]
    attempt_id = int(attempt_page.rstrip("/").split("/")[-1])
    flagged = post_form(
        trainee,
        f"/attempts/{attempt_id}/flags",
        {"article": "wire-report", "quote": "reportedly", "category": "unverified"},
        page=attempt_page,
    )
    assert flagged.status_code == 302, flagged.get_data(as_text=True)[:1500]
    submitted = post_form(trainee, f"/attempts/{attempt_id}/submit", {}, page=attempt_page)
    assert submitted.status_code == 302
    assert trainee.get(f"/attempts/{attempt_id}/debrief").status_code == 200

    # Editing the key after a submission makes version 2 and rescores; version 1's score stays.
    items[2]["points"] = 3
    again = save_key(client, exercise_id, items, {"force": "Size of the attacking force"}, note="more for the hedge")
    assert again.get_json()["version"] == 2 and again.get_json()["rescored"] == 1
    with app.app_context():
        session = db.session()
        scores = session.scalars(select(Score).join(Attempt).where(Attempt.id == attempt_id).order_by(Score.id)).all()
        assert [(s.key_version.number, s.is_current) for s in scores] == [(1, False), (2, True)]
        version = session.scalar(
            select(KeyVersion).where(KeyVersion.exercise_id == exercise_id, KeyVersion.number == 2)
        )
        assert (version.origin, version.note, version.created_by_id) == (
            "editor",
            "more for the hedge",
            people["author"].id,
        )
    history = client.get(page).get_data(as_text=True)
    assert "more for the hedge" in history and "Author" in history


def test_key_problems_are_reported_per_item_and_field(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    response = save_key(
        client,
        exercise_id,
        [
            {"id": "a", "article": "wire-report", "quote": "zebra", "category": "unverified", "explanation": "x"},
            {
                "id": "b",
                "article": "wire-report",
                **span(ARTICLE_ONE, "about 500 fighters"),
                "category": "conflicting_number",
                "explanation": "x",
            },
            {
                "id": "c",
                "article": "wire-report",
                **span(ARTICLE_ONE, "four hours"),
                "category": "rumour",
                "explanation": " ",
            },
        ],
    )
    assert response.status_code == 400
    problems = {(p["item"], p["field"]): p["message"] for p in response.get_json()["problems"]}
    assert problems == {
        ("a", "quote"): "not found in article 'wire-report'",
        ("b", "group"): "missing: a conflicting_number item names its conflict group",
        ("c", "category"): "unknown category 'rumour'",
        ("c", "explanation"): "is blank",
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"articles-0-text": "", "articles-1-file": (io.BytesIO(b""), "")}, "Paste or upload at least one article."),
        ({"articles-0-event_date": ""}, "Required for every article."),
        ({"articles-1-file": (io.BytesIO(b"\xff\xfe"), "bad.txt")}, "bad.txt: not UTF-8 text"),
        ({"articles-1-file": (io.BytesIO(b"text"), "bad.pdf")}, "bad.pdf: expected a .txt, .md or .html file"),
        ({"categories-0-id": "", "categories-1-id": "", "categories-2-id": ""}, "Keep at least one category."),
        ({"categories-1-id": "unverified"}, "Two categories have the same id."),
    ],
)
def test_new_exercise_form_rejects_bad_input(
    client: FlaskClient, people: dict[str, Any], overrides: dict[str, Any], message: str
) -> None:
    login(client, "author")
    response = post_form(
        client, NEW_PAGE, new_exercise_form(**overrides), page=NEW_PAGE, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_access_to_app_made_exercises(app: Flask, client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    page = f"/instructor/exercises/{exercise_id}"

    colleague = app.test_client()
    login(colleague, "colleague")
    # A draft is private to its creator (and admins).
    assert colleague.get(page).status_code == 404
    assert colleague.get(f"{page}/key").status_code == 404
    assert "Night raid" not in colleague.get("/instructor/exercises/").get_data(as_text=True)

    assert (
        save_key(
            client,
            exercise_id,
            [
                {
                    "id": "h",
                    "article": "wire-report",
                    **span(ARTICLE_ONE, "reportedly"),
                    "category": "unverified",
                    "explanation": "x",
                }
            ],
        ).status_code
        == 200
    )
    assert post_form(client, f"{page}/publishing", {"state": "published"}, page=page).status_code == 302

    # Published: others see, preview, export and assign it to their own cohorts, but do not edit it.
    assert colleague.get(page).status_code == 200
    assert colleague.get(f"{page}/preview").status_code == 200
    assert colleague.get(f"{page}/export.zip").status_code == 200
    assert colleague.get(f"{page}/key").status_code == 403
    assert post_form(colleague, f"{page}/publishing", {"state": "closed"}, page=page).status_code == 403
    # Only cohorts one teaches are offered; another's cohort id is refused.
    assert post_form(colleague, f"{page}/assign", {"cohort_id": people["cohort"].id}, page=page).status_code == 400
    assert (
        post_form(colleague, f"{page}/assign", {"cohort_id": people["other_cohort"].id}, page=page).status_code == 302
    )

    admin = app.test_client()
    login(admin, "boss")
    assert admin.get(f"{page}/key").status_code == 200
    with app.app_context():
        assert db.session().get(Assignment, (people["other_cohort"].id, exercise_id)) is not None


def test_publishing_rules(client: FlaskClient, people: dict[str, Any], app: Flask) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    page = f"/instructor/exercises/{exercise_id}"
    empty = post_form(client, f"{page}/publishing", {"state": "published"}, page=page)
    assert empty.status_code == 400 and "before publishing" in empty.get_data(as_text=True)
    save_key(
        client,
        exercise_id,
        [
            {
                "id": "h",
                "article": "wire-report",
                **span(ARTICLE_ONE, "reportedly"),
                "category": "unverified",
                "explanation": "x",
            }
        ],
    )
    backwards = post_form(
        client,
        f"{page}/publishing",
        {"state": "published", "available_from": "2030-01-02T00:00", "available_until": "2030-01-01T00:00"},
        page=page,
    )
    assert backwards.status_code == 400 and "must end after it starts" in backwards.get_data(as_text=True)
    window = {"state": "published", "available_from": "2030-01-01T08:00", "available_until": "2030-01-31T18:00"}
    assert post_form(client, f"{page}/publishing", window, page=page).status_code == 302
    with app.app_context():
        exercise = db.session().get(Exercise, exercise_id)
        assert exercise.state == "published"
        assert (exercise.available_from.hour, exercise.available_until.day) == (8, 31)
    assert post_form(client, f"{page}/publishing", {"state": "closed"}, page=page).status_code == 302


def test_package_exercises_are_edited_by_admins_only(app: Flask, factory: Factory, people: dict[str, Any]) -> None:
    exercise = factory.exercise()
    instructor = app.test_client()
    login(instructor, "author")
    assert instructor.get(f"/instructor/exercises/{exercise.id}/key").status_code == 403
    admin = app.test_client()
    login(admin, "boss")
    with app.app_context():
        items = [item.to_record() for item in db.session().get(Exercise, exercise.id).key_versions[-1].items]
    items[0]["points"] = 5
    assert save_key(admin, exercise.id, items, {"force": "Size", "duration": "How long"}).status_code == 200
    with app.app_context():
        stored = db.session().get(Exercise, exercise.id)
        assert stored.edited_in_app and stored.key_versions[-1].items[0].points == 5.0


def test_export_then_import_elsewhere_round_trips(
    app: Flask,
    client: FlaskClient,
    people: dict[str, Any],
    tmp_path: Path,
    app_config: dict[str, Any],
    migrated_sqlite: Path,
) -> None:
    login(client, "author")
    exercise_id = create_via_browser(client)
    with app.app_context():
        tabloid = db.session().get(Exercise, exercise_id).articles[1].text
    items = [
        {
            "id": "f1",
            "article": "wire-report",
            **span(ARTICLE_ONE, "about 500 fighters"),
            "category": "conflicting_number",
            "group": "force",
            "points": 2,
            "explanation": "a",
        },
        {
            "id": "f2",
            "article": "tabloid-page",
            **span(tabloid, "550 men"),
            "category": "conflicting_number",
            "group": "force",
            "also": ["unverified"],
            "explanation": "b",
        },
        {
            "id": "said",
            "article": "tabloid-page",
            **span(tabloid, "said"),
            "category": "unverified",
            "decoy": True,
            "explanation": "c",
        },
    ]
    assert save_key(client, exercise_id, items, {"force": "Force"}).status_code == 200
    exported = client.get(f"/instructor/exercises/{exercise_id}/export.zip")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="night-raid-two-reports.zip"'

    # Another instance: a fresh database, the zip uploaded there by one of its instructors.
    shutil.copy(migrated_sqlite, tmp_path / "other.sqlite3")
    other = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}"})
    Factory(other).user("colleague", Role.INSTRUCTOR)
    other_client = other.test_client()
    login(other_client, "colleague")
    uploaded = post_form(
        other_client,
        "/instructor/exercises/import",
        {"file": (io.BytesIO(exported.data), "night.zip")},
        page="/instructor/exercises/",
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:2000]
    with other.app_context():
        imported = db.session().scalar(select(Exercise).where(Exercise.slug == "night-raid-two-reports"))
        assert imported.state == "draft" and imported.created_by_id is not None
        again = sharing.export_exercise(db.session(), imported, None)
        with app.app_context():
            original = db.session().get(Exercise, exercise_id)
            assert [(i.id, i.start, i.end) for i in imported.key_versions[-1].items] == [
                (i.id, i.start, i.end) for i in original.key_versions[-1].items
            ]
    db.get_engine(other).dispose()
    assert read_zip(again) == read_zip(exported.data)
    assert again == exported.data


def test_import_upload_reports_problems(client: FlaskClient, people: dict[str, Any]) -> None:
    login(client, "author")
    response = post_form(
        client,
        "/instructor/exercises/import",
        {"file": (io.BytesIO(b"not a zip"), "x.zip")},
        page="/instructor/exercises/",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "not a zip file" in response.get_data(as_text=True)


def test_semeval_import_with_edited_mapping(client: FlaskClient, people: dict[str, Any], app: Flask) -> None:
    login(client, "author")
    text = "They are traitors and liars. Experts doubt the report."
    labels = (
        f"111\tName_Calling,Labeling\t{text.index('traitors')}\t{text.index('traitors') + 8}\n"
        f"111\tLoaded_Language\t{text.index('liars')}\t{text.index('liars') + 5}\n"
        f"111\tDoubt\t{text.index('Experts')}\t{text.index('report') + 6}\n"
        "999\tDoubt\t0\t4\n"
    )
    page = "/instructor/exercises/import-semeval"
    first = post_form(
        client,
        page,
        {
            "title": "SemEval sample",
            "event_date": "2019-05-01",
            "language": "en",
            "articles": [(io.BytesIO(text.encode()), "article111.txt")],
            "labels": (io.BytesIO(labels.encode()), "labels.tsv"),
        },
        page=page,
        content_type="multipart/form-data",
    )
    html = first.get_data(as_text=True)
    assert first.status_code == 200, html[:2000]
    assert html.count("<select") == 3 and "Name Calling,Labeling" in html
    with app.app_context():
        exercise = db.session().scalar(select(Exercise).where(Exercise.title == "SemEval sample"))
    hidden = (
        html.split('name="labels" type="hidden" value="')[1].split('"')[0].replace("&#34;", '"').replace("&quot;", '"')
    )
    choices = {
        "technique_0": "unverified",
        "technique_1": "",
        "technique_2": "loaded_framing",
    }  # Doubt, Loaded_Language left out, Name_Calling
    second = post_form(
        client, f"/instructor/exercises/{exercise.id}/semeval-mapping", {"labels": hidden, **choices}, page=page
    )
    assert second.status_code == 302, second.get_data(as_text=True)[:2000]
    with app.app_context():
        items = db.session().get(Exercise, exercise.id).key_versions[-1].items
    assert [(i.quote, i.category) for i in items] == [
        ("traitors", "loaded_framing"),
        ("Experts doubt the report", "unverified"),
    ]
    assert json.loads(hidden)[0][0] == "article111"


def test_export_and_import_commands(app: Flask, factory: Factory, tmp_path: Path) -> None:
    exercise = factory.exercise()
    runner = app.test_cli_runner()
    target = tmp_path / "mini.zip"
    exported = runner.invoke(args=["export-exercise", "mini-exercise", str(target)])
    assert exported.exit_code == 0, exported.output
    assert runner.invoke(args=["export-exercise", "nope", str(target)]).exit_code == 1
    with app.app_context():
        session = db.session()
        session.delete(session.get(Exercise, exercise.id))
        session.commit()
    imported = runner.invoke(args=["import-exercise", str(target)])
    assert imported.exit_code == 0 and "mini-exercise: created with 8 key items" in imported.output
    again = tmp_path / "again.zip"
    assert runner.invoke(args=["export-exercise", "mini-exercise", str(again)]).exit_code == 0
    assert again.read_bytes() == target.read_bytes()
    (tmp_path / "bad.zip").write_bytes(b"junk")
    refused = runner.invoke(args=["import-exercise", str(tmp_path / "bad.zip")])
    assert refused.exit_code == 1 and "not a zip file" in refused.output
