"""``crosscheck score``: score an answers file (see `exercises.answers`) against an exercise
package, offline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from exercises.answers import read_answers, read_ratings
from exercises.cli import _content_dir_option, _load_or_exit
from exercises.types import ExercisePackage
from scoring import Report, report_to_dict


@click.command("score")
@click.option(
    "--exercise",
    "exercise",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The exercise package folder.",
)
@click.option(
    "--answers",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The answers file (JSON, as the web app exports a submission).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option("--reanchor", is_flag=True, help="Locate each flag's quote when its offsets do not match.")
@_content_dir_option
def score(exercise: Path, answers: Path, as_json: bool, reanchor: bool, content_dir: Path) -> None:
    """Score an answers file against an exercise package and print the debrief."""
    package = _load_or_exit(exercise, content_dir)
    try:
        data = json.loads(answers.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{answers}: not a JSON file ({error})") from error
    try:
        texts = {a.id: a.text for a in package.articles}
        flags = read_answers(data, texts, reanchor=reanchor)
        report = package.prepared_key().score(flags, read_ratings(data, texts))
    except ValueError as error:
        raise click.ClickException(f"{answers}: {error}") from error
    if as_json:
        click.echo(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2))
    else:
        click.echo(render_report(package, report))


def render_report(package: ExercisePackage, report: Report) -> str:
    """Return the report as readable text: the score, then one table per part."""
    totals = report.totals
    lines = [
        f"{package.slug}: score {report.score:.1f} / 100",
        (
            f"earned {totals.earned:.2f} of {totals.possible:.2f} points: items {totals.item_credit:.2f}"
            f" + links {totals.link_credit:.2f} + source ratings {totals.rating_credit:.2f}"
            f" - penalties {totals.penalties:.2f}"
        ),
        (
            f"items: {totals.found} found, {totals.partial} partial, {totals.wrong_category} wrong "
            f"category, {totals.lone_figure} lone figure, {totals.missed} missed; "
            f"{totals.false_positives} false positives ({totals.decoys_flagged} decoys hit); "
            f"links: {totals.correct_links} correct, {totals.wrong_links} wrong"
        ),
        "",
        "Key items",
    ]
    lines += _table(
        ("item", "status", "points", "net", "flags", "reason"),
        [
            (i.id, i.status.value, f"{i.points:.2f}", f"{i.credit - i.penalty:.2f}", ", ".join(i.flag_ids), i.reason)
            for i in report.items
        ],
    )
    lines += ["", "Flags"]
    lines += _table(
        ("flag", "article", "span", "category", "outcome", "item", "credit", "penalty"),
        [
            (
                f.id,
                f.article,
                f"{f.start}-{f.end}",
                f.category,
                f.outcome.value,
                f.item_id or "",
                f"{f.credit:.2f}",
                f"{f.penalty:.2f}",
            )
            for f in report.flags
        ],
    )
    if report.links:
        lines += ["", "Links"]
        lines += _table(
            ("flags", "status", "bonus", "reason"),
            [(" - ".join(l.flag_ids), l.status.value, f"{l.bonus:.2f}", l.reason) for l in report.links],
        )
    if report.ratings:
        lines += ["", "Source ratings (Admiralty: reliability A-F, credibility 1-6)"]
        lines += _table(
            ("article", "given", "key", "credit", "reason"),
            [
                (
                    r.article,
                    f"{r.reliability or '-'}{r.credibility or '-'}",
                    f"{r.key_reliability}{r.key_credibility}",
                    f"{r.credit:.2f}",
                    r.reason,
                )
                for r in report.ratings
            ],
        )
    lines += ["", "Detection (flags matched with the key's category)"]
    lines += _table(
        ("category", "correct", "flagged", "expected", "P", "R", "F1"),
        [
            (
                d.category or "all",
                str(d.correct),
                str(d.flagged),
                str(d.expected),
                f"{d.precision:.3f}",
                f"{d.recall:.3f}",
                f"{d.f1:.3f}",
            )
            for d in (report.detection, *report.by_category)
        ],
    )
    lines += ["", "SemEval-2020 Task 11 span metric"]
    lines += _table(
        ("spans", "flagged", "key", "P", "R", "F1"),
        [
            (name, str(s.flagged_spans), str(s.key_spans), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
            for name, s in (
                ("category-blind", report.spans.category_blind),
                ("category-matched", report.spans.category_matched),
            )
        ],
    )
    lines += ["", "nervaluate schemes"]
    schemes = report.schemes
    lines += _table(
        ("scheme", "COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1"),
        [
            (
                name,
                str(c.correct),
                str(c.incorrect),
                str(c.partial),
                str(c.missed),
                str(c.spurious),
                f"{c.precision:.3f}",
                f"{c.recall:.3f}",
                f"{c.f1:.3f}",
            )
            for name, c in (
                ("strict", schemes.strict),
                ("exact", schemes.exact),
                ("partial", schemes.partial),
                ("type", schemes.type),
            )
        ],
    )
    return "\n".join(lines)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Lay rows out in columns padded to the widest cell; the last column is left unpadded."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    return [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths)) + "  " + row[-1]
        for row in (headers, *rows)
    ]
