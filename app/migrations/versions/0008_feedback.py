"""Instructor feedback on flags: comments for the trainee and discretionary points

Revision ID: 0008_feedback
Revises: 0007_flag_confidence
Create Date: 2026-12-02 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_feedback"
down_revision: str | None = "0007_flag_confidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.Column("article_ref", sa.String(length=80), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_feedback_comments_attempt_id_attempts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_feedback_comments_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_feedback_comments_flag_id_flags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_comments")),
    )
    with op.batch_alter_table("feedback_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_comments_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_comments_flag_id"), ["flag_id"], unique=False)

    op.create_table(
        "feedback_points",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("awarded_by_id", sa.Integer(), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_feedback_points_attempt_id_attempts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["awarded_by_id"], ["users.id"], name=op.f("fk_feedback_points_awarded_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_feedback_points_flag_id_flags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("flag_id", name=op.f("pk_feedback_points")),
    )
    with op.batch_alter_table("feedback_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_points_attempt_id"), ["attempt_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feedback_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_points_attempt_id"))
    op.drop_table("feedback_points")
    with op.batch_alter_table("feedback_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_comments_flag_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_comments_attempt_id"))
    op.drop_table("feedback_comments")
