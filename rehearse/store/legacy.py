"""The schema that Rehearse 0.1 made before Alembic (its `meta` table says schema_version 1 or 2), frozen.

Alembic's first revision creates exactly these tables; `bring_to_release_schema` upgrades a database that
release (or the one before it) made, so that it can be stamped with that first revision.
"""

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

RELEASE_SCHEMA_VERSION = 2
"""1: sessions and turns; 2: takes of a turn, the next line and outcome as columns, the meta table."""

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("learner", String(200), nullable=False, index=True),
    Column("scenario_id", String(200), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("difficulty", Integer),
    Column("status", String(20), nullable=False),
    Column("outcome", String(20)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("note", Text),
)

Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False, index=True),
    Column("index", Integer, nullable=False),
    Column("node_id", String(200), nullable=False),
    Column("customer_line", Text, nullable=False),
    Column("customer_mood", Float, nullable=False),
    Column("transcript", Text, nullable=False),
    Column("feedback", JSON, nullable=False),
    Column("step", JSON),
    Column("customer_audio", String(500)),
    Column("learner_audio", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("take", Integer),
    Column("active", Boolean),
    Column("next_line", Text),
    Column("outcome", String(20)),
)


def release_version(conn) -> int | None:
    """The `meta` schema_version of a database made before Alembic (None: no such table or row)."""
    if not inspect(conn).has_table("meta"):
        return None
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return None if found is None else int(found)


def bring_to_release_schema(conn) -> None:
    """Create the missing tables and nullable columns of the release schema, and record its version."""
    metadata.create_all(conn)
    existing = inspect(conn)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(conn.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
    conn.execute(meta.delete().where(meta.c.key == "schema_version"))
    conn.execute(meta.insert().values(key="schema_version", value=str(RELEASE_SCHEMA_VERSION)))
