"""The dashboard's trainee rows: the bytes the template's loop wrote, with the trainees' text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from app import create_app
from instructor.dashboard.trainee_markup import trainee_table_rows
from instructor.dashboard.trainees import TraineeRow

TEMPLATE_LOOP = """\
{% for row in rows %}
      <tr data-user="{{ row.username }}">
        <th scope="row" data-value="{{ row.display_name|lower }}"><a href="{{ results }}/{{ row.user_id }}">{{ row.display_name }}</a>
          <span class="muted small">{{ row.username }}</span></th>
        <td data-value="{{ row.status }}">{{ row.status }}{% if row.late %} <span class="late">late</span>{% endif %}</td>
        {% if row.attempt_id %}
        <td class="num" data-value="{{ row.score }}">{{ row.score|whole_score }}{% if row.instructor_points %} <span class="muted small">automatic, instructor {{ "%+g"|format(row.instructor_points) }}</span>{% endif %}</td><td class="num" data-value="{{ row.precision }}">{{ row.precision|percent }}</td>
        <td class="num" data-value="{{ row.recall }}">{{ row.recall|percent }}</td><td class="num" data-value="{{ row.false_positives }}">{{ row.false_positives }}</td>
        <td class="num" data-value="{{ row.seconds }}">{{ row.seconds|duration }}</td>
        <td data-value="{{ row.submitted_at.isoformat() }}">{{ row.submitted_at.strftime('%Y-%m-%d %H:%M') }}</td>
        {% else %}
        <td class="num" data-value=""></td><td class="num" data-value=""></td><td class="num" data-value=""></td><td class="num" data-value=""></td><td class="num" data-value=""></td><td data-value=""></td>
        {% endif %}
      </tr>
    {% endfor %}"""
"""The dashboard template's loop over the rows before they were written in Python: the reference."""

# The app is only asked for its template environment (autoescape and the formatting filters).
APP: Flask = create_app({"TESTING": True, "SECRET_KEY": "markup", "DATABASE_URL": "sqlite://"})
REFERENCE = APP.jinja_env.from_string(TEMPLATE_LOOP)

RESULTS = "/instructor/cohorts/3/exercises/7/trainees"
TEXT = st.text(st.sampled_from("aZé <>&\"'’ "), max_size=8)
SHARE = st.none() | st.floats(0, 1)


SUBMITTED = TraineeRow(
    user_id=4,
    username="ann",
    display_name="Ann",
    is_demo=False,
    attempt_id=9,
    score=62.5,
    precision=0.5,
    recall=0.125,
    seconds=754.25,
    submitted_at=datetime(2026, 12, 3, 9, 5, 7, tzinfo=UTC),
    late=False,
    in_progress=False,
    false_positives=3,
)
NOT_SUBMITTED = replace(
    SUBMITTED,
    attempt_id=None,
    score=None,
    precision=None,
    recall=None,
    seconds=None,
    submitted_at=None,
    late=None,
    false_positives=None,
)


@st.composite
def rows(draw: st.DrawFn) -> TraineeRow:
    """A trainee in any state, with names of characters that need escaping."""
    row = replace(
        SUBMITTED if draw(st.booleans()) else NOT_SUBMITTED,
        user_id=draw(st.integers(1, 10**6)),
        username=draw(TEXT),
        display_name=draw(TEXT),
        in_progress=draw(st.booleans()),
    )
    if row.attempt_id is None:
        return row
    return replace(
        row,
        attempt_id=draw(st.integers(1, 10**6)),
        score=draw(st.floats(0, 100)),
        precision=draw(SHARE),
        recall=draw(SHARE),
        seconds=draw(st.none() | st.floats(0, 10**6)),
        submitted_at=draw(st.datetimes(timezones=st.none() | st.just(UTC))),
        late=draw(st.none() | st.booleans()),
        false_positives=draw(st.none() | st.integers(0, 300)),
        instructor_points=draw(st.none() | st.floats(-10, 10, allow_subnormal=False)),
    )


@settings(max_examples=300)
@given(st.lists(rows(), max_size=4))
def test_rows_are_the_templates_bytes(table: list[TraineeRow]) -> None:
    assert str(trainee_table_rows(table, RESULTS)) == REFERENCE.render(rows=table, results=RESULTS)


def test_names_are_escaped_and_figures_written() -> None:
    row = replace(SUBMITTED, username="<b>ann", display_name='Ann "A&B"', late=True, instructor_points=2.0)
    assert str(trainee_table_rows([row], RESULTS)) == (
        '\n      <tr data-user="&lt;b&gt;ann">\n'
        '        <th scope="row" data-value="ann &#34;a&amp;b&#34;">'
        '<a href="/instructor/cohorts/3/exercises/7/trainees/4">Ann &#34;A&amp;B&#34;</a>\n'
        '          <span class="muted small">&lt;b&gt;ann</span></th>\n'
        '        <td data-value="submitted">submitted <span class="late">late</span></td>\n'
        "        \n"
        '        <td class="num" data-value="62.5">63 <span class="muted small">automatic, instructor +2</span></td>'
        '<td class="num" data-value="0.5">50%</td>\n'
        '        <td class="num" data-value="0.125">13%</td><td class="num" data-value="3">3</td>\n'
        '        <td class="num" data-value="754.25">13 min</td>\n'
        '        <td data-value="2026-12-03T09:05:07+00:00">2026-12-03 09:05</td>\n'
        "        \n"
        "      </tr>\n    "
    )
