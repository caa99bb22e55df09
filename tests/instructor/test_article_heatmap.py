"""One article's heatmap on its own route, and the dashboard of a large exercise, which shows a
line per article and loads its heatmap when opened instead of every heatmap in the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import db, grading
from app.cohort_figures.heatmap import (
    INLINE_HEATMAP_CHARACTERS,
    coverage,
    heatmaps_inline,
    read_spans,
    span_counts,
)
from app.cohort_figures.scope import scope_for
from app.models import Cohort, Exercise
from exercises import PACKAGES_DIR
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import LARGE_ARTICLES, FixedCohort, build_fixed_cohort, build_large_cohort

HEATMAP = re.compile(r'<div class="heatmap" data-article="([^"]+)"')
ARTICLE_LINE = re.compile(r'<details class="heatmap-article"[^>]*>\s*<summary>(.*?)</summary>', re.DOTALL)


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return build_fixed_cohort(factory)


@pytest.fixture
def large(factory: Factory, tmp_path: Path) -> FixedCohort:
    return build_large_cohort(factory, tmp_path)


def refs_of(app: Flask, exercise_id: int) -> list[str]:
    with app.app_context():
        return [article.ref for article in db.session().get(Exercise, exercise_id).articles]


def test_the_heatmap_page_of_one_article(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    response = client.get(fixed.url("heatmaps/mini-b"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert HEATMAP.findall(page) == ["mini-b"]
    # "brutal regime": alice and carol of the 3 submissions, a key item; the hot-spot panel beside it.
    assert '<span class="heat-6 key-item key-start key-end" data-at="4" tabindex="0" role="button"' in page
    assert "2 flags: “brutal regime” in “THE brutal regime sent 550 men" in page
    assert "one eighth of the 3 submissions" in page
    assert 'id="hotspot"' in page and "/dashboard/flags" in page
    assert f'href="{fixed.url()}#heat-heading"' in page
    assert '<script defer src="/static/js/dashboard.js"></script>' in page


def test_the_fragment_is_the_heatmap_the_dashboard_shows_inline(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    dashboard = client.get(fixed.url()).get_data(as_text=True)
    for ref in ("mini-a", "mini-b"):
        fragment = client.get(fixed.url(f"heatmaps/{ref}?fragment=1")).get_data(as_text=True)
        assert fragment.startswith(f'<div class="heatmap" data-article="{ref}"') and fragment.endswith("</div>")
        assert "<html" not in fragment
        assert fragment in dashboard


@pytest.mark.parametrize(
    ("who", "status"),
    [("stranger", 404), ("alice", 403), (None, 302)],
    ids=["another cohort's instructor", "a trainee", "anonymous"],
)
def test_others_are_kept_out_as_from_the_dashboard(
    client: FlaskClient, fixed: FixedCohort, who: str | None, status: int
) -> None:
    if who is not None:
        login(client, who)
    for suffix in ("dashboard", "heatmaps/mini-a", "heatmaps/mini-a?fragment=1"):
        response = client.get(fixed.url(suffix))
        assert response.status_code == status, suffix
        assert "brutal regime" not in response.get_data(as_text=True)
        if status == 302:
            assert response.headers["Location"].startswith("/login"), suffix


def test_an_unknown_article_is_404_with_a_message(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    response = client.get(fixed.url("heatmaps/mini-z"))
    assert response.status_code == 404
    assert "This exercise has no such article." in response.get_data(as_text=True)
    other_exercise = f"/instructor/cohorts/{fixed.cohort_id}/exercises/999/heatmaps/mini-a"
    assert client.get(other_exercise).status_code == 404


def test_a_large_exercises_dashboard_links_to_each_heatmap_instead_of_showing_them(
    app: Flask, client: FlaskClient, large: FixedCohort
) -> None:
    login(client, "teacher")
    page = client.get(large.url()).get_data(as_text=True)
    refs = refs_of(app, large.exercise_id)
    assert len(refs) == LARGE_ARTICLES
    assert HEATMAP.findall(page) == []
    assert "data-at=" not in page
    for ref in refs:
        link = large.url(f"heatmaps/{ref}")
        assert f'<details class="heatmap-article" data-fragment="{link}?fragment=1">' in page
        assert f'<a href="{link}">The heatmap of ' in page
    summaries = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", summary)).strip() for summary in ARTICLE_LINE.findall(page)]
    # Two flags on the first article overlap on two words; one on the last; none between.
    assert summaries == [
        "Synthetic article 0 2 flags; at most 2 on one spot",
        "Synthetic article 1 0 flags",
        "Synthetic article 2 0 flags",
        "Synthetic article 3 0 flags",
        "Synthetic article 4 1 flag; at most 1 on one spot",
    ]
    first = client.get(large.url(f"heatmaps/{refs[0]}"))
    assert first.status_code == 200
    assert HEATMAP.findall(first.get_data(as_text=True)) == [refs[0]]
    assert "2 flags: “" in first.get_data(as_text=True)


def test_the_seed_and_mini_exercises_show_their_heatmaps_inline_and_the_large_one_does_not(
    app: Flask, factory: Factory, large: FixedCohort
) -> None:
    seed, mini = factory.exercise(package=PACKAGES_DIR / "deir-ez-zor-2018"), factory.exercise()
    with app.app_context():
        session = db.session()
        sizes = {
            exercise.slug: sum(len(article.text) for article in exercise.articles)
            for exercise in (session.get(Exercise, id_) for id_ in (seed.id, mini.id, large.exercise_id))
        }
        assert sizes["deir-ez-zor-2018"] <= INLINE_HEATMAP_CHARACTERS < sizes["large-exercise"]
        inline = {exercise.slug: heatmaps_inline(exercise) for exercise in session.scalars(select(Exercise))}
    assert inline == {"deir-ez-zor-2018": True, "mini-exercise": True, "large-exercise": False}


def test_an_articles_line_has_the_flags_and_peak_of_its_heatmap(app: Flask, large: FixedCohort) -> None:
    with app.app_context():
        session = db.session()
        scope = scope_for(session, session.get(Cohort, large.cohort_id), large.exercise_id)
        spans = span_counts(session, scope)
        heats = coverage(
            scope.exercise.articles, spans, grading.current_key_version(session, large.exercise_id).items, 2
        )
        every, sums = read_spans(session, scope)
        assert every == spans
        lines = sums.glances(scope.exercise.articles)
        assert [(line.ref, line.peak) for line in lines] == [(heat.ref, heat.peak) for heat in heats]
        assert [line.flags for line in lines] == [2, 0, 0, 0, 1]
        assert [line.peak for line in lines] == [2, 0, 0, 0, 1]
        one = span_counts(session, scope, article_ref=lines[0].ref)
        assert sorted(one) == sorted(span for span in spans if span.article == lines[0].ref) and len(one) == 2
        kept, kept_sums = read_spans(session, scope, leave_out=lambda article, _start, _end: article != lines[0].ref)
        assert kept == [span for span in spans if span.article == lines[0].ref]
        assert kept_sums == sums, "the sums count every span, those left out too"
