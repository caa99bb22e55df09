"""What the forms of every blueprint share: a confirm button and a filter that trims text."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""


def strip_whitespace(value: str | None) -> str | None:
    """Trim the spaces and line breaks around a text field's value (a WTForms filter)."""
    return value.strip() if isinstance(value, str) else value
