"""Sessions whose program died (killed, crashed, stopped by a full disk) are closed when the store opens.

A running session holds an advisory lock on `<data>/running/<session>.lock` (on PostgreSQL, where other
machines open the same store, a server advisory lock instead); the operating system, or the server,
drops it when the process ends, however it ends. A session still `in_progress` whose lock nobody holds is
closed as unfinished: every saved turn is kept, and audio files that no turn points to (half-written
`.partial` files, a track written before its row failed) are removed.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from pathlib import Path

from sqlalchemy import text

from rehearse.privacy import private_file, private_folder

_LOGGER = logging.getLogger(__name__)

KEPT_TRACKS = ("microphone",)
"""Live microphone tracks (`microphone.flac`, `microphone.partN.flac`): the raw recording, always kept."""


class RunningLock:
    """Held while a session runs in this process."""

    def __init__(self, folder: Path, session_id: str):
        self.path = private_folder(Path(folder) / "running") / f"{session_id}.lock"
        self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


def is_abandoned(folder: Path, session_id: str) -> bool:
    """True when no process holds the session's running lock."""
    path = Path(folder) / "running" / f"{session_id}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
    return True


class ServerLock:
    """Held while a session runs in this process, on a PostgreSQL store: a session-level advisory lock on a
    connection of its own, which the server drops with the connection."""

    def __init__(self, engine, session_id: str):
        self._conn = engine.connect()
        self._conn.execute(text("SELECT pg_advisory_lock(:group, :key)"), _server_key(session_id))
        self._conn.commit()

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
            self._conn.commit()
            self._conn.close()
            self._conn = None


def is_abandoned_on_server(engine, session_id: str) -> bool:
    """True when no connection to the server holds the session's running lock."""
    with engine.connect() as conn:
        free = conn.execute(text("SELECT pg_try_advisory_lock(:group, :key)"), _server_key(session_id)).scalar()
        if free:
            conn.execute(text("SELECT pg_advisory_unlock(:group, :key)"), _server_key(session_id))
        conn.commit()
    return bool(free)


def _server_key(session_id: str) -> dict:
    """The session's advisory lock: a constant group, and a 32-bit hash of its id (a collision only keeps a
    dead session open until the other one ends)."""
    return {"group": 0x52454845, "key": zlib.crc32(session_id.encode()) - (1 << 31)}


def remove_orphan_audio(session_folder: Path, referenced: set[str]) -> list[Path]:
    """Delete the turn audio that no saved turn points to; returns what was removed."""
    removed = []
    if not session_folder.is_dir():
        return removed
    for path in session_folder.iterdir():
        is_track = path.name.startswith(KEPT_TRACKS)
        if path.name.endswith(".partial") or (not is_track and path.suffix == ".flac" and str(path) not in referenced):
            path.unlink(missing_ok=True)
            removed.append(path)
        elif path.is_file():
            private_file(path)
    return removed
