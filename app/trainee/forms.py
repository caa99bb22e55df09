"""Forms of the trainee pages: flagging by quote without JavaScript, and submitting with source ratings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.admiralty import CREDIBILITY_WORDS, RELIABILITY_WORDS
from app.forms import SelectChoice
from app.models import Exercise
from app.trainee.api_models import MAX_NOTE, MAX_QUOTE
from app.trainee.submission import MAX_REASON
from scoring.calibration import CONFIDENCE_SCALE


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
    confidence = SelectField(
        "How sure are you that this is a problem?",
        choices=[SelectChoice("", "Not stated"), *(SelectChoice(level.id, level.label) for level in CONFIDENCE_SCALE)],
        validators=[Optional()],
    )
    submit = SubmitField("Add flag")


def quote_flag_form(exercise: Exercise) -> QuoteFlagForm:
    """The form with the exercise's articles and categories to choose from."""
    form = QuoteFlagForm()
    form.article.choices = [SelectChoice(article.ref, article.title) for article in exercise.articles]
    form.category.choices = [SelectChoice(category.id, category.name) for category in exercise.categories]
    if not exercise.asks_confidence:
        del form.confidence
    return form


class SourceRatingForm(Form):
    """A trainee's Admiralty rating of one article, with a one-line reason."""

    reliability = RadioField(
        "Reliability of the source",
        choices=[SelectChoice(grade, f"{grade} – {words}") for grade, words in RELIABILITY_WORDS.items()],
        invalid_choice_message="Choose how reliable the source is, A to F.",  # type: ignore[call-arg]  # WTForms 3.3, not in types-wtforms 3.2
    )
    credibility = RadioField(
        "Credibility of the information",
        choices=[SelectChoice(grade, f"{grade} – {words}") for grade, words in CREDIBILITY_WORDS.items()],
        invalid_choice_message="Choose how credible the information is, 1 to 6.",  # type: ignore[call-arg]  # WTForms 3.3, not in types-wtforms 3.2
    )
    reason = StringField(
        "Your reason, in one line",
        validators=[
            DataRequired("Give a one-line reason for this rating."),
            Length(max=MAX_REASON, message=f"Keep the reason to {MAX_REASON} characters or fewer."),
        ],
    )


class SubmitForm(FlaskForm):
    """Make an attempt final; ``ratings`` has one entry per article the key rates, in the key's order."""

    ratings = FieldList(FormField(SourceRatingForm))
    submit = SubmitField("Submit my flags")


def submit_form(rated: int) -> SubmitForm:
    """The submit form with exactly ``rated`` source ratings to give (none when the key rates nothing)."""

    class RatedSubmitForm(SubmitForm):
        ratings = FieldList(FormField(SourceRatingForm), min_entries=rated, max_entries=rated)

    return RatedSubmitForm()
