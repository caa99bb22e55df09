"""Forms of instructor feedback and the cohort view; each works as a plain POST without JavaScript."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FloatField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from app.feedback import MAX_COMMENT
from app.models import FeedbackTarget

COMMENT_LENGTH = f"Keep the comment to {MAX_COMMENT} characters or fewer."


class CommentForm(FlaskForm):
    """A new comment on a flag, its note, or a source rating's reason."""

    target = HiddenField(
        validators=[AnyOf([target.value for target in FeedbackTarget], message="Say what the comment is about.")]
    )
    flag_id = IntegerField(validators=[Optional()])
    article = StringField(validators=[Optional(), Length(max=80)])
    body = TextAreaField(
        "Comment",
        validators=[
            DataRequired("Write the comment before saving it."),
            Length(max=MAX_COMMENT, message=COMMENT_LENGTH),
        ],
    )


class CommentEditForm(FlaskForm):
    body = TextAreaField(
        "Comment",
        validators=[
            DataRequired("Write the comment before saving it."),
            Length(max=MAX_COMMENT, message=COMMENT_LENGTH),
        ],
    )


class PointsForm(FlaskForm):
    """Points on one flag; 0 takes the instructor's points back."""

    points = FloatField(
        "Instructor points",
        validators=[InputRequired("Give the points as a number, e.g. 1 or -0.5 (0 removes them).")],
    )


COHORT_VIEW_ACTIONS = ("on", "off", "release", "withdraw")


class CohortViewForm(FlaskForm):
    """Turn the cohort view of an assignment on or off, or release it before the deadline (or withdraw that)."""

    action = HiddenField(validators=[AnyOf(COHORT_VIEW_ACTIONS, message="Choose what to do with the cohort view.")])
