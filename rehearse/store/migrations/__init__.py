"""Alembic migrations of the session database, run by `store.migrate` (no alembic.ini needed)."""
