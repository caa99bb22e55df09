"""Who may see and who may change an exercise in the app.

The views enforce it through :func:`exercise_for_viewer` and :func:`exercise_for_editor`:

- An exercise made in the app (or imported from a zip or SemEval files) belongs to its creator
  (``Exercise.created_by_id``). The creator and admins edit it: details, key, publishing.
- Other instructors see it once it is published or closed (a draft stays private: 404), and may
  preview it, export it and set it for cohorts they teach; they may not edit it (403). A
  co-instructor of a cohort it is set for gets no edit right either: one key serves every cohort
  the exercise is set for, so a change would rescore other instructors' trainees.
- An exercise shipped as a package (``created_by_id`` None) is the instance's shared material:
  every instructor may view, preview, export and assign it, and only admins edit it in the app
  (the package file is the place to change it; an in-app edit marks it ``edited_in_app`` so
  ``load-exercises`` does not overwrite it).
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Exercise, ExerciseState, User


def can_edit(user: User, exercise: Exercise) -> bool:
    """The creator and admins edit an app-made exercise; only admins edit a package-shipped one."""
    return user.is_admin or (exercise.created_by_id is not None and exercise.created_by_id == user.id)


def can_view(user: User, exercise: Exercise) -> bool:
    """Editors see every state; other instructors see published and closed exercises."""
    return can_edit(user, exercise) or exercise.state != ExerciseState.DRAFT


def exercise_for_viewer(db: Session, user: User, exercise_id: int) -> Exercise:
    """The exercise if ``user`` may see it; 404 otherwise, so a draft's id reveals nothing."""
    exercise = db.get(Exercise, exercise_id)
    if exercise is None or not can_view(user, exercise):
        abort(404, "No such exercise among those you can see.")
    return exercise


def exercise_for_editor(db: Session, user: User, exercise_id: int) -> Exercise:
    """The exercise if ``user`` may edit it; 404 if they cannot see it, 403 if they only see it."""
    exercise = exercise_for_viewer(db, user, exercise_id)
    if not can_edit(user, exercise):
        if exercise.created_by_id is None:
            abort(403, "Exercises shipped as packages are changed by an admin (or in their package files).")
        abort(403, "Only the instructor who made this exercise, or an admin, can change it.")
    return exercise


def visible_exercises(db: Session, user: User) -> list[Exercise]:
    """Every exercise ``user`` may see, newest first."""
    query = (
        select(Exercise)
        .options(selectinload(Exercise.created_by), selectinload(Exercise.articles))
        .order_by(Exercise.created_at.desc(), Exercise.id.desc())
    )
    if not user.is_admin:
        query = query.where((Exercise.state != ExerciseState.DRAFT) | (Exercise.created_by_id == user.id))
    return list(db.scalars(query))
