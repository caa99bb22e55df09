"""attempts know their cohort; late work and deadline extensions

An attempt records the cohort whose assignment it was made for, so an instructor sees only work
done for a cohort they teach. Existing attempts get the lowest-numbered cohort of their trainee
that has the exercise set (deterministic; before this, every such cohort's instructors saw it);
an attempt whose trainee no cohort set the exercise for keeps None and no dashboard shows it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f("ix_attempts_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_attempts_cohort_id_cohorts"), "cohorts", ["cohort_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_late", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "deadline_extensions",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id", "exercise_id"],
            ["assignments.cohort_id", "assignments.exercise_id"],
            name=op.f("fk_deadline_extensions_cohort_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deadline_extensions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("cohort_id", "exercise_id", "user_id", name=op.f("pk_deadline_extensions")),
    )
    op.execute(
        """
        UPDATE attempts SET cohort_id = (
            SELECT min(cohort_trainees.cohort_id)
            FROM cohort_trainees
            JOIN assignments ON assignments.cohort_id = cohort_trainees.cohort_id
            WHERE cohort_trainees.user_id = attempts.user_id AND assignments.exercise_id = attempts.exercise_id
        )
        WHERE cohort_id IS NULL
        """
    )


def downgrade() -> None:
    op.drop_table("deadline_extensions")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("allow_late")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attempts_cohort_id_cohorts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attempts_cohort_id"))
        batch_op.drop_column("late")
        batch_op.drop_column("cohort_id")
