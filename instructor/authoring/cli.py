"""``crosscheck export-exercise`` and ``import-exercise``: share exercises between instances as zips."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app import db
from app.models import Exercise
from exercises.problems import PackageError
from instructor.authoring import sharing


@click.command("export-exercise")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_exercise(slug: str, file: Path) -> None:
    """Write the exercise SLUG, with its current key, as a package zip to FILE."""
    database = db.session()
    exercise = database.scalar(select(Exercise).where(Exercise.slug == slug))
    if exercise is None:
        raise click.ClickException(f"no exercise with slug {slug!r}")
    try:
        data = sharing.export_exercise(database, exercise, None)
    except PackageError as error:
        raise click.ClickException(str(error)) from error
    file.write_bytes(data)
    database.commit()
    click.echo(f"{slug}: written to {file} ({len(data)} bytes)")


@click.command("import-exercise")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_exercise(file: Path) -> None:
    """Create or update an exercise from the package zip FILE (as load-exercises does for a folder)."""
    database = db.session()
    try:
        outcome = sharing.import_zip(database, file.read_bytes())
    except PackageError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) in {file}; nothing imported") from error
    database.commit()
    click.echo(outcome.message)
    if outcome.action in ("refused", "kept-app-edits"):
        raise click.exceptions.Exit(1)
