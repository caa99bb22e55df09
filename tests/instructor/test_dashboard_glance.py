"""The dashboard's first screen, near misses and their key change, the flag outcomes in the
exports, one rounding rule for page and CSV, the accessible heatmap and compressed responses."""

from __future__ import annotations

import csv
import gzip
import io
import re
import statistics

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import db, grading
from app.cohort_figures.sentences import chosen_span, sentence_of, word_span
from app.formatting import whole_score
from app.models import Exercise, Score
from instructor.dashboard import key_gaps
from scoring.types import KeyItem
from tests.conftest import Factory, login
from tests.instructor.dashboard_cohort import FixedCohort, add_near_misses, build_fixed_cohort

RESULTS = "/instructor/cohorts/{}/export/results.csv"


@pytest.fixture
def fixed(factory: Factory) -> FixedCohort:
    return add_near_misses(factory, build_fixed_cohort(factory))


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_sentence_and_word_helpers() -> None:
    text = "One. The brutal regime sent 550 men! Next one."
    start = text.index("550")
    sentence = sentence_of(text, start, start + 3)
    assert (sentence.before, sentence.span, sentence.after) == ("The brutal regime sent ", "550", " men!")
    assert word_span("heavy shelling", 2, 8) == (0, 14)
    # Half the flags on one span: that span; scattered words: the median boundaries.
    assert chosen_span({(0, 5): 2, (6, 9): 1}) == (0, 5)
    assert chosen_span({(0, 5): 1, (6, 9): 1, (10, 14): 1}) == (6, 9)


def test_first_screen_names_misses_false_positives_and_who_needs_attention(
    client: FlaskClient, fixed: FixedCohort
) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    glance = _text(page[page.index('id="glance-heading"') : page.index('id="overview-heading"')])
    assert "Submitted 5 of 7 In progress 1 Not started 1" in glance
    missed = re.findall(r'<a href="#item-([\w-]+)">', page[page.index('id="glance-missed"') :])[:3]
    # Nobody found the force figure of article B's partner "four hours" etc.: the three most missed.
    assert len(missed) == 3 and all(
        item in {"duration-four", "duration-three", "force-500", "force-550", "pro-democracy", "reportedly"}
        for item in missed
    )
    assert "<mark>" in page[page.index('id="glance-missed"') :]
    false_positives = _text(page[page.index('id="glance-false-positives"') : page.index('id="attention"')])
    assert "1 of 5 flagged 40 Americans (a decoy) None of the 40 Americans were harmed." in false_positives
    assert "heavy shelling" in false_positives
    attention = _text(page[page.index('id="attention"') : page.index('id="overview-heading"')])
    assert "Not started (1): Erin" in attention
    assert "Score below 40" in attention and "Bob (0)" in attention


def test_item_table_shows_the_hardest_ten_until_show_all(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    assert 'id="show-all-items"' not in page  # seven items: all fit in ten
    assert len(re.findall(r'<tr id="item-', page)) == 7


def test_near_miss_is_shown_and_accepting_it_widens_the_item(
    client: FlaskClient, fixed: FixedCohort, app: Flask
) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    near = page[page.index('id="near-misses"') : page.index('id="key-gaps"')]
    assert 'data-item="duration-three"' in near
    assert "<mark>battle</mark>" in near
    with app.app_context():
        session = db.session()
        before = session.scalar(
            select(Score).where(Score.attempt_id == fixed.attempts["fay"], Score.is_current.is_(True))
        ).score
        text = session.get(Exercise, fixed.exercise_id).articles[1].text
    assert before == 0
    start = text.index("battle")
    response = client.post(
        fixed.url("key/extent"),
        data={
            "csrf_token": _csrf(page),
            "item_id": "duration-three",
            "start": start,
            "end": start + 6,
            "note": "many chose the noun",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#near-misses")
    with app.app_context():
        session = db.session()
        version = grading.current_key_version(session, fixed.exercise_id)
        item = next(i for i in version.items if i.id == "duration-three")
        # "battle" lay inside the extent but outside the core ("three"): the core now runs from
        # "three" to "battle", so flags on either still match.
        assert text[slice(*item.core)] == "three–hour battle"
        assert "many chose the noun" in version.note and version.origin == "dashboard"
        after = session.scalar(
            select(Score).where(Score.attempt_id == fixed.attempts["fay"], Score.is_current.is_(True))
        )
        assert after.score > 0 and after.key_version_id == version.id
        alice = session.scalar(
            select(Score).where(Score.attempt_id == fixed.attempts["alice"], Score.is_current.is_(True))
        )
        assert alice.key_version_id == version.id
    # The same span again is no change: a 400 with the reason, the key untouched.
    again = client.post(
        fixed.url("key/extent"),
        data={"csrf_token": _csrf(page), "item_id": "duration-three", "start": start, "end": start + 6},
    )
    assert again.status_code == 400 and "already accepts" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item_id": "nope", "start": 0, "end": 3}, "no item &#39;nope&#39;"),
        ({"item_id": "americans-40", "start": 110, "end": 122}, "is a decoy"),
        ({"item_id": "duration-three", "start": 0, "end": 3}, "does not touch"),
        ({"item_id": "duration-three", "start": 5, "end": 99999}, "is not in article"),
        ({"item_id": "duration-three", "start": "x", "end": 3}, "Not a valid integer value"),
        ({"start": 1, "end": 3}, "The key item is missing."),
    ],
)
def test_accept_extent_rejects_bad_input(client: FlaskClient, fixed: FixedCohort, data: dict, message: str) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    response = client.post(fixed.url("key/extent"), data={"csrf_token": _csrf(page), **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_accept_extent_needs_csrf_and_the_cohorts_instructor(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    assert (
        client.post(fixed.url("key/extent"), data={"item_id": "duration-three", "start": 60, "end": 66}).status_code
        == 400
    )
    client.get("/logout")
    login(client, "stranger")
    page = client.get("/instructor/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    data = {"item_id": "duration-three", "start": 60, "end": 66, **({"csrf_token": token.group(1)} if token else {})}
    assert client.post(fixed.url("key/extent"), data=data).status_code == 404


def test_widened_extent_rule() -> None:
    item = KeyItem("i", "a", 10, 30, "x" * 20, "unverified", core_start=20, core_end=25)
    assert key_gaps.widened_extent(item, 22, 40) == (10, 40, 20, 25)  # touches the core: core kept
    assert key_gaps.widened_extent(item, 10, 15) == (10, 30, 10, 25)  # beside the core: core covers both
    assert key_gaps.widened_extent(item, 5, 12) == (5, 30, 5, 25)


def test_flags_csv_says_what_became_of_each_flag(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    with client.get(fixed.url("export/flags.csv")) as response:
        body = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    outcome = {(row["username"], row["quote"]): (row["outcome"], row["matched_item"], row["points"]) for row in rows}
    assert outcome[("alice", "reportedly")] == ("found", "reportedly", "1.0")
    assert outcome[("carol", "pro-democracy rebels")] == ("partial", "pro-democracy rebels", "1.0")
    assert outcome[("bob", "reportedly")][0] == "wrong category"
    assert outcome[("bob", "four hours")] == ("lone figure", "four hours", "0.5")
    assert outcome[("bob", "40 Americans")] == ("decoy", "40 Americans", "-1.0")
    assert outcome[("carol", "heavy shelling")] == ("false positive", "", "-0.5")
    assert outcome[("fay", "battle")][0] == "near miss" and outcome[("fay", "battle")][1] == "three–hour battle"
    assert not body.startswith("\ufeff")
    with client.get(fixed.url("export/flags.csv?excel=1")) as response:
        excel = response.get_data()
        assert "excel" in response.headers["Content-Disposition"]
    assert excel.startswith("\ufeff".encode()) and "three–hour battle".encode() in excel


def test_results_csv_and_dashboard_agree_on_every_number(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    with client.get(RESULTS.format(fixed.cohort_id)) as response:
        rows = {row["username"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    table = page[page.index('id="trainees"') :]
    exact = []
    for username, row in rows.items():
        cells = re.search(rf'<tr data-user="{username}">(.*?)</tr>', table, re.DOTALL).group(1)
        shown = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', cells, re.DOTALL)
        ]
        if row["status"] != "submitted":
            assert row["score"] == "" and shown[0] == ""
            continue
        exact.append(float(row["score_exact"]))
        assert row["score"] == str(whole_score(float(row["score_exact"]))) == shown[0], username
        assert shown[1] == f"{whole_score(float(row['precision']) * 100)}%", username
        assert shown[2] == f"{whole_score(float(row['recall']) * 100)}%", username
    median = re.search(r'id="glance-median">([^<]*)<', page).group(1)
    assert median == str(whole_score(statistics.median(exact)))


def test_heatmap_is_one_tab_stop_per_article_with_names(client: FlaskClient, fixed: FixedCohort) -> None:
    login(client, "teacher")
    page = client.get(fixed.url()).get_data(as_text=True)
    heat = page[page.index('class="heat-articles"') : page.index('id="hotspot"')]
    assert heat.count('tabindex="0"') == 2  # one per article
    assert heat.count('tabindex="-1"') > 2
    labels = re.findall(r'role="button" aria-label="([^"]+)"', heat)
    assert labels and all(re.match(r"\d+ flags?: “", label) for label in labels)
    assert any("in “" in label for label in labels)
    assert re.search(r'<script defer src="[^"]*chart\.umd\.js"', page)


def test_static_files_are_compressed_and_pages_are_not(client: FlaskClient, fixed: FixedCohort) -> None:
    for path in ("/static/dashboard.css", "/static/js/dashboard.js", "/static/vendor/chart.umd.js"):
        with client.get(path, headers={"Accept-Encoding": "gzip"}) as static:
            assert static.headers.get("Content-Encoding") == "gzip", path
            assert "Accept-Encoding" in static.headers["Vary"]
            assert len(gzip.decompress(static.get_data())) > len(static.get_data())
    # a page carries the CSRF token beside text others wrote: compressing it would open BREACH
    login(client, "teacher")
    response = client.get(fixed.url(), headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert b"At a glance" in response.get_data()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    with client.get(RESULTS.format(fixed.cohort_id), headers={"Accept-Encoding": "gzip"}) as download:
        assert "Content-Encoding" not in download.headers
