"""Each session's mean scores, kept on its row (`sessions.mean_<dimension>` and `mean_overall`), so that a
session list and its score filter read one row per session instead of parsing every turn's verdict.

Refreshed in the transaction that adds a turn or retires takes (`SessionStore`), by an import, and for every
session by migration 0005. The means are those of `listing._session_means`: over the active turns, each
dimension's mean, and overall the mean of the dimensions that have one.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from rehearse.store.listing import DIMENSIONS, _session_means
from rehearse.store.schema import sessions

MEAN_COLUMNS = {**{d: f"mean_{d}" for d in DIMENSIONS}, "overall": "mean_overall"}
"""The session row's column of each dimension's mean, and of the overall mean."""

_CHUNK = 500


def refresh(conn, session_ids: list[str]) -> None:
    """Recompute the stored means of `session_ids` (None where no active turn scored a dimension)."""
    for start in range(0, len(session_ids), _CHUNK):
        chunk = session_ids[start : start + _CHUNK]
        found = {r["session_id"]: r for r in conn.execute(_session_means(conn.dialect.name, chunk)).mappings()}
        rows = [
            {"sid": sid, **{column: _float(found.get(sid, {}).get(key)) for key, column in MEAN_COLUMNS.items()}}
            for sid in chunk
        ]
        statement = (
            update(sessions)
            .where(sessions.c.id == bindparam("sid"))
            .values({column: bindparam(column) for column in MEAN_COLUMNS.values()})
        )
        conn.execute(statement, rows)


def refresh_all(conn) -> None:
    """Recompute the means of every session (after a bulk load, or when the columns are added)."""
    refresh(conn, [r[0] for r in conn.execute(select(sessions.c.id))])


def _float(value) -> float | None:
    return None if value is None else float(value)
