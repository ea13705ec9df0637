"""Learners and trainers, scenario versions (a session points to the scenario file it was played with),
trainer ratings and comments per turn; `meta` says schema 3, which releases before Alembic refuse.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("role", sa.String(10), sa.CheckConstraint("role IN ('learner', 'trainer')"), nullable=False),
        sa.Column("team", sa.String(200), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # plain SQL: SQLite adds a column with a reference this way, without rebuilding the table
    op.execute("ALTER TABLE sessions ADD COLUMN scenario_version VARCHAR(64) REFERENCES scenario_versions (hash)")
    op.create_table(
        "ratings",
        *_per_turn_columns(),
        sa.Column("dimension", sa.String(50), nullable=False),
        sa.Column("score", sa.Float, sa.CheckConstraint("score >= 0 AND score <= 100"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "comments",
        *_per_turn_columns(),
        sa.Column("at_seconds", sa.Float, sa.CheckConstraint("at_seconds >= 0"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")


def downgrade() -> None:
    for name in ("comments", "ratings"):
        op.drop_table(name)
    with op.batch_alter_table("sessions") as batch:  # SQLite rebuilds the table to drop a referencing column
        batch.drop_column("scenario_version")
    for name in ("scenario_versions", "people"):
        op.drop_table(name)
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")


def _per_turn_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.Integer, sa.ForeignKey("turns.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("author", sa.String(63), nullable=False),  # the trainer (people.name)
    ]
