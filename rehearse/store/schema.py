"""The session database's tables as the newest Alembic revision leaves them (`store/migrations/`)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

SCHEMA_VERSION = 3
"""The `meta` schema_version: 1 and 2 were made before Alembic (`store.legacy`); 3 marks a database that
Alembic manages, which releases before it refuse to open."""

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("name", String(63), primary_key=True),  # as in sessions.learner; on PostgreSQL also the login role
    Column("role", String(10), CheckConstraint("role IN ('learner', 'trainer')"), nullable=False),
    Column("team", String(200), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

scenario_versions = Table(
    "scenario_versions",
    metadata,
    Column("hash", String(64), primary_key=True),  # SHA-256 of the scenario file's bytes
    Column("scenario_id", String(200), nullable=False),
    Column("content", Text, nullable=False),  # the file itself, so a session replays against what was played
    Column("created_at", DateTime(timezone=True), nullable=False),
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
    Column("scenario_version", String(64), ForeignKey("scenario_versions.hash")),  # None: not recorded
    # the means of the active turns' scores (`store.session_scores`; None: no turn scored on it)
    *(Column(f"mean_{d}", Float) for d in ("empathy", "clarity", "pace", "calm", "overall")),
    Index("ix_sessions_started_at", "started_at"),
    Index("ix_sessions_mean_overall", "mean_overall"),
    # recorded calls (`rehearse import`): kind "real call" (None: practice), the file's sha256, call figures
    Column("kind", String(20)),
    Column("source_hash", String(64), index=True),
    Column("call", JSON),
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
    # null in databases from before schema 2: take 1, active, next line inside the feedback JSON
    Column("take", Integer),  # 1, or more for a retake of the same turn
    Column("active", Boolean),  # false once a retake replaced this take (or an earlier turn was retaken)
    Column("next_line", Text),  # what the customer said next
    Column("outcome", String(20)),  # set when the next line ended the conversation
)

ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("turn_id", Integer, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("author", String(63), nullable=False),  # the trainer (people.name)
    Column("dimension", String(50), nullable=False),
    Column("score", Float, CheckConstraint("score >= 0 AND score <= 100"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("turn_id", Integer, ForeignKey("turns.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("author", String(63), nullable=False),
    Column("at_seconds", Float, CheckConstraint("at_seconds >= 0"), nullable=False),  # into the turn's timeline
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

turn_audio = Table(
    "turn_audio",
    metadata,
    Column("turn_id", Integer, ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True),
    Column("track", String(20), primary_key=True),  # customer or learner
    Column("flac", LargeBinary, nullable=False),  # the same FLAC file that turns.<track>_audio names
)

voice_prints = Table(
    "voice_prints",
    metadata,
    Column("learner", String(200), primary_key=True),
    Column("vector", JSON, nullable=False),  # the learner's CAM++ voice print from practice (unit length)
    Column("speech_s", Float, nullable=False),  # seconds of practice speech behind it
    Column("sessions", Integer, nullable=False),  # practice sessions behind it (a new one refreshes it)
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
