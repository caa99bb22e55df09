"""The dashboard's outlying tallies: the counted submissions' flags that matched no key item

Revision ID: 0011_outlying_tallies
Revises: 0010_dashboard_aggregates
Create Date: 2026-12-03 10:00:00

The table is filled from the counted submissions' outlying flags, as `app.cohort_figures.tallies`
keeps it from now on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.cohort_figures.tallies import outlying_rows

revision: str = "0011_outlying_tallies"
down_revision: str | None = "0010_dashboard_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    tallies = op.create_table(
        "outlying_tallies",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("item_id", sa.String(length=80), nullable=False),
        sa.Column("article_ref", sa.String(length=80), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_outlying_tallies_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_outlying_tallies_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "cohort_id",
            "exercise_id",
            "outcome",
            "item_id",
            "article_ref",
            "start",
            "end",
            name=op.f("pk_outlying_tallies"),
        ),
    )
    counted = sa.table(
        "counted_submissions",
        sa.column("cohort_id", sa.Integer()),
        sa.column("exercise_id", sa.Integer()),
        sa.column("outlying_flags", sa.JSON()),
    )
    submissions = op.get_bind().execute(sa.select(counted.c.cohort_id, counted.c.exercise_id, counted.c.outlying_flags))
    rows = outlying_rows((cohort_id, exercise_id, flags, 1) for cohort_id, exercise_id, flags in submissions)
    if rows:
        op.get_bind().execute(tallies.insert(), rows)


def downgrade() -> None:
    op.drop_table("outlying_tallies")
