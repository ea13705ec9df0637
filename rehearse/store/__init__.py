"""Sessions on disk: the database (SQLite by default, any SQLAlchemy URL) and per-turn audio files."""

from rehearse.store.db import SessionStore, StoreError

__all__ = ["SessionStore", "StoreError"]
