"""Sessions whose program died (killed, crashed, stopped by a full disk) are closed when the store opens.

A running session holds an advisory lock on `<data>/running/<session>.lock`; the operating system drops
it when the process ends, however it ends. A session still `in_progress` whose lock nobody holds is
closed as unfinished: every saved turn is kept, and audio files that no turn points to (half-written
`.partial` files, a track written before its row failed) are removed.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

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
