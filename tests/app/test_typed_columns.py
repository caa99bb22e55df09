"""Key items, source ratings and the policy are typed in Python and stored as the JSON they always were.

The app used to store ``KeyItem.to_record()`` and ``RatingKey.to_record()`` lists and the policy's
``dataclasses.asdict`` (with the key editor's dismissed suggestions beside its fields): the typed
columns must write exactly that, and read what older versions wrote without changing it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from app import db
from app.backup import export_all
from app.column_types import StoredPolicy, StoredPolicyJSON
from app.grading import current_key_version
from app.models import Exercise, KeyVersion
from exercises.loader import load_package
from instructor.authoring import dismissals
from scoring.types import CREDIBILITY, RELIABILITY, Agreement, KeyItem, Policy, RatingKey
from tests.conftest import MINI_PACKAGE, Factory

DIALECT = sqlite.dialect()

words = st.text(max_size=12)
offsets = st.integers(min_value=0, max_value=10_000)
points = st.one_of(st.integers(min_value=0, max_value=20), st.floats(allow_nan=False, allow_infinity=False))


@st.composite
def key_items(draw: st.DrawFn) -> KeyItem:
    start = draw(offsets)
    end = draw(st.integers(min_value=start, max_value=start + 500))
    core = draw(st.one_of(st.none(), st.tuples(st.integers(start, end), st.integers(start, end)).map(sorted)))
    return KeyItem(
        id=draw(words),
        article=draw(words),
        start=start,
        end=end,
        quote=draw(st.text(max_size=40)),
        category=draw(words),
        points=draw(points),
        also=tuple(draw(st.lists(words, max_size=3))),
        group=draw(st.one_of(st.none(), words)),
        decoy=draw(st.booleans()),
        explanation=draw(st.text(max_size=40)),
        core_start=None if core is None else core[0],
        core_end=None if core is None else core[1],
        agrees_with=tuple(draw(st.lists(st.builds(Agreement, words, words), max_size=2))),
    )


rating_keys = st.builds(
    RatingKey,
    article=words,
    reliability=st.sampled_from(RELIABILITY),
    credibility=st.sampled_from(CREDIBILITY),
    accept_reliability=st.lists(st.sampled_from(RELIABILITY), unique=True).map(tuple),
    accept_credibility=st.lists(st.sampled_from(CREDIBILITY), unique=True).map(tuple),
    reasoning=st.text(max_size=40),
)


def as_stored(record: Any) -> Any:
    """A record as the JSON column gives it back."""
    return json.loads(json.dumps(record))


@given(key_items())
def test_a_key_item_s_record_round_trips_exactly(item: KeyItem) -> None:
    record = as_stored(item.to_record())
    again = KeyItem.from_record(record).to_record()
    assert again == record and json.dumps(again) == json.dumps(record)


@given(st.lists(key_items().filter(lambda item: item.core_start is not None), max_size=4))
def test_the_key_column_writes_back_what_it_read(items: list[KeyItem]) -> None:
    column = KeyVersion.__table__.c["items"].type
    stored = as_stored([item.to_record() for item in items])
    loaded = column.process_result_value(stored, DIALECT)
    assert loaded == tuple(items)
    assert json.dumps(column.process_bind_param(loaded, DIALECT)) == json.dumps(stored)


@given(st.lists(rating_keys, max_size=3))
def test_the_ratings_column_writes_back_what_it_read(ratings: list[RatingKey]) -> None:
    column = KeyVersion.__table__.c.ratings.type
    stored = as_stored([rating.to_record() for rating in ratings])
    loaded = column.process_result_value(stored, DIALECT)
    assert loaded == tuple(ratings)
    assert json.dumps(column.process_bind_param(loaded, DIALECT)) == json.dumps(stored)


def _raw(app: Flask, sql: str) -> Any:
    """A column as the database holds it, decoded from JSON."""
    with app.app_context():
        value = db.session().execute(text(sql)).scalar_one()
    return json.loads(value) if isinstance(value, str) else value


def test_an_imported_package_is_stored_as_its_records(app: Flask, factory: Factory, tmp_path: Path) -> None:
    exercise = factory.exercise()
    package = load_package(MINI_PACKAGE)
    items = _raw(app, "SELECT items FROM key_versions")
    assert items == [item.to_record() for item in package.key]
    assert _raw(app, "SELECT ratings FROM key_versions") == [rating.to_record() for rating in package.rating_key]
    assert _raw(app, "SELECT policy FROM exercises") == dataclasses.asdict(package.policy)
    with app.app_context():
        stored = db.session().get(Exercise, exercise.id)
        assert current_key_version(db.session(), exercise.id).items == package.key
        assert (stored.policy, stored.dismissed_suggestions) == (package.policy, ())
        backup = tmp_path / "backup.json"
        export_all(db.get_engine(app), backup)
    tables = json.loads(backup.read_text(encoding="utf-8"))["tables"]
    row = dict(zip(tables["key_versions"]["columns"], tables["key_versions"]["rows"][0], strict=True))
    assert row["items"] == items


LEGACY_ITEM = {
    "id": "force",
    "article": "mini-a",
    "start": 10,
    "end": 30,
    "quote": "some 500 fighters in",
    "category": "conflicting_number",
    "also": [],
    "points": 1,
    "group": "force",
    "decoy": False,
    "explanation": "",
}
"""A key item as stored before cores and agreeing figures existed."""

LEGACY_POLICY = '{"decoy_penalty": 0.75, "retired_setting": 3, "dismissed_suggestions": ["mini-a:1:5:unverified"]}'


def test_json_stored_by_older_versions_loads_and_is_left_as_it_was(
    app: Flask, factory: Factory, tmp_path: Path
) -> None:
    exercise = factory.exercise()
    items = json.dumps([LEGACY_ITEM])
    with app.app_context():
        session = db.session()
        session.execute(text("UPDATE key_versions SET items = :items"), {"items": items})
        session.execute(text("UPDATE exercises SET policy = :policy"), {"policy": LEGACY_POLICY})
        session.commit()
    with app.app_context():
        session = db.session()
        stored = session.get(Exercise, exercise.id)
        (item,) = current_key_version(session, exercise.id).items
        # The derived core of a figure: its number and unit.
        assert item.core_quote == "500 fighters" and item.points == 1 and item.agrees_with == ()
        assert stored.policy == Policy(decoy_penalty=0.75)
        assert stored.dismissed_suggestions == ("mini-a:1:5:unverified",)
        stored.title = "Renamed"
        session.commit()
        assert session.execute(text("SELECT items FROM key_versions")).scalar_one() == items
        assert session.execute(text("SELECT policy FROM exercises")).scalar_one() == LEGACY_POLICY
        backup = tmp_path / "backup.json"
        export_all(db.get_engine(app), backup)
    tables = json.loads(backup.read_text(encoding="utf-8"))["tables"]
    row = dict(zip(tables["key_versions"]["columns"], tables["key_versions"]["rows"][0], strict=True))
    assert row["items"] == [LEGACY_ITEM]


def test_dismissed_suggestions_sit_beside_the_policy_s_fields(app: Flask, factory: Factory) -> None:
    exercise = factory.exercise()
    with app.app_context():
        session = db.session()
        dismissals.set_dismissed(session.get(Exercise, exercise.id), ["mini-b:4:9:unverified", "mini-a:1:5:x"], True)
        session.commit()
        assert session.scalar(select(Exercise.stored_policy)) == StoredPolicy(
            Policy(), ("mini-a:1:5:x", "mini-b:4:9:unverified")
        )
    assert _raw(app, "SELECT policy FROM exercises") == {
        **dataclasses.asdict(Policy()),
        "dismissed_suggestions": ["mini-a:1:5:x", "mini-b:4:9:unverified"],
    }
    assert StoredPolicyJSON().process_bind_param(StoredPolicy(), DIALECT) == (dataclasses.asdict(Policy()))
