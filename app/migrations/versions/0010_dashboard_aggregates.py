"""The dashboard's figures kept as scores are stored: counted submissions, item and span tallies

Revision ID: 0010_dashboard_aggregates
Revises: 0009_cohort_view
Create Date: 2026-12-03 07:00:00

The tables are filled from the stored attempts, scores and flags, as `app.cohort_figures.tallies`
keeps them from now on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.cohort_figures.tallies import UNTALLIED_STATUSES, report_figures

revision: str = "0010_dashboard_aggregates"
down_revision: str | None = "0009_cohort_view"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _tally_keys() -> list[sa.Column[int]]:
    return [
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
    ]


def _tally_references(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f(f"fk_{table}_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f(f"fk_{table}_exercise_id_exercises"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "counted_submissions",
        *_tally_keys(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("precision", sa.Float(), nullable=False),
        sa.Column("recall", sa.Float(), nullable=False),
        sa.Column("f1", sa.Float(), nullable=False),
        sa.Column("false_positives", sa.Integer(), nullable=False),
        sa.Column("span_f1", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_score", sa.Float(), nullable=True),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("sound", sa.Integer(), nullable=False),
        sa.Column("false_alarms", sa.Integer(), nullable=False),
        sa.Column("outlying_flags", sa.JSON(), nullable=False),
        *_tally_references("counted_submissions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_counted_submissions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_counted_submissions_attempt_id_attempts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["score_id"], ["scores.id"], name=op.f("fk_counted_submissions_score_id_scores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("cohort_id", "exercise_id", "user_id", name=op.f("pk_counted_submissions")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_counted_submissions_attempt_id")),
        sa.UniqueConstraint("score_id", name=op.f("uq_counted_submissions_score_id")),
    )
    op.create_table(
        "item_tallies",
        *_tally_keys(),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("chosen_category", sa.String(length=64), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("credit", sa.Float(), nullable=False),
        *_tally_references("item_tallies"),
        sa.PrimaryKeyConstraint(
            "cohort_id", "exercise_id", "item_id", "status", "chosen_category", name=op.f("pk_item_tallies")
        ),
    )
    op.create_table(
        "span_tallies",
        *_tally_keys(),
        sa.Column("article_ref", sa.String(length=80), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        *_tally_references("span_tallies"),
        sa.PrimaryKeyConstraint(
            "cohort_id", "exercise_id", "article_ref", "start", "end", "category", name=op.f("pk_span_tallies")
        ),
    )
    _fill()


def _fill() -> None:
    """Count what the tables hold from the stored rows: each trainee's latest submitted attempt
    for a cohort they belong to, with its current score."""
    connection = op.get_bind()
    connection.execute(
        sa.text(
            """
            INSERT INTO counted_submissions (
                cohort_id, exercise_id, user_id, attempt_id, score_id, score, precision, recall, f1,
                false_positives, span_f1, note, scored_at, previous_score,
                problems, hits, sound, false_alarms, outlying_flags)
            SELECT a.cohort_id, a.exercise_id, a.user_id, a.id, s.id, s.score, s.precision, s.recall, s.f1,
                0, 0.0, s.note, s.created_at,
                (SELECT p.score FROM scores p WHERE p.attempt_id = s.attempt_id AND p.id < s.id
                 ORDER BY p.id DESC LIMIT 1),
                0, 0, 0, 0, '[]'
            FROM attempts a
            JOIN scores s ON s.attempt_id = a.id AND s.is_current
            JOIN cohort_trainees t ON t.cohort_id = a.cohort_id AND t.user_id = a.user_id
            WHERE a.id IN (
                SELECT max(id) FROM attempts WHERE submitted_at IS NOT NULL AND cohort_id IS NOT NULL
                GROUP BY cohort_id, exercise_id, user_id)
            """
        )
    )
    counted = sa.table("counted_submissions", sa.column("score_id", sa.Integer()))
    scores = sa.table("scores", sa.column("id", sa.Integer()), sa.column("report", sa.JSON()))
    filled = sa.table(
        "counted_submissions",
        sa.column("score_id", sa.Integer()),
        sa.column("false_positives", sa.Integer()),
        sa.column("span_f1", sa.Float()),
        sa.column("problems", sa.Integer()),
        sa.column("hits", sa.Integer()),
        sa.column("sound", sa.Integer()),
        sa.column("false_alarms", sa.Integer()),
        sa.column("outlying_flags", sa.JSON()),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(scores.c.id, scores.c.report)
            .join(counted, counted.c.score_id == scores.c.id)
            .where(scores.c.id > last)
            .order_by(scores.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            filled.update().where(filled.c.score_id == sa.bindparam("counted_score_id")),
            [{"counted_score_id": score_id, **report_figures(report)} for score_id, report in rows],
        )
        last = rows[-1][0]
    untallied = ", ".join(f"'{status}'" for status in UNTALLIED_STATUSES)
    connection.execute(
        sa.text(
            f"""
            INSERT INTO item_tallies (cohort_id, exercise_id, item_id, status, chosen_category, submissions, credit)
            SELECT c.cohort_id, c.exercise_id, i.item_id, i.status, coalesce(i.chosen_category, ''), count(*),
                sum(i.credit)
            FROM counted_submissions c JOIN score_items i ON i.score_id = c.score_id
            WHERE i.status NOT IN ({untallied})
            GROUP BY c.cohort_id, c.exercise_id, i.item_id, i.status, coalesce(i.chosen_category, '')
            """
        )
    )
    connection.execute(
        sa.text(
            """
            INSERT INTO span_tallies (cohort_id, exercise_id, article_ref, start, "end", category, flags)
            SELECT c.cohort_id, c.exercise_id, f.article_ref, f.start, f."end", f.category, count(*)
            FROM counted_submissions c JOIN flags f ON f.attempt_id = c.attempt_id
            GROUP BY c.cohort_id, c.exercise_id, f.article_ref, f.start, f."end", f.category
            """
        )
    )


def downgrade() -> None:
    op.drop_table("span_tallies")
    op.drop_table("item_tallies")
    op.drop_table("counted_submissions")
