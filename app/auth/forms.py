"""Forms for set-up, login, registration and password changes."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

MIN_PASSWORD_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
USERNAME_HELP = "2–64 characters: lower-case letters, digits, dots, dashes and underscores."


def normalise_username(value: str | None) -> str:
    return (value or "").strip().lower()


def check_username(_form: Form, field: Field) -> None:
    if not USERNAME_PATTERN.match(field.data or ""):
        raise ValidationError(f"Username: {USERNAME_HELP}")


def check_password_strength(form: Form, field: Field) -> None:
    """At least ten characters, and not the username."""
    password = field.data or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    username = getattr(form, "username", None)
    if username is not None and password.strip().lower() == (username.data or ""):
        raise ValidationError("The password must not be your username.")


class NewPasswordMixin:
    password = PasswordField("Password", validators=[DataRequired(), check_password_strength, Length(max=256)])
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")])


class AccountFields(NewPasswordMixin):
    username = StringField(
        "Username",
        validators=[DataRequired(), check_username],
        filters=[normalise_username],
        description=USERNAME_HELP,
    )
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=120)])


class SetupForm(AccountFields, FlaskForm):
    email = StringField("Email (optional)", validators=[Optional(), Email(), Length(max=254)])
    submit = SubmitField("Create administrator account")


class RegisterForm(AccountFields, FlaskForm):
    join_code = StringField(
        "Join code", validators=[DataRequired(), Length(max=32)], filters=[lambda v: (v or "").strip().upper()]
    )
    submit = SubmitField("Register")


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()], filters=[normalise_username])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Log in")


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    submit = SubmitField("Change password")
