"""Forms of the dashboard: key changes offered for possible key gaps, the gap threshold, a deadline extension."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import SelectChoice, strip_whitespace
from app.models import Exercise


class AddToKeyForm(FlaskForm):
    """Add an unkeyed span to the key as a new item."""

    article = HiddenField(validators=[DataRequired("The article is missing.")])
    start = IntegerField(validators=[InputRequired("The start offset is missing."), NumberRange(min=0)])
    end = IntegerField(validators=[InputRequired("The end offset is missing."), NumberRange(min=1)])
    category = SelectField("Category", validators=[DataRequired("Choose a category.")])
    points = DecimalField(
        "Points",
        default=Decimal(1),
        places=None,
        validators=[InputRequired("Give the item's points."), NumberRange(min=0.5, max=10)],
    )
    explanation = TextAreaField(
        "Explanation (shown in the debrief)",
        validators=[DataRequired("Explain why the span is a problem."), Length(max=2000)],
        filters=[strip_whitespace],
    )
    note = StringField("Why the key changes (kept in the key history)", validators=[Optional(), Length(max=500)])


class AcceptAlternativeForm(FlaskForm):
    """Accept a category trainees chose as an alternative for an existing key item."""

    item_id = HiddenField(validators=[DataRequired("The key item is missing.")])
    category = SelectField(validators=[DataRequired("The category is missing.")])
    note = StringField("Why the key changes (kept in the key history)", validators=[Optional(), Length(max=500)])


class AcceptExtentForm(FlaskForm):
    """Accept the span most near-miss flags chose as an alternative extent of a key item."""

    item_id = HiddenField(validators=[DataRequired("The key item is missing.")])
    start = IntegerField(validators=[InputRequired("The start offset is missing."), NumberRange(min=0, max=10**9)])
    end = IntegerField(validators=[InputRequired("The end offset is missing."), NumberRange(min=1, max=10**9)])
    note = StringField("Why the key changes (kept in the key history)", validators=[Optional(), Length(max=500)])


class GapShareForm(FlaskForm):
    """How large a share of submissions must agree before a false positive is a possible gap."""

    class Meta:
        csrf = False  # a GET form that only changes what is shown

    share = FloatField(
        "Share of submissions (%)",
        validators=[Optional(), NumberRange(min=1, max=100, message="Give a share from 1 to 100%.")],
    )


def category_choices(exercise: Exercise) -> list[SelectChoice]:
    """The exercise's categories as select choices."""
    return [SelectChoice(category.id, category.name) for category in exercise.categories]


class ExtensionForm(FlaskForm):
    deadline = DateTimeLocalField(
        "New deadline for this trainee (UTC)",
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired("Give the new deadline.")],
    )
    submit = SubmitField("Extend the deadline")
