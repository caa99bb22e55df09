"""The instructor side: cohorts, the dashboard, exercise authoring and cohort progress, with their commands."""

from __future__ import annotations

from flask import Flask

from instructor import authoring, cohorts, dashboard, debriefs, demo, progress


def init_app(app: Flask) -> None:
    """Register the instructor's blueprints and its ``crosscheck`` commands."""
    for blueprint in (
        cohorts.blueprint,
        dashboard.blueprint,
        authoring.blueprint,
        progress.blueprint,
        debriefs.blueprint,
    ):
        app.register_blueprint(blueprint)
    for command in (*authoring.commands, demo.seed_demo_command):
        app.cli.add_command(command)
