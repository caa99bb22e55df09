"""A partial index on the outlying tallies that count flags or groups opened, with every column

Revision ID: 0013_outlying_counting_index
Revises: 0012_flag_article_span_index
Create Date: 2026-12-03 19:30:00

The dashboard reads the outlying tallies that count flags or groups opened; the others count gaps
alone, 16,327 of a 50-article cohort's 22,323. Without the index every tally of the cohort was
read from the table to find the few thousand it wants; with it they are read from the index alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_outlying_counting_index"
down_revision: str | None = "0012_flag_article_span_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTING = "flags != 0 OR opened != 0"
COLUMNS = ["cohort_id", "exercise_id", "outcome", "item_id", "article_ref", "start", "end", "flags", "opened", "gaps"]


def upgrade() -> None:
    op.create_index(
        "ix_outlying_tallies_counting",
        "outlying_tallies",
        COLUMNS,
        unique=False,
        sqlite_where=sa.text(COUNTING),
        postgresql_where=sa.text(COUNTING),
    )


def downgrade() -> None:
    op.drop_index("ix_outlying_tallies_counting", table_name="outlying_tallies")
