"""Logins on a PostgreSQL store: each learner and trainer is a database role in the group that the
row-level security policies name (`store/migrations/versions/0004_row_level_security.py`)."""

from __future__ import annotations

from sqlalchemy import text

from rehearse.store.errors import StoreError

GROUPS = {"learner": "rehearse_learner", "trainer": "rehearse_trainer"}


def create_login(conn, name: str, role: str, password: str) -> None:
    """A login role `name` with `password` in the group of `role`, in the caller's transaction."""
    if len(name.encode()) > 63:
        raise StoreError(f"a database login name has at most 63 bytes; {name!r} is longer")
    if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).scalar():
        raise StoreError(f"the database server already has a login named {name!r}; choose another name")
    quoted = conn.dialect.identifier_preparer.quote(name)
    secret = password.replace("'", "''")  # a literal: CREATE ROLE takes no parameters
    conn.execute(text(f"CREATE ROLE {quoted} LOGIN PASSWORD '{secret}' IN ROLE {GROUPS[role]}"))
