"""The administrator's pages: the audit trail of instructor, admin and command actions."""

from __future__ import annotations

from flask import Flask

from app.admin import routes


def init_app(app: Flask) -> None:
    app.register_blueprint(routes.blueprint)
