"""Recorded calls as sessions: the session's kind ("real call"), the call file's hash (a rerun skips a call
already imported) and its call-level figures; and each learner's voice print from practice, which picks the
agent in a call.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LEARNERS, TRAINERS = "rehearse_learner", "rehearse_trainer"


def upgrade() -> None:
    op.add_column("sessions", sa.Column("kind", sa.String(20)))
    op.add_column("sessions", sa.Column("source_hash", sa.String(64)))
    op.add_column("sessions", sa.Column("call", sa.JSON))
    op.create_index("ix_sessions_source_hash", "sessions", ["source_hash"])
    op.create_table(
        "voice_prints",
        sa.Column("learner", sa.String(200), primary_key=True),
        sa.Column("vector", sa.JSON, nullable=False),
        sa.Column("speech_s", sa.Float, nullable=False),
        sa.Column("sessions", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON voice_prints TO {LEARNERS}")
    op.execute(f"GRANT SELECT ON voice_prints TO {TRAINERS}")
    op.execute("ALTER TABLE voice_prints ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE voice_prints FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY owner ON voice_prints TO CURRENT_USER USING (true) WITH CHECK (true)")
    op.execute(
        f"CREATE POLICY own ON voice_prints FOR ALL TO {LEARNERS} "
        "USING (learner = current_user) WITH CHECK (learner = current_user)"
    )
    op.execute(
        f"CREATE POLICY team ON voice_prints FOR SELECT TO {TRAINERS} "
        "USING (learner IN (SELECT rehearse_trainees(current_user)))"
    )


def downgrade() -> None:
    op.drop_table("voice_prints")
    op.drop_index("ix_sessions_source_hash", "sessions")
    for column in ("call", "source_hash", "kind"):
        op.drop_column("sessions", column)
