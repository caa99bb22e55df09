"""The ``crosscheck`` command: a Flask CLI group over ``create_app``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import inspect
from werkzeug.serving import run_simple

from app import accounts, backup, db, exercise_import, grading, migrate, serving
from exercises.authoring_cli import suggest
from exercises.cli import key, validate_exercise
from exercises.score_cli import score


def _create_app() -> Flask:
    from app import create_app

    return create_app()


cli = FlaskGroup(
    create_app=_create_app,
    help="Crosscheck: a disinformation-detection training kit.",
)


@click.command("upgrade-db")
@with_appcontext
def upgrade_db() -> None:
    """Apply the schema migrations to DATABASE_URL (creates the schema on first run)."""
    engine = db.get_engine()
    fresh = not inspect(engine).get_table_names()
    migrate.upgrade(engine)
    click.echo("Database schema created." if fresh else "Database schema is up to date.")
    session = db.session()
    rescored = grading.rescore_outdated(session)
    session.commit()
    if rescored:
        click.echo(f"{rescored} submissions rescored under the current scoring rules.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option("--port", default=5000, show_default=True, envvar="PORT", type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app with Flask's server (for one machine; see the README for production)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # flask types the proxy as Flask
    url = f"http://{host}:{port}/"
    click.echo(f"\nCrosscheck is running at {url}")
    if accounts.has_users(db.session()):
        click.echo("Log in, or hand trainees their cohort's join code to register.\n")
    else:
        click.echo(f"First run: open {url}setup to create the administrator account.\n")
    db.session().close()
    serving.freeze_start_up_heap()
    # Not app.run(): Flask ignores it inside its own CLI.
    run_simple(host, port, app, threaded=True)


@click.command("load-exercises")
@click.option(
    "--from",
    "root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of exercise packages (default: the packages shipped in exercises/).",
)
@click.option("--force", is_flag=True, help="Let package files win over changes made in the app.")
@with_appcontext
def load_exercises(root: Path | None, force: bool) -> None:
    """Import or update every exercise package into the database (idempotent)."""
    outcomes = exercise_import.import_directory(db.session(), root, force=force)
    for outcome in outcomes:
        click.echo(outcome.message)
    if any(outcome.action == "invalid" for outcome in outcomes):
        raise click.exceptions.Exit(1)


@click.command("export-all")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_all(file: Path) -> None:
    """Back up the whole instance to FILE (JSON; gzip if FILE ends in .gz)."""
    counts = backup.export_all(db.get_engine(), file)
    click.echo(f"Wrote {sum(counts.values())} rows from {len(counts)} tables to {file}")


@click.command("import-all")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_all(file: Path) -> None:
    """Restore a backup FILE into an empty database (run upgrade-db first)."""
    try:
        counts = backup.import_all(db.get_engine(), file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables from {file}")


def init_app(app: Flask) -> None:
    """Register the app's commands and the exercise package tools on ``app.cli``."""
    for command in (
        upgrade_db,
        serve,
        load_exercises,
        validate_exercise,
        key,
        export_all,
        import_all,
        score,
        suggest,
    ):
        app.cli.add_command(command)
