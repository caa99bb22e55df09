"""source ratings, article tracing and publication dates, score history

- ``articles.published`` and ``articles.tracing``: the publication date a text states (empty: not
  stated) and how a professional would trace it, for the workspace and the debrief;
- ``key_versions.ratings``: the instructor's Admiralty ratings of the articles' sources;
- ``source_ratings``: a trainee's ratings, one per article of an attempt;
- ``scores.rules`` and ``scores.note``: the scoring rules a score was made under, and why it
  replaced the attempt's previous score. Existing scores were made under rules 1;
- ``exercises.calibration``: the blind answer sets an exercise package carries, to read grades
  against.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published", sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("tracing", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("key_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ratings", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calibration", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "source_ratings",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("article_ref", sa.String(length=80), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.String(length=1), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_source_ratings_attempt_id_attempts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("attempt_id", "article_ref", name=op.f("pk_source_ratings")),
    )


def downgrade() -> None:
    op.drop_table("source_ratings")
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("rules")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_column("calibration")
    with op.batch_alter_table("key_versions", schema=None) as batch_op:
        batch_op.drop_column("ratings")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("tracing")
        batch_op.drop_column("published")
