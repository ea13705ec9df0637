"""Recordings of a person's voice are private: the data folder and every file Rehearse writes into it
are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` and any missing parents owner-only; an existing `path` is made owner-only too."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is reduced by the umask
    if path.stat().st_mode & 0o777 != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file owner-only."""
    os.chmod(path, FILE_MODE)
    return Path(path)


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` owner-only and atomically: a temporary file in the same folder, synced, then
    renamed over `path`. A failure (full disk, no permission) raises `OSError` and leaves no file behind and
    any existing `path` as it was."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(partial, FILE_MODE)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path
