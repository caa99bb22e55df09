"""Trainee pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from app.access import TRAINEE, access

blueprint = Blueprint("trainee", __name__)


@blueprint.route("/exercises")
@access(TRAINEE)
def home() -> str:
    """My cohorts and the exercises set for them."""
    return render_template("trainee/home.html", cohorts=current_user.cohorts)
