"""The instructor side: cohorts, the dashboard and exercise authoring."""

from __future__ import annotations

from flask import Flask

from instructor.routes import blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
