"""seed-demo: simulated trainees, scored through the real scoring path, seen by their instructor."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from app import db
from app.models import Attempt, Cohort, Flag, Score, User, cohort_trainees, flag_links
from app.trainee.flags import MAX_FLAGS
from instructor.demo import seed_demo
from tests.conftest import Factory, login
from tests.many_articles import many_articles_package


def test_seed_demo_command(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["seed-demo", "--cohort", "Demo", "--trainees", "40", "--seed", "7", "--exercise", "deir-ez-zor-2018"]
    )
    assert result.exit_code == 0, result.output
    username, password = re.search(r"Log in as (\S+) with password: (\S+)", result.output).groups()
    with app.app_context():
        session = db.session()
        cohort = session.scalar(select(Cohort).where(Cohort.name == "Demo"))
        assert cohort.is_demo and [person.username for person in cohort.instructors] == [username]
        trainees = session.scalars(
            select(User)
            .join(cohort_trainees, cohort_trainees.c.user_id == User.id)
            .where(cohort_trainees.c.cohort_id == cohort.id)
        ).all()
        assert len(trainees) == 40 and all(trainee.is_demo for trainee in trainees)
        assert len({trainee.password_hash for trainee in trainees}) == 1  # hashed once, for nobody's password
        submitted = session.scalar(select(func.count()).select_from(Attempt).where(Attempt.submitted_at.is_not(None)))
        assert session.scalar(select(func.count()).select_from(Score).where(Score.is_current.is_(True))) == submitted
        assert "submitted and scored" in result.output
        assert session.scalar(select(func.count()).select_from(flag_links)) > 0
        assert all(
            flag.quote
            == flag.attempt.exercise.articles[
                0 if flag.article_ref == flag.attempt.exercise.articles[0].ref else 1
            ].text[flag.start : flag.end]
            for flag in session.scalars(select(Flag).limit(200))
        )
    client = app.test_client()
    login(client, username, password)
    dashboard = re.search(r"Dashboard: (\S+)", result.output).group(1)
    page = client.get(dashboard)
    assert page.status_code == 200
    assert "Trainees 40" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))


def test_demo_flags_vary_with_skill_and_are_scored_like_real_ones(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        made = seed_demo(session, cohort_name="Spread", trainees=120, unfinished=0.0, seed=11)
        assert made.submitted == 120
        scores = session.scalars(select(Score.score).where(Score.is_current.is_(True))).all()
        assert len(scores) == 120
        assert max(scores) - min(scores) > 30  # skills differ, so do scores
        reports = session.scalars(select(Score.report).limit(120)).all()
        outcomes = {flag["outcome"] for report in reports for flag in report["flags"]}
        statuses = {item["status"] for report in reports for item in report["items"]}
        assert {"matched", "decoy", "not_in_key"} <= outcomes
        assert {"found", "partial", "wrong_category", "missed", "decoy_flagged"} <= statuses


def test_demo_trainees_on_a_large_exercise_stop_at_the_flag_limit(app: Flask, factory: Factory, tmp_path: Path) -> None:
    # 100 copies of the mini exercise: 800 key items, more than a good trainee's attempt may hold.
    exercise = factory.exercise(package=many_articles_package(tmp_path, 100))
    with app.app_context():
        session = db.session()
        made = seed_demo(session, cohort_name="Large", trainees=6, exercise_slug=exercise.slug, unfinished=0.0, seed=3)
        assert (made.exercise_id, made.submitted) == (exercise.id, 6)
        flags = session.scalars(
            select(func.count())
            .select_from(Flag)
            .join(Attempt)
            .group_by(Attempt.id)
            .where(Attempt.exercise_id == exercise.id)
        ).all()
        assert len(flags) == 6 and max(flags) == MAX_FLAGS
