"""The instructor side: cohorts, the dashboard and exercise authoring."""

from __future__ import annotations

from flask import Flask

from instructor import dashboard_routes  # noqa: F401  (adds the dashboard views to the blueprint)
from instructor.authoring_routes import blueprint as authoring_blueprint
from instructor.debriefs import init_app as init_debriefs
from instructor.progress.routes import blueprint as progress_blueprint
from instructor.routes import blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.register_blueprint(authoring_blueprint)
    app.register_blueprint(progress_blueprint)
    init_debriefs(app)
