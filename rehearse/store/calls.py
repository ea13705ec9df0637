"""Recorded calls in the store: one session of kind "real call" per call file, written whole or not at all,
found again by the file's sha256; and each learner's voice print from their practice sessions."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, update

from rehearse.audio.files import write_flac
from rehearse.privacy import private_folder
from rehearse.store.errors import StoreError, explain
from rehearse.store.schema import sessions, voice_prints

REAL_CALL = "real call"
SCENARIO_ID = "real-call"
"""The scenario id a real call is listed under (no scenario file: replay titles it by this id)."""


def find_call(store, sha256: str) -> dict | None:
    """The session already imported from a file with these bytes, if any."""
    rows = store._read(select(sessions.c.id).where(sessions.c.source_hash == sha256, sessions.c.kind == REAL_CALL))
    return store.session(rows[0]["id"]) if rows else None


def save_call(store, learner: str, sha256: str, call: dict, turns: list[dict]) -> str:
    """Write a call as one finished session: each turn's two tracks as FLAC, then the session and its turns
    in one transaction. On any failure nothing stays (no row, no file). Returns the session id.

    `turns`: dicts with the columns of a turn row (`node_id`, `customer_line`, `customer_mood`, `transcript`,
    `verdict`) and `customer_audio`/`learner_audio` as (samples, rate) or None."""
    store._check_writable()
    session_id = str(uuid.uuid4())
    folder = store.folder / "audio" / session_id
    now = datetime.now(UTC)
    try:
        rows = [_turn_files(store, session_id, index, turn) for index, turn in enumerate(turns, 1)]
        with store._transaction() as conn:
            conn.execute(
                insert(sessions).values(
                    id=session_id,
                    learner=learner,
                    scenario_id=SCENARIO_ID,
                    seed=0,
                    status="finished",
                    started_at=now,
                    ended_at=now,
                    note=f"recorded call {call.get('file_name', '')}".strip(),
                    kind=REAL_CALL,
                    source_hash=sha256,
                    call=json.loads(json.dumps(call)),
                )
            )
            for index, (turn, (paths, flac)) in enumerate(zip(turns, rows, strict=True), 1):
                store._insert_turn(
                    conn,
                    paths,
                    flac,
                    session_id=session_id,
                    index=index,
                    take=1,
                    active=True,
                    node_id=turn["node_id"],
                    customer_line=turn["customer_line"],
                    customer_mood=turn["customer_mood"],
                    transcript=turn["transcript"],
                    feedback=json.loads(json.dumps(turn["verdict"])),
                    step=None,
                    next_line=None,
                    outcome=None,
                    created_at=now,
                )
    except BaseException:  # a failed write, or Ctrl+C: no row points to these files any more
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return session_id


def _turn_files(store, session_id: str, index: int, turn: dict) -> tuple[dict[str, str], dict[str, bytes]]:
    paths, flac = {}, {}
    for track in ("customer", "learner"):
        audio = turn.get(f"{track}_audio")
        if audio is None or not audio[0].size:
            continue
        path = store.audio_path(session_id, index, track)
        private_folder(path.parent)
        try:
            write_flac(path, *audio)
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"could not write {path}: {explain(exc, path.parent)}") from exc
        paths[track] = str(path)
        if store.audio_in_database:
            flac[track] = Path(path).read_bytes()
    return paths, flac


def stored_voice_print(store, learner: str) -> tuple[np.ndarray, int] | None:
    """The learner's kept voice print and how many practice sessions it was made from (None: none yet)."""
    rows = store._read(select(voice_prints).where(voice_prints.c.learner == learner))
    if not rows:
        return None
    return np.asarray(rows[0]["vector"], dtype=np.float32), int(rows[0]["sessions"])


def keep_voice_print(store, learner: str, vector: np.ndarray, speech_s: float, session_count: int) -> None:
    """Store (or replace) the learner's voice print."""
    values = {
        "vector": [round(float(v), 6) for v in vector],
        "speech_s": float(speech_s),
        "sessions": int(session_count),
        "updated_at": datetime.now(UTC),
    }
    with store._transaction() as conn:
        found = conn.execute(select(voice_prints.c.learner).where(voice_prints.c.learner == learner)).first()
        if found:
            conn.execute(update(voice_prints).where(voice_prints.c.learner == learner).values(**values))
        else:
            conn.execute(insert(voice_prints).values(learner=learner, **values))


def practice_speech(store, learner: str, max_s: float = 60.0) -> tuple[list[tuple[np.ndarray, int]], int]:
    """Up to `max_s` of the learner's recorded replies from their practice sessions (newest first), and how
    many practice sessions they have."""
    practice = [s for s in reversed(store.sessions(learner)) if s.get("kind") is None]
    clips, total = [], 0.0
    for session in practice:
        for turn in store.turns(session["id"]):
            if total >= max_s:
                return clips, len(practice)
            audio = store.audio(turn, "learner")
            if audio is not None and audio[0].size:
                clips.append(audio)
                total += audio[0].shape[0] / audio[1]
    return clips, len(practice)
