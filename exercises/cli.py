"""Command-line tools for exercise packages; they run without the web app.

``app/cli.py`` registers these commands on the ``crosscheck`` group.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from exercises.loader import DEFAULT_CONTENT_DIR, load_package
from exercises.problems import PackageError
from exercises.types import ExercisePackage

_package_path = click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
_content_dir_option = click.option(
    "--content-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CONTENT_DIR,
    show_default=True,
    help="Where article ids not carried by the package itself are looked up.",
)


def _load_or_exit(path: Path, content_dir: Path) -> ExercisePackage:
    """Load the package, or print every problem (one a line, on stderr) and exit with 1."""
    try:
        return load_package(path, content_dir=content_dir)
    except PackageError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(error.problems)} problem(s) in {path}", err=True)
        raise click.exceptions.Exit(1) from error


def summary(package: ExercisePackage) -> str:
    """One line counting the key's items per category, its decoys and its conflict groups."""
    scored = Counter(item.category for item in package.key if not item.decoy)
    decoys = sum(item.decoy for item in package.key)
    per_category = ", ".join(f"{c.id} {scored[c.id]}" for c in package.categories)
    return (
        f"OK {package.slug}: {len(package.articles)} articles, "
        f"{len(package.key) - decoys} items ({per_category}), "
        f"{decoys} decoys, {len(package.groups)} conflict groups"
    )


@click.command("validate-exercise")
@_package_path
@_content_dir_option
def validate_exercise(path: Path, content_dir: Path) -> None:
    """Validate the exercise package in PATH and print its key's counts, or every problem.

    Warnings (e.g. key items whose core was derived) are printed on stderr; they do not fail.
    """
    package = _load_or_exit(path, content_dir)
    for warning in package.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(summary(package))


@click.command("key")
@_package_path
@_content_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the key as a JSON list.")
def key(path: Path, content_dir: Path, as_json: bool) -> None:
    """Print the resolved key of the package in PATH: offsets into each article's stored text."""
    package = _load_or_exit(path, content_dir)
    if as_json:
        records = [item.to_record() for item in package.key]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for item in package.key:
        kind = "decoy " + item.category if item.decoy else item.category
        group = f" [{item.group}]" if item.group else ""
        click.echo(
            f"{item.id}\t{item.article}\t{item.start}-{item.end}\t{kind}{group}\t{item.quote!r}"
            f"\tcore {item.core_quote!r}"
        )
