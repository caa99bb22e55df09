"""Authoring pages: the exercise list, a new exercise, the key editor, publishing, sharing, imports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import werkzeug
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app import audit, db, grading
from app.access import INSTRUCTOR, access, cohort_for_instructor
from app.forms import SelectChoice, required
from app.models import Exercise, ExerciseState, User
from exercises import semeval
from exercises.article_text import UploadError, normalise_text, upload_text
from exercises.problems import PackageError
from exercises.suggest import suggest
from exercises.types import Category
from instructor.authoring import details, dismissals, keys, permissions, publication, rating_keys, sharing
from instructor.authoring.forms import (
    AssignForm,
    EditDetailsForm,
    ImportZipForm,
    NewExerciseForm,
    PublishForm,
    SemevalUploadForm,
    SourceRatingsForm,
    semeval_mapping_form,
)
from scoring.types import RatingKey

blueprint = Blueprint("authoring", __name__, url_prefix="/instructor/exercises", template_folder="../templates")


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value else None


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


@blueprint.route("/")
@access(INSTRUCTOR)
def exercises() -> str:
    """Every exercise the instructor can see, with import forms."""
    return render_template(
        "instructor/authoring/list.html",
        exercises=permissions.visible_exercises(db.session(), current_user),
        import_form=ImportZipForm(),
        can_edit=lambda exercise: permissions.can_edit(current_user, exercise),
    )


def _new_form() -> NewExerciseForm:
    form = NewExerciseForm()
    if not form.is_submitted():
        for entry, category in zip(form.categories.entries, details.default_categories(), strict=False):
            entry.form.id.data = category.id
            entry.form.name.data = category.name
            entry.form.definition.data = category.definition
            entry.form.example.data = category.example
            entry.form.grouped.data = category.grouped
    return form


@blueprint.route("/new", methods=["GET", "POST"])
@access(INSTRUCTOR)
def new_exercise() -> werkzeug.Response | str:
    """A new draft exercise: details, categories and one to four articles."""
    form = _new_form()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return Response(render_template("instructor/authoring/new.html", form=form), status=status)
    articles = []
    for entry in form.articles.entries:
        row = entry.form
        if row.is_blank():
            continue
        try:
            text = (
                upload_text(row.file.data.filename, row.file.data.read())
                if getattr(row.file.data, "filename", "")
                else normalise_text(row.text.data or "")
            )
        except UploadError as error:
            row.file.errors = [str(error)]
            return Response(render_template("instructor/authoring/new.html", form=form), status=400)
        articles.append(
            details.ArticleDraft(
                title=required(row.title),
                text=text,
                event_date=required(row.event_date),
                language=required(row.language),
                provenance=required(row.provenance),
                byline=row.byline.data or "",
                outlet=row.outlet.data or "",
            )
        )
    categories = [
        Category(
            id=entry.form.id.data,
            name=required(entry.form.name),
            definition=required(entry.form.definition),
            example=required(entry.form.example),
            grouped=bool(entry.form.grouped.data),
        )
        for entry in form.categories.entries
        if entry.form.id.data
    ]
    database = db.session()
    exercise = details.create_exercise(
        database,
        _user(),
        title=required(form.title),
        briefing=required(form.briefing),
        instructions=required(form.instructions),
        suggested_minutes=required(form.suggested_minutes),
        attempts=required(form.attempts),
        categories=categories,
        articles=articles,
    )
    database.commit()
    flash(f"Draft “{exercise.title}” created. Now write its key.", "success")
    return redirect(url_for("authoring.key_editor", exercise_id=exercise.id))


def _publish_form(exercise: Exercise) -> PublishForm:
    form = PublishForm(
        data={
            "state": exercise.state,
            "available_from": exercise.available_from,
            "available_until": exercise.available_until,
        }
        if request.method == "GET"
        else None
    )
    return form


def _assign_form(exercise: Exercise) -> AssignForm:
    form = AssignForm()
    form.cohort_id.choices = [
        SelectChoice(cohort.id, cohort.name)
        for cohort in publication.assignable_cohorts(db.session(), current_user, exercise)
    ]
    return form


def _exercise_page(exercise: Exercise, status: int = 200, **forms: object) -> Response:
    forms.setdefault("publish_form", _publish_form(exercise))
    forms.setdefault("assign_form", _assign_form(exercise))
    html = render_template(
        "instructor/authoring/exercise.html",
        exercise=exercise,
        editable=permissions.can_edit(current_user, exercise),
        version=grading.current_key_version(db.session(), exercise.id),
        **forms,
    )
    return Response(html, status=status)


@blueprint.route("/<int:exercise_id>")
@access(INSTRUCTOR)
def exercise(exercise_id: int) -> Response:
    """An exercise's details, publishing, cohorts and key history."""
    return _exercise_page(permissions.exercise_for_viewer(db.session(), current_user, exercise_id))


@blueprint.route("/<int:exercise_id>/publishing", methods=["POST"])
@access(INSTRUCTOR)
def publishing(exercise_id: int) -> werkzeug.Response:
    """Change the state (draft, published, closed) and the availability window."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return _exercise_page(exercise, status=400, publish_form=form)
    try:
        publication.set_publishing(
            database, exercise, form.state.data, _utc(form.available_from.data), _utc(form.available_until.data)
        )
    except ValueError as error:
        database.rollback()
        form.state.errors = [str(error)]
        return _exercise_page(exercise, status=400, publish_form=form)
    audit.record(
        database, current_user, "exercise.publishing_changed", exercise=exercise, detail={"state": str(exercise.state)}
    )
    database.commit()
    flash(f"“{exercise.title}” is {exercise.state}.", "success")
    return redirect(url_for("authoring.exercise", exercise_id=exercise.id))


@blueprint.route("/<int:exercise_id>/assign", methods=["POST"])
@access(INSTRUCTOR)
def assign(exercise_id: int) -> werkzeug.Response:
    """Set the exercise for a cohort the instructor teaches."""
    database = db.session()
    exercise = permissions.exercise_for_viewer(database, current_user, exercise_id)
    form = _assign_form(exercise)
    if not form.validate_on_submit():
        return _exercise_page(exercise, status=400, assign_form=form)
    cohort = cohort_for_instructor(database, current_user, form.cohort_id.data)
    try:
        publication.assign(database, current_user, exercise, cohort, _utc(form.deadline.data))
    except ValueError as error:
        form.cohort_id.errors = [str(error)]
        return _exercise_page(exercise, status=400, assign_form=form)
    database.commit()
    flash(f"“{exercise.title}” is set for {cohort.name}.", "success")
    return redirect(url_for("authoring.exercise", exercise_id=exercise.id))


def _event_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _details_form(exercise: Exercise) -> EditDetailsForm:
    data = None
    if request.method == "GET":
        data = {
            "title": exercise.title,
            "briefing": exercise.briefing,
            "instructions": exercise.instructions,
            "suggested_minutes": exercise.suggested_minutes or details.DEFAULT_MINUTES,
            "attempts": exercise.attempts_allowed,
            "asks_confidence": exercise.asks_confidence,
            "categories": [
                {"name": c.name, "definition": c.definition, "example": c.example} for c in exercise.categories
            ],
            "articles": [
                {
                    "title": a.title,
                    "byline": a.byline,
                    "outlet": a.outlet,
                    "event_date": _event_date(a.event_date),
                    "language": a.language,
                    "provenance": a.provenance,
                }
                for a in exercise.articles
            ],
        }
    form = EditDetailsForm(data=data)
    if exercise.state != ExerciseState.DRAFT:
        # Trainees have been scored under these names: reword categories only on a draft.
        del form.categories
    return form


def _details_page(exercise: Exercise, form: EditDetailsForm, status: int = 200) -> Response:
    html = render_template("instructor/authoring/details.html", exercise=exercise, form=form)
    return Response(html, status=status)


@blueprint.route("/<int:exercise_id>/details", methods=["GET", "POST"])
@access(INSTRUCTOR)
def edit_details(exercise_id: int) -> werkzeug.Response:
    """Edit the exercise's details, its articles' metadata and, on a draft, its categories' words."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    form = _details_form(exercise)
    if not form.validate_on_submit():
        return _details_page(exercise, form, status=400 if form.is_submitted() else 200)
    categories = None
    if "categories" in form:
        categories = [
            details.CategoryWording(
                name=required(entry.form.name),
                definition=required(entry.form.definition),
                example=required(entry.form.example),
            )
            for entry in form.categories.entries
        ]
    articles = [
        details.ArticleMetadata(
            title=required(entry.form.title),
            byline=entry.form.byline.data or "",
            outlet=entry.form.outlet.data or "",
            event_date=required(entry.form.event_date),
            language=required(entry.form.language),
            provenance=required(entry.form.provenance),
        )
        for entry in form.articles.entries
    ]
    try:
        details.update_details(
            exercise,
            title=required(form.title),
            briefing=required(form.briefing),
            instructions=required(form.instructions),
            suggested_minutes=required(form.suggested_minutes),
            attempts=required(form.attempts),
            articles=articles,
            categories=categories,
            asks_confidence=form.asks_confidence.data,
        )
    except ValueError as error:
        database.rollback()
        form.form_errors.append(str(error))
        return _details_page(exercise, form, status=400)
    audit.record(database, current_user, "exercise.details_changed", exercise=exercise)
    database.commit()
    flash(f"Details of “{exercise.title}” saved.", "success")
    return redirect(url_for("authoring.exercise", exercise_id=exercise.id))


def _ratings_form(exercise: Exercise) -> SourceRatingsForm:
    """The ratings form, filled from the current key version on a GET."""
    form = SourceRatingsForm()
    if not form.is_submitted():
        keyed = {r.article: r for r in grading.current_key_version(db.session(), exercise.id).ratings}
        for article in exercise.articles:
            rating = keyed.get(article.ref)
            form.articles.append_entry(
                {
                    "asked": rating is not None,
                    "reliability": rating.reliability if rating else "C",
                    "credibility": rating.credibility if rating else "3",
                    "accept_reliability": list(rating.accept_reliability) if rating else [],
                    "accept_credibility": list(rating.accept_credibility) if rating else [],
                    "reasoning": rating.reasoning if rating else "",
                }
            )
    return form


@blueprint.route("/<int:exercise_id>/ratings", methods=["GET", "POST"])
@access(INSTRUCTOR)
def source_ratings(exercise_id: int) -> werkzeug.Response:
    """Set the instructor's Admiralty rating of each article, which trainees are asked to match."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    form = _ratings_form(exercise)
    if len(form.articles.entries) != len(exercise.articles):
        abort(400, "The form must rate every article of the exercise, in order.")
    if not form.validate_on_submit():
        html = render_template("instructor/authoring/ratings.html", exercise=exercise, form=form)
        return Response(html, status=400 if form.is_submitted() else 200)
    ratings = tuple(
        RatingKey(
            article=article.ref,
            reliability=entry.form.reliability.data,
            credibility=entry.form.credibility.data,
            accept_reliability=tuple(sorted(entry.form.accept_reliability.data or ())),
            accept_credibility=tuple(sorted(entry.form.accept_credibility.data or ())),
            reasoning=entry.form.reasoning.data or "",
        )
        for article, entry in zip(exercise.articles, form.articles.entries, strict=True)
        if entry.form.asked.data
    )
    saved = rating_keys.save_ratings(database, current_user, exercise, ratings, form.note.data or "")
    database.commit()
    if saved.new_version:
        flash(
            f"Source ratings saved as key version {saved.version.number}; {saved.rescored} submissions rescored.",
            "success",
        )
    else:
        flash("Source ratings saved.", "success")
    return redirect(url_for("authoring.exercise", exercise_id=exercise.id))


@blueprint.route("/<int:exercise_id>/key")
@access(INSTRUCTOR)
def key_editor(exercise_id: int) -> str:
    """The key editor: select spans in the articles, accept suggestions, save a version."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    return render_template(
        "instructor/authoring/key_editor.html",
        exercise=exercise,
        state=keys.editor_state(database, exercise),
    )


@blueprint.route("/<int:exercise_id>/key", methods=["POST"])
@access(INSTRUCTOR)
def save_key(exercise_id: int) -> tuple[Response, int]:
    """Save the key sent as JSON ``{items, groups, note}``; 400 lists every problem by item and field."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        return jsonify(
            error='Send the key as JSON: {"items": [...], "groups": {...}, "note": "..."}.', problems=[]
        ), 400
    given_note = payload.get("note")
    note = given_note if isinstance(given_note, str) else ""
    try:
        saved = keys.save_key(
            database, _user(), exercise, payload["items"], payload.get("groups") or {}, note=note.strip()
        )
    except PackageError as error:
        database.rollback()
        return jsonify(
            error=f"{len(error.problems)} problem(s) in the key; nothing was saved.",
            problems=keys.problem_records(error),
        ), 400
    database.commit()
    if saved.new_version:
        message = f"Saved as key version {saved.version.number}; {saved.rescored} submission(s) rescored."
    else:
        message = f"Saved key version {saved.version.number} (no submissions yet, so no new version)."
    return jsonify(
        message=message,
        version=saved.version.number,
        new_version=saved.new_version,
        rescored=saved.rescored,
        items=keys.editor_items(saved.version),
    ), 200


@blueprint.route("/<int:exercise_id>/suggestions")
@access(INSTRUCTOR)
def suggestions(exercise_id: int) -> Response:
    """Candidate key items for the exercise's articles, as JSON."""
    exercise = permissions.exercise_for_editor(db.session(), current_user, exercise_id)
    found = suggest({article.ref: article.text for article in exercise.articles})
    return jsonify(suggestions=[suggestion.record() for suggestion in found])


@blueprint.route("/<int:exercise_id>/suggestions/dismissed", methods=["POST"])
@access(INSTRUCTOR)
def dismiss_suggestions(exercise_id: int) -> tuple[Response, int]:
    """Dismiss or bring back suggestions, sent as JSON ``{keys: [...], dismissed: true|false}``."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    payload = request.get_json(silent=True)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("keys"), list)
        or not isinstance(payload.get("dismissed"), bool)
    ):
        return jsonify(error='Send JSON: {"keys": ["article:start:end:category", ...], "dismissed": true}.'), 400
    try:
        dismissed = dismissals.set_dismissed(exercise, payload["keys"], payload["dismissed"])
    except ValueError as error:
        database.rollback()
        return jsonify(error=str(error)), 400
    database.commit()
    return jsonify(dismissed=dismissed), 200


@blueprint.route("/<int:exercise_id>/preview")
@access(INSTRUCTOR)
def preview(exercise_id: int) -> str:
    """The exercise as a trainee sees it, without the key."""
    exercise = permissions.exercise_for_viewer(db.session(), current_user, exercise_id)
    return render_template("instructor/authoring/preview.html", exercise=exercise)


@blueprint.route("/<int:exercise_id>/export.zip")
@access(INSTRUCTOR)
def export(exercise_id: int) -> Response:
    """Download the exercise as a self-contained package zip."""
    database = db.session()
    exercise = permissions.exercise_for_viewer(database, current_user, exercise_id)
    try:
        data = sharing.export_exercise(database, exercise, current_user)
    except PackageError as error:
        abort(409, "This exercise cannot be exported yet: " + "; ".join(str(p) for p in error.problems))
    database.commit()
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{exercise.slug}.zip"'
    return response


@blueprint.route("/import", methods=["POST"])
@access(INSTRUCTOR)
def import_zip() -> werkzeug.Response:
    """Import a package zip as a new draft (or update one's own exercise of the same slug)."""
    form = ImportZipForm()
    database = db.session()
    if form.validate_on_submit():
        try:
            outcome = sharing.import_zip(database, form.file.data.read(), _user())
        except PackageError as error:
            database.rollback()
            form.file.errors = [str(problem) for problem in error.problems]
        else:
            database.commit()
            flash(outcome.message, "success" if outcome.action not in ("refused", "kept-app-edits") else "error")
            return redirect(url_for("authoring.exercises"))
    html = render_template(
        "instructor/authoring/list.html",
        exercises=permissions.visible_exercises(database, current_user),
        import_form=form,
        can_edit=lambda exercise: permissions.can_edit(current_user, exercise),
    )
    return Response(html, status=400)


def _mapping_choices(exercise: Exercise) -> list[tuple[str, str]]:
    return [(c.id, c.name) for c in exercise.categories if not c.grouped]


@blueprint.route("/import-semeval", methods=["GET", "POST"])
@access(INSTRUCTOR)
def import_semeval() -> Response | str:
    """Step one of a SemEval import: the article files and the labels file make a draft."""
    form = SemevalUploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return Response(render_template("instructor/authoring/semeval_upload.html", form=form), status=status)
    database = db.session()
    try:
        files = {upload.filename: upload_text(upload.filename, upload.read()) for upload in form.articles.data}
        labels_text = form.labels.data.read().decode("utf-8-sig")
        exercise, labels = sharing.create_semeval_draft(
            database,
            _user(),
            title=required(form.title),
            event_date=required(form.event_date),
            language=required(form.language),
            files=files,
            labels_text=labels_text,
        )
    except semeval.LabelsError as error:
        database.rollback()
        form.labels.errors = error.problems
        return Response(render_template("instructor/authoring/semeval_upload.html", form=form), status=400)
    except (UploadError, ValueError, UnicodeDecodeError) as error:
        database.rollback()
        form.articles.errors = [str(error)]
        return Response(render_template("instructor/authoring/semeval_upload.html", form=form), status=400)
    database.commit()
    techniques = semeval.techniques(labels)
    mapping = semeval_mapping_form(techniques, _mapping_choices(exercise), semeval.DEFAULT_MAPPING)
    mapping.labels.data = json.dumps([[l.article, l.technique, l.start, l.end] for l in labels])
    return render_template(
        "instructor/authoring/semeval_mapping.html",
        exercise=exercise,
        form=mapping,
        techniques=techniques,
        count=len(labels),
    )


@blueprint.route("/<int:exercise_id>/semeval-mapping", methods=["POST"])
@access(INSTRUCTOR)
def semeval_mapping(exercise_id: int) -> werkzeug.Response | str:
    """Step two of a SemEval import: the instructor's technique → category mapping makes the key."""
    database = db.session()
    exercise = permissions.exercise_for_editor(database, current_user, exercise_id)
    texts = {article.ref: article.text for article in exercise.articles}
    try:
        rows = json.loads(request.form.get("labels", ""))
        labels = [semeval.Label(str(a), str(t), int(s), int(e)) for a, t, s, e in rows]
    except (ValueError, TypeError):
        abort(400, "The labels did not come through; start the SemEval import again.")
    if any(
        label.article not in texts or not 0 <= label.start < label.end <= len(texts[label.article]) for label in labels
    ):
        abort(400, "The labels do not fit this exercise's articles; start the SemEval import again.")
    techniques = semeval.techniques(labels)
    form = semeval_mapping_form(techniques, _mapping_choices(exercise), semeval.DEFAULT_MAPPING)
    if not form.validate_on_submit():
        html = render_template(
            "instructor/authoring/semeval_mapping.html",
            exercise=exercise,
            form=form,
            techniques=techniques,
            count=len(labels),
        )
        return Response(html, status=400)
    mapping = {
        technique: getattr(form, f"technique_{index}").data or None for index, technique in enumerate(techniques)
    }
    try:
        saved = sharing.apply_semeval_mapping(database, _user(), exercise, labels, mapping)
    except PackageError as error:
        database.rollback()
        form.labels.errors = [str(problem) for problem in error.problems]
        html = render_template(
            "instructor/authoring/semeval_mapping.html",
            exercise=exercise,
            form=form,
            techniques=techniques,
            count=len(labels),
        )
        return Response(html, status=400)
    database.commit()
    flash(
        f"The key has {len(saved.version.items)} items from the SemEval labels. Review them and add explanations.",
        "success",
    )
    return redirect(url_for("authoring.key_editor", exercise_id=exercise.id))
