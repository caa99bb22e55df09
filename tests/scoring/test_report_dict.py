import json

import pytest

from scoring import ItemStatus, Policy, report_from_dict, report_to_dict, score
from scoring.types import Flag, KeyItem, RatingKey, SourceRating

KEY = (
    KeyItem("k1", "a", 0, 10, "q", "unverified", explanation="why"),
    KeyItem("n1", "a", 20, 25, "q", "conflicting_number", group="g"),
    KeyItem("n2", "b", 20, 25, "q", "conflicting_number", group="g"),
    KeyItem("d", "b", 40, 50, "q", "unverified", decoy=True),
)
FLAGS = (
    Flag("f1", "a", 0, 12, "loaded_framing"),
    Flag("f2", "a", 20, 25, "conflicting_number", links=("f3", "nope")),
    Flag("f3", "b", 20, 25, "conflicting_number"),
    Flag("f4", "b", 40, 50, "unverified"),
)


RATING_KEY = (RatingKey("a", "C", "2", ("B", "C"), ("2", "3"), "A repost of a known outlet."),)


def test_a_report_survives_json_unchanged():
    report = score(
        KEY, FLAGS, Policy(link_bonus=0.25), rating_key=RATING_KEY, ratings=[SourceRating("a", "B", "5", "copied")]
    )
    data = report_to_dict(report)
    text = json.dumps(data)
    assert report_from_dict(json.loads(text)) == report
    assert data["format"] == 2
    assert data["ratings"][0]["reliability_accepted"] is True
    assert data["items"][0]["status"] == "wrong_category"
    assert data["links"][0]["flag_ids"] == ["f2", "f3"]
    assert data["policy"]["link_bonus"] == 0.25


def test_measures_stored_beside_the_report_are_passed_over():
    report = score(KEY, FLAGS)
    data = {**report_to_dict(report), "discernment": {"d_prime": 0.5}, "calibration": {"brier": None}}
    assert report_from_dict(data) == report
    with pytest.raises(ValueError, match="unknown field 'extra'"):
        report_from_dict({**report_to_dict(report), "extra": 1})


def test_enums_come_back_as_enums():
    report = report_from_dict(report_to_dict(score(KEY, FLAGS)))
    assert report.items[0].status is ItemStatus.WRONG_CATEGORY


def _data():
    return report_to_dict(score(KEY, FLAGS))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format=99), "report format 99 is not 2"),
        (lambda d: d.pop("score"), "report: missing field 'score'"),
        (lambda d: d.update(extra=1), "report: unknown field 'extra'"),
        (lambda d: d["items"][0].update(status="great"), "report.items[0].status: 'great' is not a ItemStatus"),
        (lambda d: d["totals"].update(found="3"), "report.totals.found: expected int, got '3'"),
        (lambda d: d.update(score="high"), "report.score: expected a number, got 'high'"),
        (lambda d: d.update(items={}), "report.items: expected a list, got {}"),
        (lambda d: d["links"][0].update(flag_ids=["a"]), "report.links[0].flag_ids: expected 2 values"),
        (lambda d: d.update(spans=[]), "report.spans: expected an object, got []"),
    ],
)
def test_a_damaged_dict_is_rejected_naming_the_place(change, message):
    data = _data()
    change(data)
    with pytest.raises(ValueError) as error:
        report_from_dict(data)
    assert message in str(error.value)


def test_results_are_immutable_and_built_by_keyword_too():
    import dataclasses

    from scoring import LinkResult, LinkStatus

    link = LinkResult(flag_ids=("a", "b"), status=LinkStatus.CORRECT, group="g", bonus=0.5, reason="r")
    assert link == LinkResult(("a", "b"), LinkStatus.CORRECT, "g", 0.5, "r")
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.bonus = 1.0  # type: ignore[misc]


def test_a_builder_makes_the_same_immutable_result():
    import dataclasses

    from scoring import LinkResult, LinkStatus
    from scoring.report import builder

    build = builder(LinkResult)
    link = build(("a", "b"), LinkStatus.CORRECT, "g", 0.5, "r")
    assert type(link) is LinkResult
    assert link == LinkResult(("a", "b"), LinkStatus.CORRECT, "g", 0.5, "r")
    assert link == build(flag_ids=("a", "b"), status=LinkStatus.CORRECT, group="g", bonus=0.5, reason="r")
    assert hash(link) == hash(LinkResult(("a", "b"), LinkStatus.CORRECT, "g", 0.5, "r"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.bonus = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        build(("a", "b"), LinkStatus.CORRECT)


def _plain(value):
    """The plain form by the letter: dataclasses to dicts, tuples to lists, enum members to values."""
    import dataclasses
    import enum

    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    return value


def test_report_to_dict_gives_the_plain_form_of_every_field_in_order():
    report = score(KEY, FLAGS, Policy(link_bonus=0.25))
    data = report_to_dict(report)
    expected = {**_plain(report), "format": 2}
    assert data == expected
    assert json.dumps(data) == json.dumps(expected)  # the same keys in the same order, all through
    assert type(data["items"][0]["status"]) is str


def test_a_builder_refuses_a_dataclass_whose_fields_its_constructor_would_shadow():
    import dataclasses

    from scoring.report import builder

    @dataclasses.dataclass(frozen=True, slots=True)
    class Shadowing:
        frozen: bool

    with pytest.raises(TypeError, match="field named result, draft or frozen"):
        builder(Shadowing)
