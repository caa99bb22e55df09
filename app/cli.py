"""The ``crosscheck`` command: a Flask CLI group over ``create_app``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from app import accounts, db, migrate


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
    migrate.upgrade(db.get_engine())
    click.echo("Database schema is up to date.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="HOST")
@click.option("--port", default=5000, show_default=True, envvar="PORT", type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app with Flask's server (for one machine; see the README for production)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = f"http://{host}:{port}/"
    click.echo(f"\nCrosscheck is running at {url}")
    if accounts.has_users(db.session()):
        click.echo("Log in, or hand trainees their cohort's join code to register.\n")
    else:
        click.echo(f"First run: open {url}setup to create the administrator account.\n")
    db.session().close()
    app.run(host=host, port=port, use_reloader=False, threaded=True)


def init_app(app: Flask) -> None:
    """Register every Crosscheck command on ``app.cli``."""
    for command in (upgrade_db, serve):
        app.cli.add_command(command)
