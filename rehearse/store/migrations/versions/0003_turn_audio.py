"""Turn audio as FLAC bytes in the database, for a server that trainers on other machines replay from.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turn_audio",
        sa.Column("turn_id", sa.Integer, sa.ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("track", sa.String(20), primary_key=True),
        sa.Column("flac", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("turn_audio")
