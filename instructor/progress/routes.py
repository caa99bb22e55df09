"""The cohort's progress view and its exports: two exercises chosen, the change between them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import db
from app.access import INSTRUCTOR, access, cohort_for_instructor
from app.csv_export import csv_lines
from app.deadlines import close_overdue, now
from app.models import Assignment, Attempt, Cohort
from instructor.progress.cohort import (
    COUNTING_RULE,
    CohortProgress,
    cohort_progress,
    export_columns,
    export_records,
    summary_json,
)
from instructor.progress.forms import PrePostForm, pre_post_form

blueprint = Blueprint("progress", __name__, url_prefix="/instructor", template_folder="templates")

PROGRESS = "/cohorts/<int:cohort_id>/progress"


def _assignments(database: Session, cohort: Cohort) -> list[Assignment]:
    """The cohort's exercises in the order they were made."""
    return list(
        database.scalars(
            select(Assignment)
            .where(Assignment.cohort_id == cohort.id)
            .options(selectinload(Assignment.exercise))
            .order_by(Assignment.exercise_id)
        )
    )


def _chosen_form(assignments: list[Assignment]) -> tuple[PrePostForm, bool]:
    """The form as the query string fills it, and whether what it chose is valid; the first and the
    last exercise when it names neither."""
    if "pre" not in request.args and "post" not in request.args:
        return pre_post_form(assignments, None), len(assignments) >= 2
    form = pre_post_form(assignments, request.args)
    return form, form.validate()


def _progress(database: Session, cohort: Cohort, form: PrePostForm, assignments: list[Assignment]) -> CohortProgress:
    exercises = {assignment.exercise_id: assignment.exercise for assignment in assignments}
    pre, post = exercises[form.pre.data], exercises[form.post.data]
    close_overdue(database, now(), Attempt.cohort_id == cohort.id, Attempt.exercise_id.in_([pre.id, post.id]))
    return cohort_progress(database, cohort, pre, post)


def _problems(form: PrePostForm) -> str:
    return " ".join(message for messages in form.errors.values() for message in messages)


@blueprint.route(PROGRESS)
@access(INSTRUCTOR)
def cohort_view(cohort_id: int) -> Response:
    """The cohort's change between two of its exercises, overall and per category, with a chart."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    assignments = _assignments(database, cohort)
    form, valid = _chosen_form(assignments)
    progress = _progress(database, cohort, form, assignments) if valid else None
    status = 400 if form.errors else 200
    html = render_template(
        "progress/cohort.html",
        cohort=cohort,
        assignments=assignments,
        form=form,
        progress=progress,
        counting_rule=COUNTING_RULE,
    )
    return Response(html, status=status)


def _export(cohort_id: int) -> CohortProgress:
    """The progress an export asks for by ``?pre=&post=``; 400 with the reason when the choice is wrong."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    assignments = _assignments(database, cohort)
    form = pre_post_form(assignments, request.args)
    if not form.validate():
        abort(400, _problems(form) + " Name two different exercises set for this cohort (pre=…&post=…).")
    return _progress(database, cohort, form, assignments)


def _filename(progress: CohortProgress, extension: str) -> str:
    parts = (progress.cohort.name, progress.pre.slug, progress.post.slug, "progress")
    return "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") or "export" for part in parts) + extension


def _download(body: Iterator[str] | str, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.route(PROGRESS + ".csv")
@access(INSTRUCTOR)
def export_csv(cohort_id: int) -> Response:
    """One row per trainee: the attempts counted, and each measure before, after and its change (CSV)."""
    progress = _export(cohort_id)
    columns = export_columns(progress)
    rows = [columns, *([record[column] for column in columns] for record in export_records(progress))]
    return _download(csv_lines(rows), _filename(progress, ".csv"), "text/csv; charset=utf-8")


@blueprint.route(PROGRESS + ".json")
@access(INSTRUCTOR)
def export_json(cohort_id: int) -> Response:
    """The cohort's change per measure and the same rows as the CSV export, as one JSON document."""
    progress = _export(cohort_id)
    document = {**summary_json(progress), "trainees": list(export_records(progress))}
    return _download(
        json.dumps(document, ensure_ascii=False, indent=1), _filename(progress, ".json"), "application/json"
    )
