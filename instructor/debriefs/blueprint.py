"""The blueprint of what instructors add to debriefs; the route modules add their views to it."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("debriefs", __name__, url_prefix="/instructor")
