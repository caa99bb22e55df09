"""What the forms of every blueprint share: a confirm button, a filter that trims text, and typed access to
what a validated form holds."""

from __future__ import annotations

from typing import Protocol, TypeVar

from flask_wtf import FlaskForm

# WTForms 3.3 wants choices as SelectChoice (tuples are deprecated); types-wtforms 3.2 predates the
# class, so every form takes it from here, the one place that reads it untyped.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in types-wtforms 3.2
from wtforms.fields.core import Field

__all__ = ["ConfirmForm", "SelectChoice", "add_error", "required", "strip_whitespace"]

_Value = TypeVar("_Value")


class _HoldsData(Protocol[_Value]):
    name: str
    data: _Value | None


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""


def strip_whitespace(value: str | None) -> str | None:
    """Trim the spaces and line breaks around a text field's value (a WTForms filter)."""
    return value.strip() if isinstance(value, str) else value


def required(field: _HoldsData[_Value]) -> _Value:
    """The value of a field that its validators or its form's (DataRequired, InputRequired, AnyOf, a
    validate_<field> method) refuse to leave empty, once the form has validated."""
    if field.data is None:
        raise ValueError(f"field {field.name!r} is empty: read it only after its form validated")
    return field.data


def add_error(field: Field, message: str) -> None:
    """Show message under field, beside what its own validators found."""
    field.errors = [*field.errors, message]
