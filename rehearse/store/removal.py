"""Deleting a learner: every session, turn and take of theirs (practice and imported real calls), the audio
(files on this machine and a server database's FLAC copies), trainers' ratings and comments of their turns,
their voice print, their place in a team and, on PostgreSQL, their login. Rows go in one transaction; the
files after it commits (a failed commit keeps both).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass

from sqlalchemy import delete, select, text

from rehearse.store.access import GROUPS
from rehearse.store.errors import StoreError
from rehearse.store.schema import comments, people, ratings, sessions, turn_audio, turns, voice_prints

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Removed:
    learner: str
    sessions: int
    turns: int
    reviews: int
    """Trainer ratings and comments of the learner's turns."""
    audio_files: int
    login_dropped: bool


def remove_learner(store, name: str) -> Removed:
    """Delete the learner `name` and everything recorded of them from `store` (a `SessionStore`)."""
    person = store._read(select(people.c.role).where(people.c.name == name))
    if person and person[0]["role"] != "learner":
        raise StoreError(f"{name} is a {person[0]['role']}, not a learner; only learners' data is removed this way")
    session_ids = [r["id"] for r in store._read(select(sessions.c.id).where(sessions.c.learner == name))]
    if not person and not session_ids:
        raise StoreError(f"no learner named {name!r} in {store.shown_url}; `rehearse team list` lists them")
    of_learner = select(turns.c.id).where(
        turns.c.session_id.in_(select(sessions.c.id).where(sessions.c.learner == name))
    )
    counted = {}
    dropped = False
    with store._transaction() as conn:
        for label, table in (("ratings", ratings), ("comments", comments), ("audio", turn_audio)):
            counted[label] = conn.execute(delete(table).where(table.c.turn_id.in_(of_learner))).rowcount
        counted["turns"] = conn.execute(
            delete(turns).where(turns.c.session_id.in_(select(sessions.c.id).where(sessions.c.learner == name)))
        ).rowcount
        conn.execute(delete(sessions).where(sessions.c.learner == name))
        conn.execute(delete(people).where(people.c.name == name))
        conn.execute(delete(voice_prints).where(voice_prints.c.learner == name))
        if store.on_postgresql:
            dropped = _drop_login(conn, name)
    files = 0
    for session_id in session_ids:
        folder = store.folder / "audio" / session_id
        if folder.is_dir():
            files += sum(1 for _ in folder.iterdir())
            try:
                shutil.rmtree(folder)
            except OSError as exc:
                _LOGGER.warning("cannot remove the audio folder %s: %s", folder, exc)
    return Removed(name, len(session_ids), counted["turns"], counted["ratings"] + counted["comments"], files, dropped)


def _drop_login(conn, name: str) -> bool:
    """Drop the login of a Rehearse learner (a role in the learners' group, nothing else); False when none."""
    member = conn.execute(
        text(
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid "
            "WHERE r.rolname = :name AND g.rolname = :group"
        ),
        {"name": name, "group": GROUPS["learner"]},
    ).scalar()
    if not member:
        return False
    conn.execute(text(f"DROP ROLE {conn.dialect.identifier_preparer.quote(name)}"))
    return True
