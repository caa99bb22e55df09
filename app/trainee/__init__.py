"""The trainee side: my cohorts and exercises, the workspace and the debrief."""

from __future__ import annotations

from flask import Flask

from app.trainee.routes import blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
