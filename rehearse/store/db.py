"""The session database: one row per practice session, one per turn, committed as each turn ends.

SQLite in the user data folder by default (`REHEARSE_DATA_DIR` or `--data-dir` moves it); any
SQLAlchemy URL (e.g. PostgreSQL) also works. Turn audio lives beside it as FLAC files.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
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
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from rehearse.audio.files import write_flac
from rehearse.constants import data_dir

metadata = MetaData()

sessions = Table(
    "sessions", metadata,
    Column("id", String(36), primary_key=True),
    Column("learner", String(200), nullable=False, index=True),
    Column("scenario_id", String(200), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("difficulty", Integer),  # the level played (None in databases from before it was recorded)
    Column("status", String(20), nullable=False),  # in_progress, finished, unfinished, failed
    Column("outcome", String(20)),  # resolved, escalated, hung_up (when finished)
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("note", Text),
)

turns = Table(
    "turns", metadata,
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
    # Added later (null in older databases: take 1, active, next line inside the feedback JSON)
    Column("take", Integer),  # 1, or more for a retake of the same turn
    Column("active", Boolean),  # false once a retake replaced this take (or an earlier turn was retaken)
    Column("next_line", Text),  # what the customer said next
    Column("outcome", String(20)),  # set when the next line ended the conversation
)


class StoreError(RuntimeError):
    """The database or audio folder cannot be written or read; the message says what to do."""


def _now() -> datetime:
    return datetime.now(UTC)


class SessionStore:
    """Sessions and turns in a database, audio in `<folder>/audio/<session>/`."""

    def __init__(self, url: str | None = None, folder: Path | None = None):
        self.folder = data_dir(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {self.folder}: {exc.strerror}") from exc
        self.url = url or f"sqlite:///{self.folder / 'rehearse.db'}"
        self._engine = create_engine(self.url)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_pragmas)
        try:
            metadata.create_all(self._engine)
            _add_missing_columns(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the session database {self.url}: {exc.orig or exc}") from exc

    def _write(self, statement):
        try:
            with self._engine.begin() as conn:
                return conn.execute(statement)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not save to {self.url}: {getattr(exc, 'orig', None) or exc}; "
                             "check free disk space and permissions") from exc

    def start_session(self, learner: str, scenario_id: str, seed: int, difficulty: int | None = None) -> str:
        session_id = str(uuid.uuid4())
        self._write(insert(sessions).values(id=session_id, learner=learner, scenario_id=scenario_id, seed=seed,
                                            difficulty=difficulty, status="in_progress", started_at=_now()))
        return session_id

    def end_session(self, session_id: str, status: str, outcome: str | None = None, note: str | None = None) -> None:
        self._write(update(sessions).where(sessions.c.id == session_id)
                    .values(status=status, outcome=outcome, ended_at=_now(), note=note))

    def audio_path(self, session_id: str, index: int, track: str, take: int = 1) -> Path:
        suffix = "" if take == 1 else f"-take{take}"
        return self.folder / "audio" / session_id / f"turn-{index:02d}{suffix}-{track}.flac"

    def add_turn(self, session_id: str, index: int, *, take: int = 1, node_id: str, customer_line: str,
                 customer_mood: float, transcript: str, verdict: dict, step: dict | None, next_line: str | None,
                 outcome: str | None, customer_audio: tuple[np.ndarray, int] | None,
                 learner_audio: tuple[np.ndarray, int] | None) -> int:
        """Write both audio tracks, then commit the turn row (each fact stored once). Returns the row id."""
        paths = {}
        for track, audio in (("customer", customer_audio), ("learner", learner_audio)):
            if audio is not None and audio[0].size:
                path = self.audio_path(session_id, index, track, take)
                try:
                    write_flac(path, *audio)
                except (OSError, RuntimeError) as exc:
                    raise StoreError(f"could not write {path}: {exc}; check free disk space") from exc
                paths[track] = str(path)
        result = self._write(insert(turns).values(
            session_id=session_id, index=index, take=take, active=True, node_id=node_id, customer_line=customer_line,
            customer_mood=customer_mood, transcript=transcript, feedback=json.loads(json.dumps(verdict)), step=step,
            next_line=next_line, outcome=outcome, customer_audio=paths.get("customer"),
            learner_audio=paths.get("learner"), created_at=_now()))
        return int(result.inserted_primary_key[0])

    def retire_turns(self, session_id: str, from_index: int) -> None:
        """A retake of turn `from_index`: its takes so far and every later turn leave the active path (kept)."""
        self._write(update(turns).where(turns.c.session_id == session_id, turns.c.index >= from_index)
                    .values(active=False))

    def session(self, session_id: str) -> dict | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id == session_id)).mappings().first()
            return dict(row) if row else None

    def turns(self, session_id: str, every_take: bool = False) -> list[dict]:
        """The session's turns in order: the active path, or with `every_take` also the takes a retake
        replaced (ordered by turn, then take). Each row's `feedback` is the whole turn record, shaped as
        `rehearse practice --json` prints it (`turn_record`)."""
        query = select(turns).where(turns.c.session_id == session_id).order_by(turns.c.index, turns.c.id)
        with self._engine.connect() as conn:
            rows = [_with_defaults(dict(r)) for r in conn.execute(query).mappings()]
        for row in rows:
            row["feedback"] = turn_record(row)
        return rows if every_take else [r for r in rows if r["active"]]

    def find_session(self, key: str) -> dict | None:
        """A session by full id, unique id prefix, or "last" (the most recent); None when none matches."""
        with self._engine.connect() as conn:
            if key == "last":
                query = select(sessions).order_by(sessions.c.started_at.desc()).limit(1)
            else:
                query = select(sessions).where(sessions.c.id.startswith(key, autoescape=True)).limit(2)
            rows = [dict(r) for r in conn.execute(query).mappings()]
        if len(rows) > 1:
            raise StoreError(f"'{key}' matches several sessions; give more of the id")
        return rows[0] if rows else None

    def sessions(self, learner: str | None = None) -> list[dict]:
        query = select(sessions).order_by(sessions.c.started_at)
        if learner is not None:
            query = query.where(sessions.c.learner == learner)
        with self._engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def _with_defaults(row: dict) -> dict:
    """A row from an older database: one take, active, the next line read from the feedback JSON."""
    verdict = row["feedback"] or {}
    row["take"] = row["take"] or 1
    row["active"] = True if row["active"] is None else bool(row["active"])
    if row["next_line"] is None:
        row["next_line"], row["outcome"] = verdict.get("next_line"), verdict.get("outcome")
    return row


def turn_record(row: dict) -> dict:
    """One turn as a whole record (verdict, conversation, branch), from the columns that hold each fact once."""
    record = {k: v for k, v in (row["feedback"] or {}).items()
              if k not in ("turn", "customer_line", "customer_mood", "branch", "next_line", "outcome")}
    record.update(transcript=row["transcript"], turn=row["index"], take=row["take"], customer_line=row["customer_line"],
                  customer_mood=row["customer_mood"], branch=row["step"], next_line=row["next_line"],
                  outcome=row["outcome"])
    return record


def _add_missing_columns(engine) -> None:
    """Add the nullable columns that newer versions defined to a database an older version created."""
    existing = inspect(engine)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(engine.dialect)
                with engine.begin() as conn:
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
