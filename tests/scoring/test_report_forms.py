"""The engine's reports, as objects and in their stored form, equal those main gave at a85b3c9.

`tests/scoring/data/seed_reports.json` holds the SHA-256 of ``json.dumps(report_to_dict(report))``
for each of `SUBMISSIONS` synthetic submissions on the seed exercise (bench/score.py's trainees,
a third of them with UUID flag ids in shuffled order and source ratings), scored by the engine at
a85b3c9, before reports were assembled lazily. The stored form is also held equal to the plain form
of the report's objects, read field by field, whichever is asked for first.
"""

import dataclasses
import hashlib
import json
import random
import uuid
from pathlib import Path

import pytest

from bench.score import seed_submissions
from scoring import PreparedKey, SourceRating, report_from_dict, report_to_dict
from tests.scoring.test_report_dict import _plain

SUBMISSIONS = 300
DIGESTS = Path(__file__).parent / "data" / "seed_reports.json"


def submissions():
    """The prepared seed key and the submissions, each (flags, ratings), the same on every run."""
    package, made, _ = seed_submissions(SUBMISSIONS)
    exercise = {
        "categories": [category.id for category in package.categories],
        "texts": {article.id: article.text for article in package.articles},
        "rating_key": package.rating_key,
    }
    prepared = PreparedKey(package.key, package.policy, **exercise)
    shuffled = random.Random(7)
    result = []
    for number, flags in made:
        ratings = ()
        if number % 3 == 1:
            names = {flag.id: str(uuid.UUID(int=shuffled.getrandbits(128))) for flag in flags}
            flags = [
                dataclasses.replace(flag, id=names[flag.id], links=tuple(names.get(l, l) for l in flag.links))
                for flag in flags
            ]
            shuffled.shuffle(flags)
            ratings = tuple(
                SourceRating(article.id, shuffled.choice("ABCDEF"), shuffled.choice("123456"), "a reason")
                for article in package.articles
                if shuffled.random() < 0.7
            )
        result.append((flags, ratings))
    return prepared, result


def stored_text(report):
    return json.dumps(report_to_dict(report))


@pytest.fixture(scope="module")
def scored():
    return submissions()


def test_stored_forms_equal_mains(scored):
    prepared, made = scored
    expected = json.loads(DIGESTS.read_text())
    digests = [
        hashlib.sha256(stored_text(prepared.score(flags, ratings)).encode()).hexdigest() for flags, ratings in made
    ]
    assert len(digests) == len(expected) == SUBMISSIONS
    assert [n for n, (got, want) in enumerate(zip(digests, expected)) if got != want] == []


def test_the_stored_form_is_the_plain_form_of_the_objects_read_first_or_last(scored):
    prepared, made = scored
    for flags, ratings in made[:60]:
        stored_first = prepared.score(flags, ratings)
        data = report_to_dict(stored_first)
        assert data == {**_plain(stored_first), "format": 2}
        assert json.dumps(data) == json.dumps(report_to_dict(stored_first))
        read_first = prepared.score(flags, ratings)
        plain = {**_plain(read_first), "format": 2}
        assert json.dumps(report_to_dict(read_first)) == json.dumps(plain) == json.dumps(data)
        assert read_first == stored_first == report_from_dict(data)
        assert hash(read_first) == hash(report_from_dict(data))


def test_the_stored_form_is_fresh_each_time(scored):
    prepared, made = scored
    flags, ratings = made[0]
    report = prepared.score(flags, ratings)
    first = report_to_dict(report)
    first["items"][0]["flag_ids"].append("changed")
    first["items"][0]["reason"] = "changed"
    first["flags"][0]["reason"] = "changed"
    again = report_to_dict(report)
    assert again == report_to_dict(prepared.score(flags, ratings))
    assert again["items"][0]["reason"] != "changed" and "changed" not in again["items"][0]["flag_ids"]
    assert again["flags"][0]["reason"] != "changed"


def test_a_report_the_engine_made_behaves_as_one_built_field_by_field(scored):
    import pickle

    prepared, made = scored
    flags, ratings = made[1]
    report = prepared.score(flags, ratings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.items = ()  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(report)) == report
    assert dataclasses.replace(prepared.score(flags, ratings), score=0.0).flags == report.flags
    assert type(report.items) is tuple and report.items is report.items
    assert repr(prepared.score(flags, ratings)) == repr(report)
