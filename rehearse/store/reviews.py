"""What trainers add to a session: people (learners and trainers in teams), ratings and comments per turn.

A mixin of `SessionStore`: it uses the store's `_read` and `_write`, which turn database errors into
`StoreError`s. On PostgreSQL the server decides what each login may see and add (`store/migrations`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Text, insert, select, type_coerce

from rehearse.store import access
from rehearse.store.errors import StoreError
from rehearse.store.schema import comments, people, ratings, sessions, turns

ROLES = ("learner", "trainer")


class Reviews:
    def add_person(self, name: str, role: str, team: str, password: str | None = None) -> None:
        """A learner or a trainer in a team (`name` as sessions record the learner). On PostgreSQL also the
        person's login role, with `password`, in the same transaction."""
        if role not in ROLES:
            raise StoreError(f"a person is a learner or a trainer, not {role!r}")
        if not name.strip() or not team.strip():
            raise StoreError("a person needs a name and a team")
        if self._read(select(people.c.team).where(people.c.name == name)):
            raise StoreError(f"{name} is already in a team; each person is added once")
        with self._transaction() as conn:
            if self.on_postgresql:
                if not password:
                    raise StoreError(f"{name} needs a password to log in to the database server")
                access.create_login(conn, name, role, password)
            conn.execute(insert(people).values(name=name, role=role, team=team, created_at=datetime.now(UTC)))

    def people(self, team: str | None = None) -> list[dict]:
        query = select(people).order_by(people.c.team, people.c.name)
        return self._read(query if team is None else query.where(people.c.team == team))

    def add_rating(self, turn_id: int, author: str, dimension: str, score: float) -> int:
        """A trainer's 0–100 score of one turn on one dimension (e.g. "empathy"). Returns the row id."""
        if not 0 <= score <= 100:
            raise StoreError(f"a rating is a score from 0 to 100, not {score}")
        if not dimension.strip():
            raise StoreError("a rating needs a dimension (such as empathy or pace)")
        self._check_turn(turn_id)
        row = dict(turn_id=turn_id, author=author, dimension=dimension, score=float(score))
        return self._add(ratings, row)

    def add_comment(self, turn_id: int, author: str, at_seconds: float, text: str) -> int:
        """A trainer's comment pinned `at_seconds` into the turn's timeline. Returns the row id."""
        if at_seconds < 0:
            raise StoreError(f"a comment is pinned to a time from the turn's start, not {at_seconds} s")
        if not text.strip():
            raise StoreError("a comment needs some text")
        self._check_turn(turn_id)
        return self._add(comments, dict(turn_id=turn_id, author=author, at_seconds=float(at_seconds), text=text))

    def ratings_for(self, session_id: str) -> list[dict]:
        """Every rating of the session's turns, by turn, take and time given (each with the turn's index, take)."""
        return self._read(_of_session(ratings, session_id).order_by(turns.c.index, turns.c.take, ratings.c.id))

    def comments_for(self, session_id: str) -> list[dict]:
        """Every comment on the session's turns, by turn, take and moment."""
        return self._read(
            _of_session(comments, session_id).order_by(turns.c.index, turns.c.take, comments.c.at_seconds)
        )

    def rated_turns(self, team: str | None = None, trainer: str | None = None) -> list[dict]:
        """Every rating (of `trainer`, of `team`'s learners) with its turn and the coach's score of the same
        dimension (`automatic`, None when the coach did not score it); what `store.calibration` reads."""
        query = (
            select(
                ratings.c.id.label("rating_id"),
                ratings.c.turn_id,
                ratings.c.author,
                ratings.c.dimension,
                ratings.c.score,
                ratings.c.created_at,
                turns.c.session_id,
                turns.c.index,
                turns.c.take,
                type_coerce(turns.c.feedback, Text).label("feedback"),
                sessions.c.learner,
            )
            .join(turns, ratings.c.turn_id == turns.c.id)
            .join(sessions, turns.c.session_id == sessions.c.id)
            .order_by(ratings.c.id)
        )
        if team is not None:
            query = query.where(sessions.c.learner.in_(select(people.c.name).where(people.c.team == team)))
        if trainer is not None:
            query = query.where(ratings.c.author == trainer)
        rows = self._read(query)
        for row in rows:
            row["take"] = row["take"] or 1
            row["automatic"] = _automatic_score(row.pop("feedback"), row["dimension"])
        return rows

    def _check_turn(self, turn_id: int) -> None:
        if not self._read(select(turns.c.id).where(turns.c.id == turn_id)):
            raise StoreError(f"no saved turn has the id {turn_id} (or it is not yours to review)")

    def _add(self, table, row: dict) -> int:
        result = self._write(insert(table).values(**row, created_at=datetime.now(UTC)))
        return int(result.inserted_primary_key[0])


def _automatic_score(feedback: str | dict | None, dimension: str) -> float | None:
    try:
        verdict = feedback if isinstance(feedback, dict) else json.loads(feedback or "{}")  # PostgreSQL: parsed
        value = (verdict.get("scores") or {}).get(dimension)
    except (ValueError, AttributeError):
        return None  # a damaged verdict: nothing to compare with
    return None if value is None else float(value)


def _of_session(table, session_id: str):
    return (
        select(table, turns.c.index, turns.c.take)
        .join(turns, table.c.turn_id == turns.c.id)
        .where(turns.c.session_id == session_id)
    )
