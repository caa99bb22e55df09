import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from exercises.loader import load_package
from exercises.score_cli import score
from scoring import report_from_dict

SEED = Path(__file__).resolve().parents[2] / "exercises" / "deir-ez-zor-2018"


@pytest.fixture(scope="module")
def package():
    return load_package(SEED)


def _record(package, item, flag_id, **changes):
    text = package.article(item.article).text
    record = {
        "id": flag_id,
        "article": item.article,
        "start": item.start,
        "end": item.end,
        "quote": text[item.start : item.end],
        "category": item.category,
        "note": "",
        "links": [],
    }
    return {**record, **changes}


def _run(tmp_path, flags, *options, raw=None):
    answers = tmp_path / "answers.json"
    answers.write_text(raw if raw is not None else json.dumps({"flags": flags}), encoding="utf-8")
    return CliRunner().invoke(score, ["--exercise", str(SEED), "--answers", str(answers), *options])


def _item(package, item_id):
    (item,) = [i for i in package.key if i.id == item_id]
    return item


def test_the_table_shows_the_score_and_every_part(tmp_path, package):
    merciless = _item(package, "a-merciless")
    result = _run(tmp_path, [_record(package, merciless, "f1")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("deir-ez-zor-2018: score ")
    headings = (
        "Key items",
        "Flags",
        "Detection (flags matched with the key's category)",
        "SemEval-2020 Task 11 span metric",
        "nervaluate schemes",
    )
    for heading in headings:
        assert heading in lines
    assert any(line.split()[:2] == ["a-merciless", "found"] for line in lines)


def test_json_prints_the_whole_report(tmp_path, package):
    first, second = _item(package, "a-duration-four-hours"), _item(package, "b-three-hour")
    flags = [_record(package, first, "f1", links=["f2"]), _record(package, second, "f2")]
    result = _run(tmp_path, flags, "--json")
    assert result.exit_code == 0, result.output
    report = report_from_dict(json.loads(result.output))
    assert report.totals.item_credit == 4.0  # two figures of 'duration', 2 points each
    assert report.totals.link_credit == 0.5
    assert [link.status.value for link in report.links] == ["correct"]


def test_a_quote_that_differs_from_the_text_is_an_error_naming_the_flag(tmp_path, package):
    item = _item(package, "a-merciless")
    shifted = _record(package, item, "f9", start=item.start + 1, end=item.end + 1)
    result = _run(tmp_path, [shifted])
    assert result.exit_code == 1
    assert f"flag 'f9': quote {item.quote!r} differs from the text at" in result.output
    assert "--reanchor" in result.output


def test_reanchor_locates_a_typed_quote(tmp_path, package):
    item = _item(package, "b-300-killed")  # the stored text has curly quotes
    typed = _record(package, item, "f1", start=0, end=5, quote=item.quote.replace("\u2018", "'").replace("\u2019", "'"))
    result = _run(tmp_path, [typed], "--reanchor", "--json")
    assert result.exit_code == 0, result.output
    flag = json.loads(result.output)["flags"][0]
    assert (flag["start"], flag["end"], flag["outcome"]) == (item.start, item.end, "matched")


def test_reanchor_reports_a_quote_it_cannot_find(tmp_path, package):
    item = _item(package, "a-merciless")
    missing = _record(package, item, "f1", quote="no such words anywhere")
    result = _run(tmp_path, [missing], "--reanchor")
    assert result.exit_code == 1
    assert "flag 'f1': quote 'no such words anywhere' not found in article" in result.output


@pytest.mark.parametrize(
    ("flags", "raw", "message"),
    [
        (None, "{not json", "not a JSON file"),
        (None, "[]", 'the answers file must be an object with a "flags" list'),
        (["f1"], None, "flag #1: expected an object, got 'f1'"),
        ([{"article": "x"}], None, "flag #1: missing field 'id'"),
        ([{"id": "f1", "article": "elsewhere"}], None, "flag 'f1': unknown article 'elsewhere'"),
        (
            [{"id": "f1", "article": "khasham-nyt-repost", "quote": "q", "start": "3", "end": 5}],
            None,
            "flag 'f1': field 'start' must be int, got '3'",
        ),
        (
            [{"id": "f1", "article": "khasham-nyt-repost", "quote": "q", "start": 3, "end": 99999}],
            None,
            "flag 'f1': offsets 3-99999 do not fit article 'khasham-nyt-repost'",
        ),
    ],
)
def test_bad_answers_files_are_reported(tmp_path, flags, raw, message):
    result = _run(tmp_path, flags, raw=raw)
    assert result.exit_code == 1
    assert message in result.output


def test_bad_flags_are_reported_by_the_engine(tmp_path, package):
    item = _item(package, "a-merciless")
    flags = [_record(package, item, "f1", category="spin")]
    result = _run(tmp_path, flags)
    assert result.exit_code == 1
    assert "flag 'f1': unknown category 'spin'" in result.output
    twice = [_record(package, item, "f1"), _record(package, item, "f1")]
    assert "duplicate flag id 'f1'" in _run(tmp_path, twice).output
    bad_links = [_record(package, item, "f1", links=[3])]
    assert "flag 'f1': links must be flag ids (strings), got [3]" in _run(tmp_path, bad_links).output


def test_an_invalid_package_exits_with_its_problems(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text('{"flags": []}', encoding="utf-8")
    empty = tmp_path / "package"
    empty.mkdir()
    result = CliRunner().invoke(score, ["--exercise", str(empty), "--answers", str(answers)])
    assert result.exit_code == 1
    assert "problem(s) in" in result.output
