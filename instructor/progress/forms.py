"""The choice of the two exercises a cohort's progress compares."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, ValidationError
from wtforms.validators import InputRequired

from app.forms import SelectChoice
from app.models import Assignment


class PrePostForm(FlaskForm):
    """Two different exercises set for the cohort: the first (pre) and the later one (post)."""

    class Meta:
        csrf = False  # a GET form that only changes what is shown

    pre = SelectField("First exercise (pre)", coerce=int, validators=[InputRequired("Choose the first exercise.")])
    post = SelectField("Later exercise (post)", coerce=int, validators=[InputRequired("Choose the later exercise.")])

    def validate_post(self, field: SelectField) -> None:
        if field.data == self.pre.data:
            raise ValidationError("Choose two different exercises.")


def pre_post_form(assignments: Sequence[Assignment], formdata: MultiDict[str, str] | None) -> PrePostForm:
    """The form over the cohort's exercises; without ``formdata``, the first and the last of them chosen."""
    form = PrePostForm(formdata=formdata)
    choices = [SelectChoice(assignment.exercise_id, assignment.exercise.title) for assignment in assignments]
    form.pre.choices = form.post.choices = choices
    if formdata is None and assignments:
        form.pre.data = assignments[0].exercise_id
        form.post.data = assignments[-1].exercise_id
    return form
