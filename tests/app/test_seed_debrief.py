"""The walkthrough's lesson-breaking bug (B1), replayed on the shipped exercise: a trainee who
selects exactly the words that carry the problem finds the item, and the debrief says so."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from exercises.loader import load_package
from tests.conftest import Factory, login

SEED = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"


def test_selecting_the_figure_or_the_word_finds_the_item(app: Flask, client: FlaskClient, factory: Factory) -> None:
    cohort = factory.cohort()
    exercise = factory.exercise(assign_to=cohort, package=SEED)
    trainee = factory.user("tess", cohort=cohort)
    attempt, _ = factory.attempt(
        trainee,
        exercise,
        flags=[
            ("khasham-nyt-repost", "200 to 300", "conflicting_number"),
            ("khasham-unsigned-report", "some 300 Russian", "conflicting_number"),
            ("khasham-unsigned-report", "three-hour", "conflicting_number"),
            ("khasham-unsigned-report", "massacre", "loaded_framing"),
        ],
        submit=True,
    )
    login(client, "tess")
    page = client.get(f"/attempts/{attempt.id}/debrief")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)))
    key = {item.id: item for item in load_package(SEED).key}
    # each item is named by its phrase in the debrief; the figures conflict with each other
    for item_id in ("a-killed-200-300", "b-300-killed", "b-massacre"):
        item = key[item_id]
        name = "Loaded framing" if item.category == "loaded_framing" else "Conflicting number"
        assert f"Found, {name}: {item.quote[:15]}" in text, item_id  # other marks may cut the phrase
    # "three-hour" was found, but the figure it conflicts with ("nearly four-hour") was not
    assert f"Lone figure, Conflicting number: {key['b-three-hour'].quote}" in text
    assert "nearly four-hour" in text and "False positives 0" in text
    assert "a-killed-200-300" not in text and "b-massacre" not in text  # no internal ids
