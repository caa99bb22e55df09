"""Forms for authoring exercises: a new exercise, publishing, assigning, source ratings, zip and SemEval imports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.admiralty import CREDIBILITY_WORDS, RELIABILITY_WORDS
from app.forms import SelectChoice, add_error, strip_whitespace
from app.models import ExerciseState
from exercises.fields import ID_PATTERN

MAX_UPLOAD = 1024 * 1024
ID_MESSAGE = "Lower-case letters, digits, '-' and '_' only."


class CategoryForm(Form):
    """One category of the exercise; a row left without an id is dropped."""

    id = StringField(
        "Id", validators=[Optional(), Length(max=64), Regexp(ID_PATTERN.pattern + "$", message=ID_MESSAGE)]
    )
    name = StringField("Name", validators=[Optional(), Length(max=120)], filters=[strip_whitespace])
    definition = TextAreaField("Definition", validators=[Optional()], filters=[strip_whitespace])
    example = TextAreaField("Example (not from the key)", validators=[Optional()], filters=[strip_whitespace])
    grouped = BooleanField("Items belong to conflict groups (figures)")


class ArticleForm(Form):
    """One article slot: pasted text or an uploaded file, with its metadata; an empty slot is skipped."""

    title = StringField(
        "Title (neutral, descriptive)", validators=[Optional(), Length(max=300)], filters=[strip_whitespace]
    )
    byline = StringField(
        "Byline (as the text shows it; blank if unsigned)",
        validators=[Optional(), Length(max=200)],
        filters=[strip_whitespace],
    )
    outlet = StringField("Outlet", validators=[Optional(), Length(max=200)], filters=[strip_whitespace])
    event_date = DateField("Date of the event", validators=[Optional()])
    language = StringField(
        "Language", default="en", validators=[Optional(), Length(max=16)], filters=[strip_whitespace]
    )
    provenance = TextAreaField(
        "Provenance (what the text tells of its origin)", validators=[Optional()], filters=[strip_whitespace]
    )
    text = TextAreaField("Text (paste it here)", validators=[Optional()])
    file = FileField("…or upload it (.txt, .md, .html)")

    def is_blank(self) -> bool:
        return not (self.text.data or "").strip() and not getattr(self.file.data, "filename", "")


class NewExerciseForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace])
    briefing = TextAreaField(
        "Briefing (the situation; no hints at the answers)", validators=[DataRequired()], filters=[strip_whitespace]
    )
    instructions = TextAreaField(
        "Instructions (how to flag, house rules)", validators=[DataRequired()], filters=[strip_whitespace]
    )
    suggested_minutes = IntegerField(
        "Suggested minutes", default=30, validators=[InputRequired(), NumberRange(min=1, max=600)]
    )
    attempts = IntegerField("Attempts", default=1, validators=[InputRequired(), NumberRange(min=1, max=20)])
    categories = FieldList(FormField(CategoryForm), min_entries=4, max_entries=8)
    articles = FieldList(FormField(ArticleForm), min_entries=4, max_entries=4)
    submit = SubmitField("Create the draft")

    def validate_categories(self, field: FieldList[FormField[CategoryForm]]) -> None:
        ids = [entry.form.id.data for entry in field.entries if entry.form.id.data]
        if not ids:
            raise ValidationError("Keep at least one category.")
        if len(set(ids)) != len(ids):
            raise ValidationError("Two categories have the same id.")
        for entry in field.entries:
            row = entry.form
            if row.id.data and not all((row.name.data, row.definition.data, row.example.data)):
                row.name.errors = [*row.name.errors, "A category needs a name, a definition and an example."]
                raise ValidationError(f"Category {row.id.data!r} is incomplete.")

    def validate_articles(self, field: FieldList[FormField[ArticleForm]]) -> None:
        filled = [entry.form for entry in field.entries if not entry.form.is_blank()]
        if not filled:
            raise ValidationError("Paste or upload at least one article.")
        missing = False
        for row in filled:
            for name in ("title", "event_date", "language", "provenance"):
                sub = getattr(row, name)
                if not sub.data:
                    sub.errors = [*sub.errors, "Required for every article."]
                    missing = True
            if (row.text.data or "").strip() and getattr(row.file.data, "filename", ""):
                row.file.errors = [*row.file.errors, "Paste the text or upload a file, not both."]
                missing = True
        if missing:
            raise ValidationError("Complete each article's details.")


class CategoryWordingForm(Form):
    """A category's trainee-facing words, as edited on a draft."""

    name = StringField("Name", validators=[DataRequired(), Length(max=120)], filters=[strip_whitespace])
    definition = TextAreaField("Definition", validators=[DataRequired()], filters=[strip_whitespace])
    example = TextAreaField("Example (not from the key)", validators=[DataRequired()], filters=[strip_whitespace])


class ArticleMetadataForm(Form):
    """An article's metadata; its text is not editable once created."""

    title = StringField(
        "Title (neutral, descriptive)", validators=[DataRequired(), Length(max=300)], filters=[strip_whitespace]
    )
    byline = StringField(
        "Byline (as the text shows it; blank if unsigned)",
        validators=[Optional(), Length(max=200)],
        filters=[strip_whitespace],
    )
    outlet = StringField("Outlet", validators=[Optional(), Length(max=200)], filters=[strip_whitespace])
    event_date = DateField("Date of the event", validators=[InputRequired()])
    language = StringField("Language", validators=[DataRequired(), Length(max=16)], filters=[strip_whitespace])
    provenance = TextAreaField(
        "Provenance (what the text tells of its origin)", validators=[DataRequired()], filters=[strip_whitespace]
    )


class EditDetailsForm(FlaskForm):
    """An exercise's details, its articles' metadata and (on a draft) its categories' words."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace])
    briefing = TextAreaField(
        "Briefing (the situation; no hints at the answers)", validators=[DataRequired()], filters=[strip_whitespace]
    )
    instructions = TextAreaField(
        "Instructions (how to flag, house rules)", validators=[DataRequired()], filters=[strip_whitespace]
    )
    suggested_minutes = IntegerField("Suggested minutes", validators=[InputRequired(), NumberRange(min=1, max=600)])
    attempts = IntegerField("Attempts", validators=[InputRequired(), NumberRange(min=1, max=20)])
    asks_confidence = BooleanField(
        "Ask trainees how sure they are of each flag",
        description="Almost certain, likely, roughly even or unlikely; the debrief then scores their calibration.",
    )
    categories = FieldList(FormField(CategoryWordingForm), max_entries=8)
    articles = FieldList(FormField(ArticleMetadataForm), max_entries=4)
    submit = SubmitField("Save the details")


def state_choices() -> list[SelectChoice]:
    return [SelectChoice(state.value, state.value.title()) for state in ExerciseState]


def _grade_choices(words: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(grade, f"{grade}: {meaning}") for grade, meaning in words.items()]


class RatingKeyForm(Form):
    """The instructor's Admiralty rating of one article, with the grades accepted from trainees."""

    asked = BooleanField("Ask trainees to rate this article")
    reliability = SelectField("Source reliability", choices=_grade_choices(RELIABILITY_WORDS))
    credibility = SelectField("Information credibility", choices=_grade_choices(CREDIBILITY_WORDS))
    accept_reliability = SelectMultipleField(
        "Reliability grades accepted",
        choices=_grade_choices(RELIABILITY_WORDS),
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    accept_credibility = SelectMultipleField(
        "Credibility grades accepted",
        choices=_grade_choices(CREDIBILITY_WORDS),
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    reasoning = TextAreaField("Your reasoning (trainees read it in the debrief)", filters=[strip_whitespace])

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """An asked article needs reasoning, and its accepted grades must include the key's own."""
        if not super().validate(extra_validators):
            return False
        if not self.asked.data:
            return True
        valid = True
        if not self.reasoning.data:
            add_error(self.reasoning, "Say why, for the trainees' debrief.")
            valid = False
        for grade, accepted in (
            (self.reliability, self.accept_reliability),
            (self.credibility, self.accept_credibility),
        ):
            if grade.data not in (accepted.data or []):
                add_error(accepted, f"Accept at least your own grade, {grade.data}.")
                valid = False
        return valid


class SourceRatingsForm(FlaskForm):
    """The exercise's source ratings, one block per article."""

    articles = FieldList(FormField(RatingKeyForm))
    note = StringField("Note for the key version", validators=[Optional(), Length(max=200)], filters=[strip_whitespace])
    submit = SubmitField("Save the ratings")


class PublishForm(FlaskForm):
    state = SelectField("State", validators=[DataRequired()])
    available_from = DateTimeLocalField(
        "Available from (UTC, optional)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    available_until = DateTimeLocalField(
        "Available until (UTC, optional)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    submit = SubmitField("Save publishing")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = state_choices()


class AssignForm(FlaskForm):
    cohort_id = SelectField("Cohort", coerce=int, validators=[DataRequired("Choose a cohort.")])
    deadline = DateTimeLocalField("Deadline (optional, UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    submit = SubmitField("Set for the cohort")


class ImportZipForm(FlaskForm):
    file = FileField(
        "Exercise package (.zip)",
        validators=[FileRequired("Choose a zip file."), FileSize(max_size=MAX_UPLOAD)],
    )
    submit = SubmitField("Import")


class SemevalUploadForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)], filters=[strip_whitespace])
    event_date = DateField("Date of the events", validators=[DataRequired()])
    language = StringField(
        "Language", default="en", validators=[DataRequired(), Length(max=16)], filters=[strip_whitespace]
    )
    articles = MultipleFileField(
        "Article files (article<ID>.txt, one to four)", validators=[DataRequired("Choose the article files.")]
    )
    labels = FileField(
        "Labels file (article_id, technique, start, end; tab-separated)",
        validators=[FileRequired("Choose the labels file.")],
    )
    submit = SubmitField("Read the labels")


class SemevalMappingForm(FlaskForm):
    """Carries the labels between the two steps; one select per technique is added at run time."""

    labels = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Create the key")


def semeval_mapping_form(
    techniques: list[str], categories: list[tuple[str, str]], defaults: dict[str, str | None]
) -> SemevalMappingForm:
    """The mapping form for ``techniques``: each maps to one of ``categories`` (id, name) or is left out."""
    choices = [SelectChoice("", "leave out"), *(SelectChoice(cid, name) for cid, name in categories)]
    known = {cid for cid, _ in categories}

    class Mapping(SemevalMappingForm):
        pass

    for index, technique in enumerate(techniques):
        default = defaults.get(technique) or ""
        setattr(
            Mapping,
            f"technique_{index}",
            SelectField(technique.replace("_", " "), choices=choices, default=default if default in known else ""),
        )
    return Mapping()
