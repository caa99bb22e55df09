"""The trainee side: my exercises, the workspace, the debrief and the JSON API behind them."""

from __future__ import annotations

from flask import Flask

from app.trainee import api, debrief, progress, routes


def init_app(app: Flask) -> None:
    app.register_blueprint(routes.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(progress.blueprint)
    # The instructor drill-down shows the same debrief, so the partial builds its own layout.
    app.add_template_global(debrief.build_debrief, "build_debrief")
    app.add_template_global(debrief.source_judgements, "source_judgements")
    app.add_template_global(debrief.score_change, "score_change")
    app.jinja_env.globals["debrief_filters"] = debrief.FILTERS
