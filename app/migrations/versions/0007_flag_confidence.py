"""Confidence per flag: an exercise may ask for it; each flag may carry one

Only new columns, off by default for existing exercises, so this revision can be re-chained
after others.

Revision ID: 0007_flag_confidence
Revises: 0006_audit_trail
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_flag_confidence"
down_revision: str | None = "0006_audit_trail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asks_confidence", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_column("confidence")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_column("asks_confidence")
