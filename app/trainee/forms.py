"""Forms of the trainee pages: flagging by quote without JavaScript."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.models import Exercise
from app.trainee.attempts import MAX_NOTE, MAX_QUOTE


class QuoteFlagForm(FlaskForm):
    """Add a flag by quoting the words; the server finds them in the article."""

    article = SelectField("Article", validators=[DataRequired("Choose an article.")])
    quote = TextAreaField(
        "Words to flag",
        description="Copy them from the article. Spaces, quotes and dashes need not match exactly.",
        validators=[DataRequired("Quote the words you want to flag."), Length(max=MAX_QUOTE)],
    )
    category = SelectField("Category", validators=[DataRequired("Choose a category.")])
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=MAX_NOTE)])
    submit = SubmitField("Add flag")


def quote_flag_form(exercise: Exercise) -> QuoteFlagForm:
    """The form with the exercise's articles and categories to choose from."""
    form = QuoteFlagForm()
    form.article.choices = [SelectChoice(article.ref, article.title) for article in exercise.articles]
    form.category.choices = [SelectChoice(category["id"], category["name"]) for category in exercise.categories]
    return form
