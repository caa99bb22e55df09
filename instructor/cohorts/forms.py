"""Forms of the cohort pages: a cohort, its join code, trainee import, co-instructors, assignments."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.auth.forms import check_username, normalise_username


class CohortForm(FlaskForm):
    name = StringField("Cohort name", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Create cohort")


class JoinCodeForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(["regenerate", "disable", "enable"])])


class TraineeImportForm(FlaskForm):
    file = FileField(
        "CSV file (username, display name, optional email)",
        validators=[FileRequired("Choose a CSV file."), FileSize(max_size=1024 * 1024)],
    )
    submit = SubmitField("Import trainees")


class CoInstructorForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), check_username], filters=[normalise_username])
    display_name = StringField("Display name (for a new account)", validators=[Optional(), Length(max=120)])
    submit = SubmitField("Add co-instructor")


class AssignmentForm(FlaskForm):
    exercise_id = SelectField("Exercise", coerce=int, validators=[DataRequired("Choose an exercise.")])
    deadline = DateTimeLocalField("Deadline (optional, UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    allow_late = BooleanField("Allow late submissions (marked late); otherwise work is submitted at the deadline")
    cohort_view = BooleanField(
        "After the deadline, show each trainee who submitted where the cohort flagged (no names)"
    )
    submit = SubmitField("Set exercise")
