"""The key gaps' index on flags by article and offset, in place of the index on attempt_id alone

Revision ID: 0012_flag_article_span_index
Revises: 0011_outlying_tallies
Create Date: 2026-12-03 14:40:00

The key gaps' count reads the flags of a few stretches of an article; without this index it read
every flag of the cohort. The index on attempt_id alone goes: the unique (attempt_id, client_id)
and the span index both begin with attempt_id and serve its lookups, so a flag save updates as
many indexes as before.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_flag_article_span_index"
down_revision: str | None = "0011_outlying_tallies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_attempt_id")
        batch_op.create_index("ix_flags_article_span", ["article_ref", "start", "end", "attempt_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_index("ix_flags_article_span")
        batch_op.create_index("ix_flags_attempt_id", ["attempt_id"], unique=False)
