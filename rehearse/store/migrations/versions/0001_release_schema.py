"""The schema of the release before Alembic (its `meta` schema_version 2): sessions, turns and takes.

Revision ID: 0001
Revises:
"""

from alembic import op

from rehearse.store import legacy

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    legacy.bring_to_release_schema(op.get_bind())


def downgrade() -> None:
    legacy.metadata.drop_all(op.get_bind())
