"""Instructors comment on flags, notes and source ratings and award points within the policy's caps;
trainees read it in their debrief, are told of it on "My exercises", and see nobody else's."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import db, grading
from app.models import Attempt, AuditEvent, Cohort, Exercise, FeedbackComment, Flag, Role, SourceRating
from scoring.types import Policy
from tests.app.test_api_openapi import conforms
from tests.conftest import Factory, csrf_token, login
from tests.instructor.dashboard_cohort import FixedCohort, build_fixed_cohort
from tests.rated_exercise import rate_sources


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    cohort = build_fixed_cohort(factory)
    with factory.app.app_context():
        factory.user("coteacher", Role.INSTRUCTOR, teaches=db.session().get(Cohort, cohort.cohort_id))
    return cohort


def flag_id(app: Flask, attempt_id: int, quote: str) -> int:
    with app.app_context():
        return db.session().scalar(select(Flag.id).where(Flag.attempt_id == attempt_id, Flag.quote == quote))


def drill_down(fixed: FixedCohort, name: str) -> str:
    return fixed.url(f"trainees/{fixed.users[name]}")


def post(client: FlaskClient, fixed: FixedCohort, url: str, data: dict, page_of: str = "alice"):
    token = csrf_token(client, drill_down(fixed, page_of))
    return client.post(url, data={"csrf_token": token, **data})


def comments_url(fixed: FixedCohort, name: str) -> str:
    return f"/instructor/cohorts/{fixed.cohort_id}/attempts/{fixed.attempts[name]}/comments"


def test_a_comment_reaches_the_trainee_escaped_and_is_read_once_the_debrief_opens(
    app: Flask, client: FlaskClient, fixed: FixedCohort
) -> None:
    login(client, "teacher")
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    response = post(
        client, fixed, comments_url(fixed, "alice"), {"target": "flag", "flag_id": flag, "body": "Good <b>catch</b>"}
    )
    assert response.status_code == 302
    assert re.search(rf"/trainees/{fixed.users['alice']}#comment-\d+$", response.headers["Location"])
    assert "Good &lt;b&gt;catch&lt;/b&gt;" in client.get(drill_down(fixed, "alice")).get_data(as_text=True)

    trainee = app.test_client()
    login(trainee, "alice")
    home = trainee.get("/exercises").get_data(as_text=True)
    assert "New comments from your instructor" in home and "1 unread comment" in home
    debrief = trainee.get(f"/attempts/{fixed.attempts['alice']}/debrief").get_data(as_text=True)
    assert "Your instructor’s feedback" in debrief
    assert "Good &lt;b&gt;catch&lt;/b&gt;" in debrief and "<b>catch" not in debrief
    assert '<span class="badge">new</span>' in debrief
    assert "New comments from your instructor" not in trainee.get("/exercises").get_data(as_text=True)
    assert '<span class="badge">new</span>' not in trainee.get(f"/attempts/{fixed.attempts['alice']}/debrief").get_data(
        as_text=True
    )

    other = app.test_client()
    login(other, "bob")
    assert "catch" not in other.get(f"/attempts/{fixed.attempts['bob']}/debrief").get_data(as_text=True)
    assert other.get(f"/attempts/{fixed.attempts['alice']}/debrief").status_code == 404
    assert "New comments" not in other.get("/exercises").get_data(as_text=True)


def test_a_note_comment_needs_a_note(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    with_note = flag_id(app, fixed.attempts["carol"], "heavy shelling")
    without = flag_id(app, fixed.attempts["carol"], "brutal regime")
    url = comments_url(fixed, "carol")
    ok = post(client, fixed, url, {"target": "note", "flag_id": with_note, "body": "Who is 'x'?"}, "carol")
    assert ok.status_code == 302
    refused = post(client, fixed, url, {"target": "note", "flag_id": without, "body": "?"}, "carol")
    assert refused.status_code == 400
    assert "This flag has no note to comment on" in refused.get_data(as_text=True)
    trainee = app.test_client()
    login(trainee, "carol")
    page = trainee.get(f"/attempts/{fixed.attempts['carol']}/debrief").get_data(as_text=True)
    assert "Your note: =HYPERLINK(&#34;x&#34;) who saw it?" in page and "Who is &#39;x&#39;?" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"target": "flag", "body": "   "}, "Write the comment before saving it."),
        ({"target": "flag", "body": "x" * 2001}, "Keep the comment to 2000 characters or fewer."),
        ({"target": "elsewhere", "body": "x"}, "Say what the comment is about."),
        ({"target": "flag", "flag_id": 999999, "body": "x"}, "This submission has no such flag."),
        ({"target": "rating", "article": "mini-a", "body": "x"}, "The trainee gave no source rating for this article."),
    ],
)
def test_bad_comments_are_refused_with_a_message(
    client: FlaskClient, fixed: FixedCohort, data: dict, message: str
) -> None:
    login(client, "teacher")
    response = post(client, fixed, comments_url(fixed, "alice"), data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_only_the_cohorts_instructors_reach_feedback(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    data = {"target": "flag", "flag_id": flag, "body": "x"}
    login(client, "stranger")
    token = csrf_token(client, "/instructor/")
    assert client.post(comments_url(fixed, "alice"), data={"csrf_token": token, **data}).status_code == 404
    trainee = app.test_client()
    login(trainee, "alice")
    token = csrf_token(trainee, "/exercises")
    assert trainee.post(comments_url(fixed, "alice"), data={"csrf_token": token, **data}).status_code == 403
    teacher = app.test_client()
    login(teacher, "teacher")
    assert teacher.post(comments_url(fixed, "alice"), data=data).status_code == 400  # no CSRF token
    # Dave's attempt is not submitted: nothing to comment on yet.
    dave = f"/instructor/cohorts/{fixed.cohort_id}/attempts/{fixed.attempts['dave']}/comments"
    assert post(teacher, fixed, dave, data).status_code == 404


def test_only_the_author_edits_or_deletes_a_comment(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    post(client, fixed, comments_url(fixed, "alice"), {"target": "flag", "flag_id": flag, "body": "First"})
    with app.app_context():
        comment_id = db.session().scalar(select(FeedbackComment.id))
    url = f"{comments_url(fixed, 'alice')}/{comment_id}"
    co = app.test_client()
    login(co, "coteacher")
    assert "First" in co.get(drill_down(fixed, "alice")).get_data(as_text=True)
    assert post(co, fixed, url, {"body": "Hijacked"}).status_code == 403
    assert post(co, fixed, url + "/delete", {}).status_code == 403
    assert post(client, fixed, url, {"body": ""}).status_code == 400
    assert post(client, fixed, url, {"body": "Second"}).status_code == 302
    page = client.get(drill_down(fixed, "alice")).get_data(as_text=True)
    assert "Second" in page and "First" not in page
    assert post(client, fixed, url + "/delete", {}).status_code == 302
    assert "Second" not in client.get(drill_down(fixed, "alice")).get_data(as_text=True)
    assert post(client, fixed, url + "/delete", {}).status_code == 404
    with app.app_context():
        events = db.session().execute(select(AuditEvent.action, AuditEvent.actor_username, AuditEvent.detail)).all()
    feedback_events = [
        (action, actor, detail["comment_id"]) for action, actor, detail in events if action.startswith("feedback.")
    ]
    assert feedback_events == [
        ("feedback.comment_added", "teacher", comment_id),
        ("feedback.comment_changed", "teacher", comment_id),
        ("feedback.comment_deleted", "teacher", comment_id),
    ]
    assert all("Second" not in str(detail) for _, _, detail in events)


def points_url(fixed: FixedCohort, name: str, flag: int) -> str:
    return f"/instructor/cohorts/{fixed.cohort_id}/attempts/{fixed.attempts[name]}/flags/{flag}/points"


def test_points_within_the_caps_show_apart_and_survive_a_rescore(
    app: Flask, client: FlaskClient, fixed: FixedCohort
) -> None:
    login(client, "teacher")
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    too_many = post(client, fixed, points_url(fixed, "alice", flag), {"points": "2.5"})
    assert too_many.status_code == 400
    assert "At most 2 points can be added or taken away on one flag" in too_many.get_data(as_text=True)
    assert post(client, fixed, points_url(fixed, "alice", flag), {"points": "a lot"}).status_code == 400
    assert post(client, fixed, points_url(fixed, "alice", flag), {"points": "2"}).status_code == 302
    assert "automatic 55 + instructor +2 = <strong>57</strong>" in client.get(drill_down(fixed, "alice")).get_data(
        as_text=True
    )
    assert '55 <span class="muted small">automatic, instructor +2</span>' in client.get(fixed.url()).get_data(
        as_text=True
    )
    trainee = app.test_client()
    login(trainee, "alice")
    debrief = trainee.get(f"/attempts/{fixed.attempts['alice']}/debrief").get_data(as_text=True)
    assert "automatic 55 + instructor +2 = <strong>57</strong>" in debrief
    assert "instructor +2 points" in debrief

    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, fixed.exercise_id)
        grading.rescore_exercise(session, exercise, note="test")
        session.commit()
    assert "automatic 55 + instructor +2 = <strong>57</strong>" in client.get(drill_down(fixed, "alice")).get_data(
        as_text=True
    )
    # A new key version without "brutal regime" rescores alice lower; her instructor's points stay.
    with app.app_context():
        session = db.session()
        exercise = session.get(Exercise, fixed.exercise_id)
        items = tuple(
            item for item in grading.current_key_version(session, exercise.id).items if item.id != "brutal-regime"
        )
        grading.add_key_version(session, exercise, items, origin="editor", note="test")
        session.commit()
    shown = re.search(
        r"automatic (\d+) \+ instructor \+2 = <strong>(\d+)</strong>",
        client.get(drill_down(fixed, "alice")).get_data(as_text=True),
    )
    assert shown is not None
    assert int(shown[1]) < 55 and int(shown[2]) == int(shown[1]) + 2
    # 0 takes the points back.
    assert post(client, fixed, points_url(fixed, "alice", flag), {"points": "0"}).status_code == 302
    assert f"automatic {shown[1]} + instructor +0 = <strong>{shown[1]}</strong>" in client.get(
        drill_down(fixed, "alice")
    ).get_data(as_text=True)


def test_the_submission_cap_counts_every_flag(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    with app.app_context():
        session = db.session()
        session.get(Exercise, fixed.exercise_id).policy = Policy(instructor_points_per_attempt=3.0)
        session.commit()
    login(client, "teacher")
    first = flag_id(app, fixed.attempts["bob"], "reportedly")
    second = flag_id(app, fixed.attempts["bob"], "four hours")
    assert post(client, fixed, points_url(fixed, "bob", first), {"points": "-2"}, "bob").status_code == 302
    refused = post(client, fixed, points_url(fixed, "bob", second), {"points": "-1.5"}, "bob")
    assert refused.status_code == 400
    assert "At most 3 points can be added or taken away on one submission" in refused.get_data(as_text=True)
    assert post(client, fixed, points_url(fixed, "bob", second), {"points": "-1"}, "bob").status_code == 302
    with app.app_context():
        points = (
            db.session()
            .scalars(
                select(AuditEvent.detail).where(AuditEvent.action == "feedback.points_set").order_by(AuditEvent.id)
            )
            .all()
        )
    assert [(detail["points"], detail["previous"]) for detail in points] == [(-2.0, 0.0), (-1.0, 0.0)]
    # Bob's automatic score is 0: the final score stays within 0–100.
    assert "automatic 0 + instructor -3 = <strong>0</strong>" in client.get(drill_down(fixed, "bob")).get_data(
        as_text=True
    )


def test_exports_carry_instructor_points_and_comments(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    post(client, fixed, points_url(fixed, "alice", flag), {"points": "1.5"})
    post(client, fixed, comments_url(fixed, "alice"), {"target": "flag", "flag_id": flag, "body": "=Well spotted"})
    results = list(
        csv.DictReader(
            io.StringIO(client.get(f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv").get_data(as_text=True))
        )
    )
    alice = next(row for row in results if row["username"] == "alice")
    assert (alice["score"], alice["instructor_points"], alice["final_score"]) == ("55", "1.5", "56")
    erin = next(row for row in results if row["username"] == "erin")
    assert (erin["instructor_points"], erin["final_score"]) == ("", "")
    records = json.loads(client.get(fixed.url("export/flags.json")).get_data(as_text=True))
    record = next(r for r in records if r["username"] == "alice" and r["quote"] == "reportedly")
    assert record["instructor_points"] == 1.5
    assert [(c["on"], c["author"], c["body"]) for c in record["instructor_comments"]] == [
        ("flag", "teacher", "=Well spotted")
    ]
    rows = list(csv.DictReader(io.StringIO(client.get(fixed.url("export/flags.csv")).get_data(as_text=True))))
    row = next(r for r in rows if r["username"] == "alice" and r["quote"] == "reportedly")
    assert (row["instructor_points"], row["instructor_comments"]) == ("1.5", "'=Well spotted")


def test_comments_and_points_go_with_the_attempt(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    post(client, fixed, points_url(fixed, "alice", flag), {"points": "1"})
    post(client, fixed, comments_url(fixed, "alice"), {"target": "flag", "flag_id": flag, "body": "Gone soon"})
    with app.app_context():
        session = db.session()
        session.delete(session.get(Attempt, fixed.attempts["alice"]))
        session.commit()
        assert session.scalar(select(FeedbackComment.id)) is None


def test_a_comment_on_how_the_trainee_would_verify_a_source(
    app: Flask, client: FlaskClient, fixed: FixedCohort
) -> None:
    rate_sources(app, fixed.exercise_id)
    with app.app_context():
        session = db.session()
        session.add(
            SourceRating(
                attempt_id=fixed.attempts["alice"],
                article_ref="mini-a",
                reliability="B",
                credibility="2",
                reason="Check the <wire> archive",
            )
        )
        session.commit()
    login(client, "teacher")
    page = client.get(drill_down(fixed, "alice")).get_data(as_text=True)
    assert "How Alice would verify it: <q>Check the &lt;wire&gt; archive</q>" in page
    answer = post(client, fixed, comments_url(fixed, "alice"), {"target": "rating", "article": "mini-a", "body": "Yes"})
    assert answer.status_code == 302
    assert "#comment-" in answer.headers["Location"]
    trainee = app.test_client()
    login(trainee, "alice")
    debrief = trainee.get(f"/attempts/{fixed.attempts['alice']}/debrief").get_data(as_text=True)
    feedback = debrief[debrief.index("Your instructor’s feedback") :]
    assert "Your rating of" in feedback and "<q>Check the &lt;wire&gt; archive</q>" in feedback
    assert '<p class="feedback-body">Yes</p>' in feedback
    report = trainee.get(f"/api/attempts/{fixed.attempts['alice']}/report").get_json()
    [comment] = report["instructor_comments"]
    assert (comment["on"], comment["article"], comment["body"]) == ("rating", "mini-a", "Yes")
    assert "flag_id" not in comment
    results = client.get(f"/instructor/cohorts/{fixed.cohort_id}/export/results.csv").get_data(as_text=True)
    alice = next(row for row in csv.DictReader(io.StringIO(results)) if row["username"] == "alice")
    assert (alice["mini-a_reason"], alice["mini-a_instructor_comments"]) == ("Check the <wire> archive", "Yes")
    assert (alice["mini-b_reason"], alice["mini-b_instructor_comments"]) == ("", "")
    assert conforms(trainee.get("/api/openapi.json").get_json(), "ScoreReport", report)


def test_the_trainee_api_report_carries_the_feedback(app: Flask, client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    flag = flag_id(app, fixed.attempts["alice"], "reportedly")
    post(client, fixed, points_url(fixed, "alice", flag), {"points": "-1"})
    post(
        client, fixed, comments_url(fixed, "alice"), {"target": "flag", "flag_id": flag, "body": "Say who reported it."}
    )
    trainee = app.test_client()
    login(trainee, "alice")
    report = trainee.get(f"/api/attempts/{fixed.attempts['alice']}/report").get_json()
    assert (report["score_shown"], report["instructor_points"], round(report["final_score"], 2)) == (55, -1.0, 53.55)
    assert report["instructor_points_on_flags"] == {"flag-3": -1.0}
    document = trainee.get("/api/openapi.json").get_json()
    assert conforms(document, "ScoreReport", report)
    [comment] = report["instructor_comments"]
    assert (comment["on"], comment["flag_id"], comment["author"], comment["body"]) == (
        "flag",
        "flag-3",
        "Teacher",
        "Say who reported it.",
    )
    # Reading the report is not reading the debrief: the notice stays.
    assert "1 unread comment" in trainee.get("/exercises").get_data(as_text=True)
