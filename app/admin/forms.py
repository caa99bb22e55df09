"""The audit trail's filter: read from the query string, so a filtered view is a link to share."""

from __future__ import annotations

from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from app.audit import AuditFilter
from app.db import MAX_ID
from app.forms import SelectChoice

MAX_PAGE = 10_000


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else value


class AuditFilterForm(Form):
    """What to show of the trail; every field may stay empty."""

    action = SelectField("Action", validators=[Optional()])
    actor = StringField("Actor (username)", validators=[Optional(), Length(max=64)], filters=[_stripped])
    cohort = IntegerField("Cohort id", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    exercise = IntegerField("Exercise id", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    page = IntegerField("Page", validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])

    def set_actions(self, actions: list[str]) -> None:
        self.action.choices = [SelectChoice("", "Any action"), *(SelectChoice(name, name) for name in actions)]

    def criteria(self) -> AuditFilter:
        """The filter the validated fields describe."""
        return AuditFilter(
            action=self.action.data or None,
            actor=self.actor.data or None,
            cohort_id=self.cohort.data,
            exercise_id=self.exercise.data,
        )
