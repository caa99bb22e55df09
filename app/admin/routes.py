"""The audit trail for administrators: newest first, filtered, a page at a time, and as CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from app import audit, db
from app.access import ADMIN, access
from app.admin.forms import AuditFilterForm
from app.csv_export import csv_lines
from app.deadlines import now

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.set_actions(audit.actions(db.session()))
    return form


def _problems(form: AuditFilterForm) -> str:
    return "; ".join(
        f"{form[name].label.text}: {message}" for name, messages in form.errors.items() for message in messages
    )


def _query_args(form: AuditFilterForm, **changes: Any) -> dict[str, Any]:
    """The filter as URL parameters (empty ones left out), for the next page and the CSV link."""
    values = {name: field.data for name, field in form._fields.items() if name != "page"}
    values.update(changes)
    return {name: value for name, value in values.items() if value not in (None, "")}


@blueprint.route("/audit")
@access(ADMIN)
def audit_trail() -> Response:
    """Events newest first, filtered by action, actor, cohort and exercise."""
    form = _filter_form()
    if not form.validate():
        html = render_template("admin/audit.html", form=form, events=[], page_number=1, later=False, args={})
        return Response(html, status=400)
    page_number = form.page.data or 1
    events, later = audit.page(db.session(), form.criteria(), page_number)
    html = render_template(
        "admin/audit.html",
        form=form,
        events=events,
        page_number=page_number,
        later=later,
        args=_query_args(form),
    )
    return Response(html)


@blueprint.route("/audit.csv")
@access(ADMIN)
def audit_csv() -> Response:
    """The filtered trail as CSV, every event, newest first; text cells made formula-safe."""
    form = _filter_form()
    if not form.validate():
        abort(400, _problems(form))
    rows = audit.csv_rows(db.session(), form.criteria())
    response = Response(stream_with_context(csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{now():%Y%m%d-%H%M}.csv"'
    return response
