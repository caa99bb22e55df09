"""Dashboard pages: an exercise's figures for one cohort, key gaps, a trainee's result and exports."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC
from typing import Any

import werkzeug
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, selectinload

from app import audit, csv_export, db, grading
from app.access import INSTRUCTOR, access, cohort_for_instructor
from app.cohort_figures.heatmap import coverage, flags_at, heat_level, span_counts
from app.cohort_figures.scope import Scope, scope_for, submission_count
from app.deadlines import close_overdue, now
from app.forms import ConfirmForm, required
from app.models import Article, Assignment, Attempt, AttemptGrant, DeadlineExtension, KeyVersion, Score, User
from instructor.cohorts import membership
from instructor.dashboard import ceiling, exports, judgement, key_gaps
from instructor.dashboard.attention import LOW_SCORE
from instructor.dashboard.forms import (
    AcceptAlternativeForm,
    AcceptExtentForm,
    AddToKeyForm,
    ExtensionForm,
    GapShareForm,
    category_choices,
)
from instructor.dashboard.heatmap_markup import heatmap_spans
from instructor.dashboard.overview import build_dashboard
from instructor.dashboard.trainee_markup import trainee_table_rows
from instructor.dashboard.trainees import submitted_attempts
from scoring.report import report_from_dict

blueprint = Blueprint("dashboard", __name__, url_prefix="/instructor", template_folder="../templates")
blueprint.add_app_template_filter(heatmap_spans, "heatmap_spans")
blueprint.add_app_template_filter(heat_level, "heat_level")
blueprint.add_app_template_filter(trainee_table_rows, "trainee_table_rows")

DASHBOARD = "/cohorts/<int:cohort_id>/exercises/<int:exercise_id>"


def _scope(database: Session, cohort_id: int, exercise_id: int) -> Scope:
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    scope = scope_for(database, cohort, exercise_id)
    close_overdue(database, now(), Attempt.cohort_id == cohort.id, Attempt.exercise_id == exercise_id)
    return scope


def _gap_share() -> tuple[GapShareForm, float]:
    """The share of submissions that makes a possible key gap: from the query, else the setting."""
    form = GapShareForm(request.args)
    if request.args.get("share") and form.validate() and form.share.data is not None:
        return form, form.share.data / 100
    share = float(current_app.config.get("KEY_GAP_SHARE", key_gaps.DEFAULT_SHARE))
    form.share.data = round(share * 100, 1)
    return form, share


def _key_history(database: Session, exercise_id: int) -> Sequence[Row[KeyVersion, str | None]]:
    """Every key version of the exercise and who made it, the newest first: the current one
    (`grading.current_key_version`) comes with the history, in one statement."""
    history = database.execute(
        select(KeyVersion, User.display_name)
        .outerjoin(User, User.id == KeyVersion.created_by_id)
        .where(KeyVersion.exercise_id == exercise_id)
        .order_by(KeyVersion.number.desc())
    ).all()
    if not history:
        raise LookupError(f"exercise {exercise_id} has no key")
    return history


def _dashboard_page(
    database: Session, scope: Scope, *, status: int = 200, problems: list[str] | None = None
) -> Response:
    history = _key_history(database, scope.exercise.id)
    key = history[0][0]
    board = build_dashboard(database, scope, key.items, key.ratings, page=request.args.get("page", 1, type=int))
    share_form, share = _gap_share()
    clusters = key_gaps.unkeyed_clusters(database, scope, key.items, board.spans, board.summary.submissions, share)
    disagreements = key_gaps.category_disagreements(board.status_counts, key.items, board.summary.submissions, share)
    texts = {article.ref: article.text for article in scope.exercise.articles}
    near = key_gaps.near_misses(board.outlying, key.items, texts, board.summary.submissions, share)
    extent_forms = [
        AcceptExtentForm(formdata=None, data={"item_id": miss.item.id, "start": miss.start, "end": miss.end})
        for miss in near
    ]
    add_forms = []
    for cluster in clusters:
        form = AddToKeyForm(
            formdata=None,
            data={
                "article": cluster.article_ref,
                "start": cluster.proposed_start,
                "end": cluster.proposed_end,
                "category": cluster.proposed_category,
            },
        )
        form.category.choices = category_choices(scope.exercise)
        add_forms.append(form)
    accept_forms = []
    for gap in disagreements:
        accept_form = AcceptAlternativeForm(formdata=None, data={"item_id": gap.item.id, "category": gap.category})
        accept_form.category.choices = category_choices(scope.exercise)
        accept_forms.append(accept_form)
    assignments = database.scalars(
        select(Assignment).where(Assignment.cohort_id == scope.cohort.id).options(selectinload(Assignment.exercise))
    ).all()
    html = render_template(
        "instructor/dashboard.html",
        board=board,
        scope=scope,
        key=key,
        ceiling=ceiling.ceiling(scope.exercise, key, board.summary),
        category_names=scope.exercise.category_names,
        share=share,
        share_form=share_form,
        gaps=list(zip(clusters, add_forms)),
        disagreements=list(zip(disagreements, accept_forms)),
        near_misses=list(zip(near, extent_forms)),
        show_all_items=request.args.get("items") == "all",
        low_score=LOW_SCORE,
        history=history,
        assignments=assignments,
        problems=problems or [],
        spread=judgement.discernment_spread(database, scope),
        calibration=judgement.cohort_calibration(database, scope) if scope.exercise.asks_confidence else None,
    )
    return Response(html, status=status)


@blueprint.route(DASHBOARD + "/dashboard")
@access(INSTRUCTOR)
def dashboard(cohort_id: int, exercise_id: int) -> Response:
    """How the cohort did on the exercise: completion, scores, items, categories, heatmap, gaps."""
    database = db.session()
    return _dashboard_page(database, _scope(database, cohort_id, exercise_id))


@blueprint.route(DASHBOARD + "/heatmaps/<article_ref>")
@access(INSTRUCTOR)
def article_heatmap(cohort_id: int, exercise_id: int, article_ref: str) -> Response:
    """One article's heatmap: a page of its own, or with ``?fragment=1`` the heatmap alone, which
    the dashboard of a large exercise inserts when the article is opened."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    article = database.scalar(
        select(Article).where(Article.exercise_id == scope.exercise.id, Article.ref == article_ref)
    )
    if article is None:
        abort(404, "This exercise has no such article.")
    key = grading.current_key_version(database, scope.exercise.id)
    submissions = submission_count(database, scope)
    [heat] = coverage([article], span_counts(database, scope, article_ref=article.ref), key.items, submissions)
    if request.args.get("fragment") == "1":
        return Response(get_template_attribute("instructor/_heatmap.html", "heatmap")(heat))
    return Response(
        render_template("instructor/dashboard_heatmap.html", scope=scope, heat=heat, submissions=submissions)
    )


@blueprint.route(DASHBOARD + "/dashboard/flags")
@access(INSTRUCTOR)
def dashboard_flags_at(cohort_id: int, exercise_id: int) -> Response:
    """The flags covering one character of one article (a hot spot of the heatmap), as JSON."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    article = request.args.get("article", "")
    offset = request.args.get("at", type=int)
    if article not in {a.ref for a in scope.exercise.articles}:
        abort(400, "Give the article of the hot spot (article=...).")
    # Past MAX_ID the number no longer fits the database's integers: a 500 from the driver.
    if offset is None or not 0 <= offset <= db.MAX_ID:
        abort(400, "Give the offset of the hot spot as a whole number (at=...).")
    total, flags = flags_at(database, scope, article, offset)
    names = scope.exercise.category_names
    return jsonify(
        {
            "article": article,
            "at": offset,
            "total": total,
            "flags": [
                {
                    "trainee": flag.trainee,
                    "quote": flag.quote,
                    "category": names.get(flag.category, flag.category),
                    "note": flag.note,
                    "start": flag.start,
                    "end": flag.end,
                }
                for flag in flags
            ],
        }
    )


KeyChange = Callable[[Session, Scope, Any], tuple[KeyVersion, int]]


def _change_key(
    cohort_id: int,
    exercise_id: int,
    form_class: type[AddToKeyForm | AcceptAlternativeForm | AcceptExtentForm],
    change: KeyChange,
    *,
    anchor: str = "key-gaps",
) -> werkzeug.Response:
    """Validate the posted form and apply ``change``; commit and report, or show problems with a 400."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    form = form_class()
    if hasattr(form, "category"):
        form.category.choices = category_choices(scope.exercise)
    if not form.validate_on_submit():
        problems = [
            f"{getattr(form, name).label.text or name}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return _dashboard_page(database, scope, status=400, problems=problems)
    try:
        version, rescored = change(database, scope, form)
    except key_gaps.KeyChangeError as error:
        database.rollback()
        return _dashboard_page(database, scope, status=400, problems=error.problems)
    database.commit()
    flash(f"Key version {version.number} saved: {version.note}. {rescored} submissions rescored.", "success")
    return redirect(
        url_for("dashboard.dashboard", cohort_id=scope.cohort.id, exercise_id=scope.exercise.id) + "#" + anchor
    )


def _add_from_form(database: Session, scope: Scope, form: AddToKeyForm) -> tuple[KeyVersion, int]:
    return key_gaps.add_to_key(
        database,
        scope.exercise,
        current_user,
        article=required(form.article),
        start=required(form.start),
        end=required(form.end),
        category=form.category.data,
        points=float(required(form.points)),
        explanation=required(form.explanation),
        note=form.note.data or "",
    )


def _accept_from_form(database: Session, scope: Scope, form: AcceptAlternativeForm) -> tuple[KeyVersion, int]:
    return key_gaps.accept_alternative(
        database,
        scope.exercise,
        current_user,
        item_id=required(form.item_id),
        category=form.category.data,
        note=form.note.data or "",
    )


def _extent_from_form(database: Session, scope: Scope, form: AcceptExtentForm) -> tuple[KeyVersion, int]:
    return key_gaps.accept_extent(
        database,
        scope.exercise,
        current_user,
        item_id=required(form.item_id),
        start=required(form.start),
        end=required(form.end),
        note=form.note.data or "",
    )


@blueprint.route(DASHBOARD + "/key/extent", methods=["POST"])
@access(INSTRUCTOR)
def accept_extent(cohort_id: int, exercise_id: int) -> werkzeug.Response:
    """Accept the span most near-miss flags chose as an alternative extent of a key item; rescore."""
    return _change_key(cohort_id, exercise_id, AcceptExtentForm, _extent_from_form, anchor="near-misses")


@blueprint.route(DASHBOARD + "/key/add", methods=["POST"])
@access(INSTRUCTOR)
def add_key_item(cohort_id: int, exercise_id: int) -> werkzeug.Response:
    """Add an unkeyed span to the key as a new item, as a new key version; rescore."""
    return _change_key(cohort_id, exercise_id, AddToKeyForm, _add_from_form)


@blueprint.route(DASHBOARD + "/key/accept", methods=["POST"])
@access(INSTRUCTOR)
def accept_alternative(cohort_id: int, exercise_id: int) -> werkzeug.Response:
    """Accept a category for an existing key item (its ``also``), as a new key version; rescore."""
    return _change_key(cohort_id, exercise_id, AcceptAlternativeForm, _accept_from_form)


@blueprint.route(DASHBOARD + "/trainees/<int:user_id>")
@access(INSTRUCTOR)
def trainee_result(cohort_id: int, exercise_id: int, user_id: int) -> Response:
    """One trainee's submitted attempts with their current scores and debrief."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    trainee = membership.trainee_in_cohort(database, scope.cohort, user_id)
    attempts = database.scalars(submitted_attempts(scope, trainee.id)).all()
    scores = {
        score.attempt_id: score
        for score in database.scalars(
            select(Score)
            .where(Score.attempt_id.in_([a.id for a in attempts]), Score.is_current.is_(True))
            .options(selectinload(Score.key_version))
        )
    }
    debriefs = {
        attempt_id: (report_from_dict(score.report), score.key_version.items) for attempt_id, score in scores.items()
    }
    grants = database.scalar(
        select(func.count())
        .select_from(AttemptGrant)
        .where(AttemptGrant.user_id == trainee.id, AttemptGrant.exercise_id == scope.exercise.id)
    )
    return Response(
        render_template(
            "instructor/dashboard_trainee.html",
            scope=scope,
            trainee=trainee,
            attempts=attempts,
            scores=scores,
            debriefs=debriefs,
            grants=grants,
            confirm_form=ConfirmForm(),
            extension_form=ExtensionForm(),
            extension=database.get(DeadlineExtension, (scope.cohort.id, scope.exercise.id, trainee.id)),
        )
    )


@blueprint.route(DASHBOARD + "/trainees/<int:user_id>/extension", methods=["POST"])
@access(INSTRUCTOR)
def extend_deadline(cohort_id: int, exercise_id: int, user_id: int) -> werkzeug.Response:
    """Give one trainee a later deadline for the cohort's exercise."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    trainee = membership.trainee_in_cohort(database, scope.cohort, user_id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        abort(400, "; ".join(message for messages in form.errors.values() for message in messages))
    key = (scope.cohort.id, scope.exercise.id, trainee.id)
    extension = database.get(DeadlineExtension, key) or DeadlineExtension(
        cohort_id=key[0], exercise_id=key[1], user_id=key[2]
    )
    extension.deadline = required(form.deadline).replace(tzinfo=UTC)
    database.add(extension)
    audit.record(
        database,
        current_user,
        "cohort.deadline_extended",
        cohort=scope.cohort,
        exercise=scope.exercise,
        detail={"user_id": trainee.id, "username": trainee.username, "deadline": extension.deadline.isoformat()},
    )
    database.commit()
    flash(
        f"{trainee.display_name} may work on {scope.exercise.title} until {extension.deadline:%Y-%m-%d %H:%M} UTC.",
        "success",
    )
    return redirect(url_for("dashboard.trainee_result", cohort_id=cohort_id, exercise_id=exercise_id, user_id=user_id))


@blueprint.route(DASHBOARD + "/trainees/<int:user_id>/retry", methods=["POST"])
@access(INSTRUCTOR)
def allow_retry(cohort_id: int, exercise_id: int, user_id: int) -> werkzeug.Response:
    """Allow the trainee one more attempt at the exercise."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    trainee = membership.trainee_in_cohort(database, scope.cohort, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form expired. Reload the page and try again.")
    database.add(AttemptGrant(user_id=trainee.id, exercise_id=scope.exercise.id, granted_by_id=current_user.id))
    audit.record(
        database,
        current_user,
        "cohort.retry_allowed",
        cohort=scope.cohort,
        exercise=scope.exercise,
        detail={"user_id": trainee.id, "username": trainee.username},
    )
    database.commit()
    flash(f"{trainee.display_name} may make one more attempt at {scope.exercise.title}.", "success")
    return redirect(url_for("dashboard.trainee_result", cohort_id=cohort_id, exercise_id=exercise_id, user_id=user_id))


def _filename(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") or "export" for part in parts)


def _download(chunks: Iterator[str], filename: str, mimetype: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.route("/cohorts/<int:cohort_id>/export/results.csv")
@access(INSTRUCTOR)
def export_results(cohort_id: int) -> Response:
    """Results of every trainee at every exercise set for the cohort, one row each (CSV)."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    close_overdue(database, now(), Attempt.cohort_id == cohort.id)
    assignments = database.scalars(
        select(Assignment).where(Assignment.cohort_id == cohort.id).order_by(Assignment.exercise_id)
    ).all()
    scopes = [Scope(cohort, assignment.exercise) for assignment in assignments]
    rows = exports.result_rows(database, scopes)
    return _download(csv_export.csv_lines(rows), _filename(cohort.name, "results") + ".csv", "text/csv")


@blueprint.route(DASHBOARD + "/export/flags.csv")
@access(INSTRUCTOR)
def export_flags_csv(cohort_id: int, exercise_id: int) -> Response:
    """Every flag of the cohort's submitted attempts at the exercise, with offsets, quotes and what
    the current score made of it (CSV; ``?excel=1`` starts it with a byte order mark for Excel)."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    rows = exports.flag_rows(exports.flag_records(database, scope))
    excel = request.args.get("excel") == "1"
    name = _filename(scope.cohort.name, scope.exercise.slug, "flags", *(["excel"] if excel else [])) + ".csv"
    return _download(csv_export.csv_lines(rows, excel=excel), name, "text/csv; charset=utf-8")


@blueprint.route(DASHBOARD + "/export/flags.json")
@access(INSTRUCTOR)
def export_flags_json(cohort_id: int, exercise_id: int) -> Response:
    """The same flags as the CSV export, as a JSON array."""
    database = db.session()
    scope = _scope(database, cohort_id, exercise_id)
    name = _filename(scope.cohort.name, scope.exercise.slug, "flags") + ".json"
    return _download(exports.json_array(exports.flag_records(database, scope)), name, "application/json")
