"""The session database's tables, its schema version, and upgrading a database an older version made."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import OperationalError

SCHEMA_VERSION = 2
"""1: sessions and turns; 2: takes of a turn, the next line and outcome as columns, the meta table."""

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("learner", String(200), nullable=False, index=True),
    Column("scenario_id", String(200), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("difficulty", Integer),  # the level played (None in databases from before it was recorded)
    Column("status", String(20), nullable=False),  # in_progress, finished, unfinished
    Column("outcome", String(20)),  # resolved, escalated, hung_up (when finished)
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("note", Text),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("index", Integer, nullable=False),
    Column("node_id", String(200), nullable=False),
    Column("customer_line", Text, nullable=False),
    Column("customer_mood", Float, nullable=False),
    Column("transcript", Text, nullable=False),
    Column("feedback", JSON, nullable=False),  # the verdict: Feedback.to_dict() without the transcript, + timing
    Column("step", JSON),  # the branch taken (Step.to_dict()); null for a turn kept unjudged
    Column("customer_audio", String(500)),
    Column("learner_audio", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Added in version 2 (null in older databases: take 1, active, next line inside the feedback JSON)
    Column("take", Integer),  # 1, or more for a retake of the same turn
    Column("active", Boolean),  # false once a retake replaced this take (or an earlier turn was retaken)
    Column("next_line", Text),  # what the customer said next
    Column("outcome", String(20)),  # set when the next line ended the conversation
)


class NewerSchema(RuntimeError):
    """The database was made by a newer Rehearse."""


def create_or_upgrade(engine) -> None:
    """Create the tables (several processes may do it at once on a fresh folder), add the columns newer
    versions defined, and record the schema version; refuse a database from a newer version."""
    for attempt in range(3):
        try:
            metadata.create_all(engine)
            break
        except OperationalError as exc:  # another process created a table between the check and the CREATE
            if "already exists" not in str(exc) or attempt == 2:
                raise
    with engine.begin() as conn:
        found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if found is not None and int(found) > SCHEMA_VERSION:
        raise NewerSchema(
            f"it was made by a newer version of Rehearse (schema {found}; this one knows "
            f"{SCHEMA_VERSION}): update Rehearse, or use another --data-dir"
        )
    _add_missing_columns(engine)
    if found is None or int(found) < SCHEMA_VERSION:
        with engine.begin() as conn:
            conn.execute(meta.delete().where(meta.c.key == "schema_version"))
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


def check_readable(engine) -> None:
    """For a database opened read-only: refuse one from a newer version."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("meta"):
            return
        found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if found is not None and int(found) > SCHEMA_VERSION:
        raise NewerSchema(f"it was made by a newer version of Rehearse (schema {found}): update Rehearse")


def _add_missing_columns(engine) -> None:
    """Add the nullable columns that newer versions defined to a database an older version created."""
    existing = inspect(engine)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(engine.dialect)
                try:
                    with engine.begin() as conn:
                        conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
                except OperationalError as exc:  # another process added it first
                    if "duplicate column" not in str(exc):
                        raise
