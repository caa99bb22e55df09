"""covering indexes for the instructor dashboard

The dashboard aggregates every current score item and every flag of a cohort. These indexes hold
all the columns those grouped scans read, so the database answers them from the index alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("score_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_score_items_outcome", ["score_id", "item_id", "status", "chosen_category", "credit"], unique=False
        )
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flags_attempt_span", ["attempt_id", "article_ref", "start", "end", "category"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_attempt_span")
    with op.batch_alter_table("score_items", schema=None) as batch_op:
        batch_op.drop_index("ix_score_items_outcome")
