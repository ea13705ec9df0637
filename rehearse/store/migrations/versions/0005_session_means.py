"""Each session's mean scores on its row, and indexes for the trainer's session list at a team's scale
(10,000 sessions: `bench/store_scale.py`): newest first, and by overall score.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from rehearse.store import session_scores

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in session_scores.MEAN_COLUMNS.values():
        op.add_column("sessions", sa.Column(column, sa.Float))
    op.create_index("ix_sessions_started_at", "sessions", ["started_at"])
    op.create_index("ix_sessions_mean_overall", "sessions", ["mean_overall"])
    session_scores.refresh_all(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_sessions_mean_overall", "sessions")
    op.drop_index("ix_sessions_started_at", "sessions")
    for column in session_scores.MEAN_COLUMNS.values():  # SQLite 3.35+ drops a plain column in place
        op.execute(f"ALTER TABLE sessions DROP COLUMN {column}")
