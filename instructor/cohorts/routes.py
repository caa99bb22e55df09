"""Cohort pages: cohorts, join codes, trainees, co-instructors and the exercises set for them."""

from __future__ import annotations

from datetime import UTC

import werkzeug
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app import accounts, audit, db
from app.access import INSTRUCTOR, access, cohort_for_instructor
from app.forms import ConfirmForm, SelectChoice, add_error, required
from app.models import Assignment, Cohort, Exercise, ExerciseState, Role, User
from instructor.authoring import publication
from instructor.cohorts import membership
from instructor.cohorts.forms import (
    AssignmentForm,
    CohortForm,
    CoInstructorForm,
    JoinCodeForm,
    TraineeImportForm,
)

blueprint = Blueprint("cohorts", __name__, url_prefix="/instructor", template_folder="../templates")


@blueprint.route("/")
@access(INSTRUCTOR)
def cohorts() -> str:
    return render_template(
        "instructor/cohorts.html",
        cohorts=membership.visible_cohorts(db.session(), current_user),
        form=CohortForm(),
    )


@blueprint.route("/cohorts", methods=["POST"])
@access(INSTRUCTOR)
def create_cohort() -> str | werkzeug.Response:
    form = CohortForm()
    database = db.session()
    if not form.validate_on_submit():
        return Response(
            render_template(
                "instructor/cohorts.html",
                cohorts=membership.visible_cohorts(database, current_user),
                form=form,
            ),
            status=400,
        )
    cohort = Cohort(name=form.name.data, join_code=accounts.new_join_code())
    cohort.instructors.append(current_user._get_current_object())
    database.add(cohort)
    audit.record(database, current_user, "cohort.created", cohort=cohort, detail={"name": cohort.name})
    database.commit()
    flash(f"Cohort {cohort.name} created. Hand out its join code: {cohort.join_code}", "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))


def _assignment_form(cohort: Cohort) -> AssignmentForm:
    form = AssignmentForm()
    assigned = {assignment.exercise_id for assignment in cohort.assignments}
    published = db.session().scalars(
        select(Exercise).where(Exercise.state == ExerciseState.PUBLISHED).order_by(Exercise.title)
    )
    form.exercise_id.choices = [
        SelectChoice(exercise.id, exercise.title) for exercise in published if exercise.id not in assigned
    ]
    return form


def _cohort_page(cohort: Cohort, status: int = 200, **context: object) -> Response:
    context.setdefault("import_form", TraineeImportForm())
    context.setdefault("co_instructor_form", CoInstructorForm())
    context.setdefault("assignment_form", _assignment_form(cohort))
    html = render_template(
        "instructor/cohort.html",
        cohort=cohort,
        join_code_form=JoinCodeForm(),
        confirm_form=ConfirmForm(),
        **context,
    )
    return Response(html, status=status)


@blueprint.route("/cohorts/<int:cohort_id>")
@access(INSTRUCTOR)
def cohort(cohort_id: int) -> Response:
    return _cohort_page(cohort_for_instructor(db.session(), current_user, cohort_id))


@blueprint.route("/cohorts/<int:cohort_id>/join-code", methods=["POST"])
@access(INSTRUCTOR)
def join_code(cohort_id: int) -> werkzeug.Response:
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    form = JoinCodeForm()
    if not form.validate_on_submit():
        return _cohort_page(cohort, status=400)
    if form.action.data == "regenerate":
        cohort.join_code = accounts.new_join_code()
        cohort.join_enabled = True
        message = f"New join code: {cohort.join_code}. The old one no longer works."
    else:
        cohort.join_enabled = form.action.data == "enable"
        message = "Registration with the join code is " + ("open." if cohort.join_enabled else "closed.")
    audit.record(database, current_user, "cohort.join_code_changed", cohort=cohort, detail={"change": form.action.data})
    database.commit()
    flash(message, "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))


@blueprint.route("/cohorts/<int:cohort_id>/trainees/import", methods=["POST"])
@access(INSTRUCTOR)
def import_trainees(cohort_id: int) -> Response:
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    form = TraineeImportForm()
    if not form.validate_on_submit():
        return _cohort_page(cohort, status=400, import_form=form)
    rows, problems = membership.parse_trainee_csv(form.file.data.read())
    imported: list[membership.ImportedTrainee] = []
    if not problems:
        imported, problems = membership.import_trainees(database, cohort, rows, current_user)
    if problems:
        database.rollback()
        for problem in problems:
            add_error(form.file, problem)
        return _cohort_page(cohort, status=400, import_form=form)
    database.commit()
    return _cohort_page(
        cohort,
        one_time_passwords=[(item.user, item.one_time_password) for item in imported],
    )


@blueprint.route("/cohorts/<int:cohort_id>/trainees/<int:user_id>/reset-password", methods=["POST"])
@access(INSTRUCTOR)
def reset_password(cohort_id: int, user_id: int) -> Response:
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    trainee = membership.trainee_in_cohort(database, cohort, user_id)
    if not membership.manages_account(current_user, trainee):
        abort(403, "This trainee is also in a cohort you do not teach: ask an administrator to reset the password.")
    if not ConfirmForm().validate_on_submit():
        return _cohort_page(cohort, status=400)
    password = accounts.reset_password(database, current_user, trainee)
    database.commit()
    return _cohort_page(cohort, one_time_passwords=[(trainee, password)])


@blueprint.route("/cohorts/<int:cohort_id>/instructors", methods=["POST"])
@access(INSTRUCTOR)
def add_co_instructor(cohort_id: int) -> werkzeug.Response:
    """Add an existing instructor, or create an instructor account with a one-time password."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    form = CoInstructorForm()
    if not form.validate_on_submit():
        return _cohort_page(cohort, status=400, co_instructor_form=form)
    user = database.scalar(select(User).where(User.username == form.username.data))
    if user is not None and not user.is_instructor:
        add_error(form.username, "This account belongs to a trainee; pick an instructor's username.")
        return _cohort_page(cohort, status=400, co_instructor_form=form)
    password = None
    if user is None:
        if not form.display_name.data:
            add_error(form.display_name, "No account has this username: give a display name to create one.")
            return _cohort_page(cohort, status=400, co_instructor_form=form)
        password = accounts.generated_password()
        user = accounts.create_user(
            database,
            username=required(form.username),
            display_name=form.display_name.data,
            password=password,
            role=Role.INSTRUCTOR,
            must_change_password=True,
            created_by=current_user,
        )
    if user not in cohort.instructors:
        cohort.instructors.append(user)
        audit.record(
            database,
            current_user,
            "cohort.instructor_added",
            cohort=cohort,
            detail={"user_id": user.id, "username": user.username},
        )
    database.commit()
    if password is None:
        flash(f"{user.display_name} now teaches {cohort.name}.", "success")
        return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
    return _cohort_page(cohort, one_time_passwords=[(user, password)])


@blueprint.route("/cohorts/<int:cohort_id>/assignments", methods=["POST"])
@access(INSTRUCTOR)
def assign_exercise(cohort_id: int) -> werkzeug.Response:
    """Set a published exercise for the cohort, with an optional deadline."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    form = _assignment_form(cohort)
    if not form.validate_on_submit():
        return _cohort_page(cohort, status=400, assignment_form=form)
    deadline = form.deadline.data.replace(tzinfo=UTC) if form.deadline.data else None
    exercise = database.get(Exercise, form.exercise_id.data)
    if exercise is None:
        abort(404, "This exercise no longer exists.")
    publication.assign(
        database,
        current_user,
        exercise,
        cohort,
        deadline,
        allow_late=form.allow_late.data,
        cohort_view=form.cohort_view.data,
    )
    database.commit()
    flash(f"{exercise.title} is set for {cohort.name}.", "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))


@blueprint.route("/cohorts/<int:cohort_id>/assignments/<int:exercise_id>/remove", methods=["POST"])
@access(INSTRUCTOR)
def unassign_exercise(cohort_id: int, exercise_id: int) -> werkzeug.Response:
    """Withdraw an exercise from the cohort; trainees' work on it is kept."""
    database = db.session()
    cohort = cohort_for_instructor(database, current_user, cohort_id)
    assignment = database.get(Assignment, (cohort.id, exercise_id))
    if assignment is None:
        abort(404, "This exercise is not set for this cohort.")
    if not ConfirmForm().validate_on_submit():
        return _cohort_page(cohort, status=400)
    database.delete(assignment)
    audit.record(database, current_user, "cohort.exercise_withdrawn", cohort=cohort, exercise=assignment.exercise)
    database.commit()
    flash("The exercise is withdrawn from the cohort; trainees' work on it is kept.", "success")
    return redirect(url_for("cohorts.cohort", cohort_id=cohort.id))
