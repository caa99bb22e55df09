"""Offline authoring tools: ``crosscheck suggest``. Registered on the ``crosscheck`` group by ``app/cli.py``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from exercises.loader import DEFAULT_CONTENT_DIR, EXERCISE_FILE, load_package
from exercises.problems import PackageError
from exercises.suggest import suggest as find_suggestions


def _articles(path: Path, content_dir: Path) -> dict[str, str]:
    """Article id → text: a package's articles, one .txt file, or every .txt file in a folder."""
    if path.is_dir() and (path / EXERCISE_FILE).is_file():
        try:
            package = load_package(path, content_dir=content_dir)
        except PackageError as error:
            raise click.ClickException(str(error)) from error
        return {article.id: article.text for article in package.articles}
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    if not files:
        raise click.ClickException(f"{path}: no exercise.toml and no .txt files")
    try:
        return {file.stem: file.read_bytes().decode("utf-8") for file in files}
    except UnicodeDecodeError as error:
        raise click.ClickException(f"not UTF-8: {error}") from error


@click.command("suggest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list of {article, start, end, quote, category, reason, group}.",
)
@click.option(
    "--content-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CONTENT_DIR,
    show_default=True,
    help="Where a package's shared articles are looked up.",
)
def suggest(path: Path, as_json: bool, content_dir: Path) -> None:
    """Propose key items for the articles in PATH (an exercise package, a .txt file or a folder of them)."""
    found = find_suggestions(_articles(path, content_dir))
    if as_json:
        click.echo(json.dumps([s.record() for s in found], ensure_ascii=False, indent=2))
        return
    for s in found:
        group = f" [{s.group}]" if s.group else ""
        click.echo(f"{s.article}\t{s.start}-{s.end}\t{s.category}{group}\t{s.quote!r}\t{s.reason}")
