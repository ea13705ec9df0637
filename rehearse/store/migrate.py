"""Bringing a database to the newest schema with the Alembic revisions in `store/migrations/`.

A database made before Alembic (a `meta` table, no `alembic_version`) is first brought to the release
schema (`store.legacy`) and stamped with revision 0001. Several programs may open a fresh folder at once:
each migrates under a lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction advisory lock), so the
later ones find the work done. A database from a newer Rehearse is refused, never changed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from rehearse.store import legacy
from rehearse.store.schema import SCHEMA_VERSION

MIGRATIONS = Path(__file__).with_name("migrations")
_ADVISORY_LOCK = 0x52454845  # "REHE": one key for every Rehearse database on a server
_ATTEMPTS = 3


class SchemaMismatch(RuntimeError):
    """The database was made by a newer Rehearse, or needs an upgrade that cannot be written here."""


def upgrade(engine) -> None:
    """Create or upgrade the database to the newest revision; retried while another program holds SQLite."""
    with engine.connect() as conn:  # the usual case, without taking the lock
        if _refuse_newer(conn) == _script().get_current_head():
            return
    for attempt in range(_ATTEMPTS):
        try:
            with engine.connect() as conn:
                _lock(conn)
                _upgrade(conn)
                conn.commit()
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == _ATTEMPTS - 1:
                raise


def check_readable(engine) -> None:
    """For a database opened read-only: refuse one that is not at the newest revision."""
    with engine.connect() as conn:
        current = _refuse_newer(conn)
    if current != _script().get_current_head():
        raise SchemaMismatch(
            "it was made by an older version of Rehearse and must be upgraded, which this read-only folder "
            "does not allow: open it once where it can be written"
        )


def _upgrade(conn) -> None:
    current = _refuse_newer(conn)
    if current == _script().get_current_head():
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if current is None and inspect(conn).has_table("sessions"):  # made before Alembic
        legacy.bring_to_release_schema(conn)
        command.stamp(config, "0001")
    command.upgrade(config, "head")


def _refuse_newer(conn) -> str | None:
    """The database's Alembic revision (None: before Alembic, or empty); raise if a newer Rehearse made it."""
    current = MigrationContext.configure(conn).get_current_revision()
    found = legacy.release_version(conn)
    known = current is None or current in {script.revision for script in _script().walk_revisions()}
    if (found is not None and found > SCHEMA_VERSION) or not known:
        raise SchemaMismatch(
            f"it was made by a newer version of Rehearse (schema {current or found}; this one knows up to "
            f"{_script().get_current_head()}): update Rehearse, or use another --data-dir"
        )
    return current


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def _lock(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")
