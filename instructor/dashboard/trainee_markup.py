"""The dashboard's trainee table rows as HTML, written in Python rather than in the template.

A page of the table has 500 rows of eight cells: Jinja's loop, attribute lookups, filters and
escapes over them were the largest part of the 500-trainee dashboard's rendering. The bytes are
the template's: values are written with ``str`` as Jinja writes them, and the trainees' own text
(names and usernames) is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from app.formatting import duration, percent, whole_score
from instructor.dashboard.trainees import TraineeRow

_LATE = ' <span class="late">late</span>'
_NOT_SUBMITTED = (
    '\n        <td class="num" data-value=""></td><td class="num" data-value=""></td><td class="num" data-value="">'
    '</td><td class="num" data-value=""></td><td class="num" data-value=""></td><td data-value=""></td>\n        '
)
"""The six figure cells of a trainee without a counted submission."""


def _figures(row: TraineeRow) -> str:
    """The six figure cells of a trainee's counted submission (numbers and dates: nothing to escape)."""
    score, submitted_at = row.score, row.submitted_at
    assert score is not None and submitted_at is not None  # a counted submission was scored and submitted
    points = row.instructor_points
    adjusted = f' <span class="muted small">automatic, instructor {"%+g" % points}</span>' if points else ""  # noqa: UP031  # the template's format filter, byte for byte
    return (
        f'\n        <td class="num" data-value="{score}">{whole_score(score)}{adjusted}</td>'
        f'<td class="num" data-value="{row.precision}">{percent(row.precision)}</td>\n'
        f'        <td class="num" data-value="{row.recall}">{percent(row.recall)}</td>'
        f'<td class="num" data-value="{row.false_positives}">{row.false_positives}</td>\n'
        f'        <td class="num" data-value="{row.seconds}">{duration(row.seconds)}</td>\n'
        f'        <td data-value="{submitted_at.isoformat()}">{submitted_at:%Y-%m-%d %H:%M}</td>\n        '
    )


def trainee_table_rows(rows: Iterable[TraineeRow], results_url: str) -> Markup:
    """The table body's rows, each trainee's name linking to ``results_url``/their id."""
    results = escape(results_url)
    html = []
    for row in rows:
        username = escape(row.username)
        status = row.status  # one of three words the code writes
        html.append(
            f'\n      <tr data-user="{username}">\n'
            f'        <th scope="row" data-value="{escape(row.display_name.lower())}">'
            f'<a href="{results}/{row.user_id}">{escape(row.display_name)}</a>\n'
            f'          <span class="muted small">{username}</span></th>\n'
            f'        <td data-value="{status}">{status}{_LATE if row.late else ""}</td>\n'
            f"        {_figures(row) if row.attempt_id else _NOT_SUBMITTED}\n"
            "      </tr>\n    "
        )
    return Markup("".join(html))
