"""Store failures told the way a user can act on them: full disk, permissions, a damaged file, another version."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError


class StoreError(RuntimeError):
    """The database or audio folder cannot be written or read; the message says what to do."""


LOW_SPACE_BYTES = 1 << 20
"""Less free space than this where a write failed: the disk is full (libsndfile says only "System error")."""


def explain(exc: BaseException, folder: Path | None = None) -> str:
    """What went wrong with the store, and what to do about it (one sentence). `folder`: where the write was."""
    detail = (str(getattr(exc, "orig", None) or exc).splitlines() or [type(exc).__name__])[0]
    lowered = detail.lower()
    if (
        isinstance(exc, OSError)
        and exc.errno == errno.ENOSPC
        or "disk is full" in lowered
        or "no space" in lowered
        or folder is not None
        and _low_on_space(folder)
    ):
        return f"the disk is full ({detail}); free some space and try again"
    if isinstance(exc, SQLAlchemyError) and ("permission denied for" in lowered or "row-level security" in lowered):
        return (
            f"this database login may not do that ({detail}); a learner changes only their own sessions, "
            f"a trainer only adds ratings and comments"
        )
    if (
        isinstance(exc, OSError)
        and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        or "readonly" in lowered
        or "read-only" in lowered
        or "permission" in lowered
    ):
        return f"it cannot be written ({detail}); check the folder's permissions, or choose another --data-dir"
    if "malformed" in lowered or "not a database" in lowered or "file is not a database" in lowered:
        return (
            f"the database file is damaged ({detail}); move it aside to start a new one "
            f"(the turn audio in the audio folder is kept)"
        )
    if isinstance(exc, IntegrityError) or "no such column" in lowered or "has no column" in lowered:
        return (
            f"its tables do not match this version of Rehearse ({detail}); it may have been made or changed "
            f"by another version: update Rehearse, or choose another --data-dir"
        )
    if "password authentication failed" in lowered or "role" in lowered and "does not exist" in lowered:
        return f"the server refused the login ({detail}); check the user name and password in the URL"
    if "database" in lowered and "does not exist" in lowered:
        return f"the server has no such database ({detail}); check the name at the end of the URL"
    if any(sign in lowered for sign in ("connection refused", "could not connect", "connection failed", "resolve")):
        return (
            f"the database server cannot be reached ({detail}); check that it is running and the URL's host "
            f"and port, or leave --db out to keep sessions in this computer's data folder"
        )
    if isinstance(exc, OperationalError) and "locked" in lowered:
        return f"it is busy ({detail}); another Rehearse may be writing: try again"
    if isinstance(exc, SQLAlchemyError | OSError | ValueError):
        return f"{detail}"
    return f"{type(exc).__name__}: {detail}"


def _low_on_space(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False
