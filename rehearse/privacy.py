"""Recordings of a person's voice are private: the data folder and every file Rehearse writes into it
are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` (and its parents) if needed; the folder itself is made owner-only."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if path.stat().st_mode & 0o777 != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file owner-only."""
    os.chmod(path, FILE_MODE)
    return Path(path)
