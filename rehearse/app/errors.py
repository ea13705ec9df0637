"""The one kind of error a command raises for a failure the user can fix."""

from __future__ import annotations


class UserError(Exception):
    """A failure the user can fix: printed as one `rehearse: error: ...` line saying what happened and what to
    do, with exit status 2 (`--debug` shows the traceback)."""
