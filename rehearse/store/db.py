"""The session database: one row per practice session, one per turn, committed as each turn ends.

SQLite in the user data folder by default (`REHEARSE_DATA_DIR` or `--data-dir` moves it); a team's
PostgreSQL server by URL (`--db`, or `REHEARSE_DB_URL` when no URL is given). Turn audio is written
beside it as FLAC files; on a server each track's FLAC bytes also go into the database, in the turn's
transaction.

Why both on a server: a trainer on another machine replays from the database, while the learner's own
machine keeps the files the app and its exports already read, and a crash still loses at most the turn in
progress. Why files only in SQLite: the embedded database stays small and quick to back up, and the files
are already where a single user replays from; a database copy would double the disk used for nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import soundfile as sf
from sqlalchemy import Text, create_engine, event, func, insert, make_url, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from rehearse.audio.files import write_flac
from rehearse.constants import data_dir
from rehearse.privacy import private_file, private_folder
from rehearse.store import recovery, session_scores
from rehearse.store.errors import StoreError, explain
from rehearse.store.listing import Listing
from rehearse.store.migrate import SchemaMismatch, check_readable, upgrade
from rehearse.store.reviews import Reviews
from rehearse.store.schema import scenario_versions, sessions, turn_audio, turns

_LOGGER = logging.getLogger(__name__)

__all__ = ["SessionStore", "StoreError", "database_url", "turn_record"]


def database_url(url: str) -> str:
    """The URL as SQLAlchemy opens it: plain `postgresql://` and `postgres://` use psycopg (version 3), the
    driver Rehearse installs (SQLAlchemy would pick psycopg2); every other URL is left as given."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql+psycopg://{rest}" if sep and scheme in ("postgresql", "postgres") else url


def _now() -> datetime:
    return datetime.now(UTC)


class SessionStore(Reviews, Listing):
    """Sessions and turns in a database, audio in `<folder>/audio/<session>/`.

    Opening it closes the sessions whose program died (`store.recovery`). A data folder that cannot be
    written is opened read-only: replay and the other readers still work, writes say why they cannot."""

    def __init__(self, url: str | None = None, folder: Path | None = None):
        self.folder = data_dir(folder)
        try:
            if not self.folder.is_dir():
                private_folder(self.folder)
            elif folder is None and os.access(self.folder, os.W_OK):
                private_folder(self.folder)  # the default folder, perhaps made by an older version
        except OSError as exc:
            raise StoreError(f"cannot create the data folder {self.folder}: {exc.strerror}") from exc
        database = self.folder / "rehearse.db"
        url = url or os.environ.get("REHEARSE_DB_URL") or None
        self.read_only = url is None and not os.access(self.folder, os.W_OK)
        self.url = database_url(url) if url else f"sqlite:///{database}"
        self._running: dict[str, recovery.RunningLock | recovery.ServerLock] = {}
        self.audio_in_database = False
        """True on a server database: turn audio is kept in `turn_audio` as well as in files."""
        try:
            if self.read_only:
                self._engine = create_engine(f"sqlite:///file:{database}?mode=ro&immutable=1&uri=true")
                check_readable(self._engine)
                return
            self._engine = create_engine(self.url)
            self.audio_in_database = self._engine.dialect.name != "sqlite"
            if self._engine.dialect.name == "sqlite":
                event.listen(self._engine, "connect", _sqlite_pragmas)
            upgrade(self._engine)
        except (ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot use the database URL {self.shown_url!r}: {exc}") from exc
        except (SQLAlchemyError, SchemaMismatch, OSError) as exc:
            raise StoreError(f"cannot open the session database {self.shown_url}: {explain(exc)}") from exc
        if url is None and database.exists():
            private_file(database)
        self.close_abandoned()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"cannot save to {self.folder}: the folder is read-only; check its permissions "
                f"or choose another --data-dir"
            )

    @contextmanager
    def _transaction(self):
        """A connection whose statements commit together, or not at all (raising `StoreError`)."""
        self._check_writable()
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"could not save to {self.shown_url}: {explain(exc, self.folder)}") from exc

    def _write(self, statement):
        with self._transaction() as conn:
            return conn.execute(statement)

    def _read(self, query) -> list[dict]:
        try:
            with self._engine.connect() as conn:
                return [dict(r) for r in conn.execute(query).mappings()]
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the session database {self.shown_url}: {explain(exc)}") from exc

    @property
    def shown_url(self) -> str:
        """The database URL as messages show it (no password)."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return "the given --db URL"

    def close(self) -> None:
        """Close the database connections (the store can be opened again)."""
        self._engine.dispose()

    def start_session(
        self,
        learner: str,
        scenario_id: str,
        seed: int,
        difficulty: int | None = None,
        scenario_text: str | None = None,
    ) -> str:
        """A new session row, held as running by this process until `end_session`. `scenario_text`: the
        scenario file as played, kept once per content hash so that replay finds that version."""
        session_id = str(uuid.uuid4())
        version = None if scenario_text is None else self._scenario_version(scenario_id, scenario_text)
        self._write(
            insert(sessions).values(
                id=session_id,
                learner=learner,
                scenario_id=scenario_id,
                seed=seed,
                difficulty=difficulty,
                status="in_progress",
                started_at=_now(),
                scenario_version=version,
            )
        )
        try:
            self._running[session_id] = (
                recovery.ServerLock(self._engine, session_id)
                if self.on_postgresql
                else recovery.RunningLock(self.folder, session_id)
            )
        except (OSError, SQLAlchemyError) as exc:
            # no lock: the session still works, it is closed by its own end_session
            _LOGGER.warning("cannot mark session %s as running: %s", session_id, exc)
        return session_id

    def _scenario_version(self, scenario_id: str, content: str) -> str:
        digest = hashlib.sha256(content.encode()).hexdigest()
        if not self._read(select(scenario_versions.c.hash).where(scenario_versions.c.hash == digest)):
            self._write(
                insert_if_absent(self._engine.dialect.name, scenario_versions).values(
                    hash=digest, scenario_id=scenario_id, content=content, created_at=_now()
                )
            )
        return digest

    def scenario_text(self, session_id: str) -> str | None:
        """The scenario file as the session played it (None: not recorded, as in databases before schema 3)."""
        query = select(scenario_versions.c.content).join(sessions).where(sessions.c.id == session_id)
        rows = self._read(query)
        return rows[0]["content"] if rows else None

    def end_session(self, session_id: str, status: str, outcome: str | None = None, note: str | None = None) -> None:
        self._write(
            update(sessions)
            .where(sessions.c.id == session_id)
            .values(status=status, outcome=outcome, ended_at=_now(), note=note)
        )
        lock = self._running.pop(session_id, None)
        if lock is not None:
            lock.release()

    def close_abandoned(self) -> list[str]:
        """Close as unfinished the sessions left `in_progress` by a program that died; remove their
        unreferenced audio. Returns their ids. On PostgreSQL, only the sessions this login may change."""
        if (
            self.on_postgresql
            and not self._read(select(func.has_table_privilege("sessions", "UPDATE").label("may")))[0]["may"]
        ):
            return []
        stale = [
            r["id"]
            for r in self._read(select(sessions.c.id).where(sessions.c.status == "in_progress"))
            if r["id"] not in self._running and self._abandoned(r["id"])
        ]
        for session_id in stale:
            referenced = {
                path
                for row in self._read(
                    select(turns.c.customer_audio, turns.c.learner_audio).where(turns.c.session_id == session_id)
                )
                for path in row.values()
                if path
            }
            removed = recovery.remove_orphan_audio(self.folder / "audio" / session_id, referenced)
            self._write(
                update(sessions)
                .where(sessions.c.id == session_id)
                .values(
                    status="unfinished",
                    ended_at=None,
                    note="the program stopped before the session was closed (killed, crashed or out of disk space); "
                    "every saved turn is kept",
                )
            )
            _LOGGER.info(
                "closed abandoned session %s (%d unreferenced audio file(s) removed)", session_id, len(removed)
            )
        return stale

    @property
    def on_postgresql(self) -> bool:
        """A team's PostgreSQL server: people log in as themselves and its row-level security applies."""
        return self._engine.dialect.name == "postgresql"

    def _abandoned(self, session_id: str) -> bool:
        if not self.on_postgresql:
            return recovery.is_abandoned(self.folder, session_id)
        try:
            return recovery.is_abandoned_on_server(self._engine, session_id)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the session database {self.shown_url}: {explain(exc)}") from exc

    def audio_path(self, session_id: str, index: int, track: str, take: int = 1) -> Path:
        suffix = "" if take == 1 else f"-take{take}"
        return self.folder / "audio" / session_id / f"turn-{index:02d}{suffix}-{track}.flac"

    def add_turn(
        self,
        session_id: str,
        index: int,
        *,
        take: int = 1,
        node_id: str,
        customer_line: str,
        customer_mood: float,
        transcript: str,
        verdict: dict,
        step: dict | None,
        next_line: str | None,
        outcome: str | None,
        customer_audio: tuple[np.ndarray, int] | None,
        learner_audio: tuple[np.ndarray, int] | None,
    ) -> int:
        """Write both audio tracks, then commit the turn row (each fact stored once). Returns the row id."""
        self._check_writable()
        paths: dict[str, str] = {}
        flac: dict[str, bytes] = {}  # for a server database
        try:
            for track, audio in (("customer", customer_audio), ("learner", learner_audio)):
                if audio is not None and audio[0].size:
                    path = self.audio_path(session_id, index, track, take)
                    private_folder(path.parent)
                    try:
                        write_flac(path, *audio)
                        paths[track] = str(path)
                        if self.audio_in_database:
                            flac[track] = path.read_bytes()
                    except (OSError, RuntimeError) as exc:
                        raise StoreError(f"could not write {path}: {explain(exc, path.parent)}") from exc
            with self._transaction() as conn:
                turn_id = self._insert_turn(
                    conn,
                    paths,
                    flac,
                    session_id=session_id,
                    index=index,
                    take=take,
                    active=True,
                    node_id=node_id,
                    customer_line=customer_line,
                    customer_mood=customer_mood,
                    transcript=transcript,
                    feedback=json.loads(json.dumps(verdict)),
                    step=step,
                    next_line=next_line,
                    outcome=outcome,
                    created_at=_now(),
                )
        except StoreError:  # no row points to the audio written for this turn: remove it
            for path in paths.values():
                Path(path).unlink(missing_ok=True)
            raise
        return turn_id

    @staticmethod
    def _insert_turn(conn, paths: dict[str, str], flac: dict[str, bytes], **row) -> int:
        """The turn row, and each track's FLAC bytes in `turn_audio` (given on a server database)."""
        result = conn.execute(
            insert(turns).values(**row, customer_audio=paths.get("customer"), learner_audio=paths.get("learner"))
        )
        turn_id = int(result.inserted_primary_key[0])
        if flac:
            conn.execute(
                insert(turn_audio), [{"turn_id": turn_id, "track": t, "flac": data} for t, data in flac.items()]
            )
        session_scores.refresh(conn, [row["session_id"]])
        return turn_id

    def audio(self, turn: dict, track: str) -> tuple[np.ndarray, int] | None:
        """A turn's `track` ("customer" or "learner") as float32 samples and their rate: from its file when
        this machine has it, else from the database (a server's `turn_audio`); None when it was not saved."""
        path = turn.get(f"{track}_audio")
        if path and Path(path).is_file():
            data = Path(path).read_bytes()
        elif self.audio_in_database:
            query = select(turn_audio.c.flac).where(turn_audio.c.turn_id == turn["id"], turn_audio.c.track == track)
            rows = self._read(query)
            if not rows:
                return None
            data = rows[0]["flac"]
        else:
            return None
        try:
            samples, rate = sf.read(io.BytesIO(data), dtype="float32")
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise StoreError(f"the saved {track} audio of turn {turn['index']} is damaged ({exc})") from exc
        return samples, rate

    def retire_turns(self, session_id: str, from_index: int) -> None:
        """A retake of turn `from_index`: its takes so far and every later turn leave the active path (kept)."""
        with self._transaction() as conn:
            conn.execute(
                update(turns).where(turns.c.session_id == session_id, turns.c.index >= from_index).values(active=False)
            )
            session_scores.refresh(conn, [session_id])

    def session(self, session_id: str) -> dict | None:
        rows = self._sessions(select(*_SESSION_COLUMNS).where(sessions.c.id == session_id))
        return rows[0] if rows else None

    def _sessions(self, query) -> list[dict]:
        return [_session_row(r) for r in self._read(query)]

    def turns(self, session_id: str, every_take: bool = False) -> list[dict]:
        """The session's turns in order: the active path, or with `every_take` also the takes a retake
        replaced (ordered by turn, then take). Each row's `feedback` is the whole turn record, shaped as
        `rehearse practice --json` prints it (`turn_record`)."""
        query = select(*_TURN_COLUMNS).where(turns.c.session_id == session_id).order_by(turns.c.index, turns.c.id)
        rows = [_with_defaults(_turn_row(r)) for r in self._read(query)]
        for row in rows:
            row["feedback"] = turn_record(row)
        return rows if every_take else [r for r in rows if r["active"]]

    def find_session(self, key: str) -> dict | None:
        """A session by full id, unique id prefix, or "last" (the most recent); None when none matches."""
        if key == "last":
            query = select(*_SESSION_COLUMNS).order_by(sessions.c.started_at.desc()).limit(1)
        else:
            query = select(*_SESSION_COLUMNS).where(sessions.c.id.startswith(key, autoescape=True)).limit(2)
        rows = self._sessions(query)
        if len(rows) > 1:
            raise StoreError(f"'{key}' matches several sessions; give more of the id")
        return rows[0] if rows else None

    def sessions(self, learner: str | None = None) -> list[dict]:
        query = select(*_SESSION_COLUMNS).order_by(sessions.c.started_at)
        if learner is not None:
            query = query.where(sessions.c.learner == learner)
        return self._sessions(query)


def _as_text(table, *names):
    """Columns read as stored text, parsed here: one damaged value spoils one field, not the whole query."""
    return [
        type_coerce(table.c[name], Text).label(name) if name in names else table.c[name]
        for name in table.columns.keys()
    ]


_SESSION_COLUMNS = _as_text(sessions, "started_at", "ended_at")
_TURN_COLUMNS = _as_text(turns, "feedback", "step", "created_at")


def _time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(value, what: str):
    if value is None or isinstance(value, dict | list):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        _LOGGER.warning("a saved %s is damaged and was skipped", what)
        return {"not_judged": [f"this turn's saved {what} is damaged and could not be read"]}


def _session_row(row: dict) -> dict:
    row["started_at"], row["ended_at"] = _time(row["started_at"]), _time(row["ended_at"])
    return row


def _turn_row(row: dict) -> dict:
    row["feedback"] = _json(row["feedback"], "verdict") or {}
    step = _json(row["step"], "branch")
    row["step"] = step if step is None or "goto" in step else None
    row["created_at"] = _time(row["created_at"])
    return row


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
    record = {
        k: v
        for k, v in (row["feedback"] or {}).items()
        if k not in ("turn", "customer_line", "customer_mood", "branch", "next_line", "outcome")
    }
    record.update(
        transcript=row["transcript"],
        turn=row["index"],
        take=row["take"],
        customer_line=row["customer_line"],
        customer_mood=row["customer_mood"],
        branch=row["step"],
        next_line=row["next_line"],
        outcome=row["outcome"],
    )
    return record


def insert_if_absent(dialect: str, table):
    """An INSERT that does nothing when the primary key is taken (another program inserted it first)."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
