"""Forms every blueprint uses."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""
