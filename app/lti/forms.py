"""Forms for registering platforms, rotating keys and picking an exercise for deep linking."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from app.forms import required

MAX_URL = 1000


def _url_field(label: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(),
            URL(require_tld=False, message="Enter a full URL (https://…)."),
            Length(max=MAX_URL),
        ],
        filters=[lambda value: (value or "").strip()],
        description=description,
    )


def _lines(value: str | None) -> str:
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())


class PlatformForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=120)], description="For you: e.g. “Moodle, main campus”."
    )
    issuer = StringField(
        "Issuer (platform ID)",
        validators=[DataRequired(), Length(max=255)],
        filters=[lambda value: (value or "").strip()],
        description="Moodle: “Platform ID”; Canvas: https://canvas.instructure.com",
    )
    client_id = StringField(
        "Client ID", validators=[DataRequired(), Length(max=255)], filters=[lambda value: (value or "").strip()]
    )
    deployment_ids = TextAreaField(
        "Deployment IDs (one per line)", validators=[DataRequired(), Length(max=5000)], filters=[_lines]
    )
    auth_login_url = _url_field(
        "OIDC authentication URL", "Moodle: “Authentication request URL”; Canvas: …/api/lti/authorize_redirect"
    )
    auth_token_url = _url_field("Access token URL", "Moodle: “Access token URL”; Canvas: …/login/oauth2/token")
    key_set_url = _url_field(
        "Platform key set (JWKS) URL", "Moodle: “Public keyset URL”; Canvas: …/api/lti/security/jwks"
    )
    roster_sync = BooleanField("Let instructors sync their cohort's roster (Names and Role Provisioning Services)")
    submit = SubmitField("Register platform")

    def deployment_list(self) -> list[str]:
        return sorted({line for line in required(self.deployment_ids).splitlines() if line})


class DeepLinkForm(FlaskForm):
    exercise_id = SelectField("Exercise", coerce=int, validators=[DataRequired("Choose an exercise.")])
    deadline = DateTimeLocalField("Deadline (optional, UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    attempts = IntegerField(
        "Attempts allowed (optional; at least the exercise's own number)",
        validators=[Optional(), NumberRange(min=1, max=20, message="Between 1 and 20.")],
    )
    submit = SubmitField("Add to the course")
