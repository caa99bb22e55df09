"""Crosscheck: a disinformation-detection training kit (the Flask application)."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: configuration, database, security, blueprints and commands."""
    import instructor
    from app import admin, auth, cli, compression, config, db, errors, formatting, judgement, lti, security, trainee

    app = Flask(__name__, instance_relative_config=True)
    config.configure(app, test_config)
    app.jinja_env.add_extension("jinja2.ext.do")
    db.init_app(app)
    formatting.init_app(app)
    judgement.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    trainee.init_app(app)
    instructor.init_app(app)
    lti.init_app(app)
    admin.init_app(app)
    cli.init_app(app)
    return app
