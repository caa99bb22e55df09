"""The cohort view of an assignment: offered or not, and when an instructor released it early

Revision ID: 0009_cohort_view
Revises: 0008_feedback
Create Date: 2026-12-02 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_cohort_view"
down_revision: str | None = "0008_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_view", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("cohort_view_released_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("cohort_view_released_at")
        batch_op.drop_column("cohort_view")
