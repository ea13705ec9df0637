"""Moving sessions between stores as a ZIP: everything arrives (audio, scenario version, takes, reviews), a
second import adds nothing, and a damaged file is refused with nothing written. Both ways between a SQLite
file and the store under test (SQLite, or a real PostgreSQL server)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from sqlalchemy import update

from rehearse.app.cli import main
from rehearse.store import SessionStore, StoreError
from rehearse.store.schema import sessions
from rehearse.store.transfer import export_sessions, import_sessions
from tests.store.helpers import TONE, add_turn

SCENARIO = "id: internet-outage\ntitle: as played\n"


def _session_with_everything(store) -> str:
    """Two turns, the first taken twice (a retake), audio, a rating and a comment, a scenario version."""
    sid = store.start_session("sam", "internet-outage", seed=3, difficulty=2, scenario_text=SCENARIO)
    add_turn(store, sid, 1, transcript="first take")
    store.retire_turns(sid, 1)
    kept = add_turn(store, sid, 1, take=2, transcript="I'm sorry, let me fix this")
    add_turn(store, sid, 2, audio=False, verdict={"scores": {"empathy": 10.0}}, outcome="escalated")
    store.add_rating(kept, "tess", "empathy", 70)
    store.add_comment(kept, "tess", 0.5, "Better than the first take")
    store.end_session(sid, "finished", outcome="escalated")
    with store._engine.begin() as conn:  # as `rehearse import` keeps a recorded call
        conn.execute(update(sessions).where(sessions.c.id == sid).values(kind="real call", call={"talk_ratio": 0.4}))
    return sid


def _everything(store, sid: str) -> dict:
    """What a reader of the store sees of a session (ids that each database assigns left out)."""
    every = store.turns(sid, every_take=True)
    skip = ("id", "session_id", "customer_audio", "learner_audio")
    return {
        "session": store.session(sid),
        "scenario": store.scenario_text(sid),
        "turns": [{k: v for k, v in t.items() if k not in skip} for t in every],
        "audio": [
            [None if (a := store.audio(t, track)) is None else a[0].tolist() for track in ("customer", "learner")]
            for t in every
        ],
        "ratings": [(r["index"], r["take"], r["dimension"], r["score"], r["author"]) for r in store.ratings_for(sid)],
        "comments": [(c["index"], c["take"], c["at_seconds"], c["text"]) for c in store.comments_for(sid)],
    }


@pytest.mark.parametrize("direction", ["from a rep's SQLite file", "to a rep's SQLite file"])
def test_sessions_move_whole_and_a_second_import_adds_nothing(store_url, tmp_path, direction):
    laptop = SessionStore(folder=tmp_path / "laptop")
    other = SessionStore(url=store_url, folder=tmp_path / "other-machine")
    source, target = (laptop, other) if direction.startswith("from") else (other, laptop)
    sid = _session_with_everything(source)
    before = _everything(source, sid)
    export_sessions(source, [sid], tmp_path / "out.zip")
    if source is other and other.audio_in_database:  # a trainer's machine: the audio comes from the database
        for path in (tmp_path / "other-machine" / "audio" / sid).iterdir():
            path.unlink()
        export_sessions(source, [sid], tmp_path / "out.zip")
    first = import_sessions(target, tmp_path / "out.zip")
    assert (first.added, first.present) == ((sid,), ())
    after = _everything(target, sid)
    assert after == before
    assert np.allclose(target.audio(target.turns(sid)[0], "learner")[0], TONE, atol=1e-4)
    again = import_sessions(target, tmp_path / "out.zip")
    assert (again.added, again.present) == ((), (sid,))
    assert _everything(target, sid) == before and len(target.sessions()) == 1


def _damaged(archive: bytes, how: str) -> bytes:
    if how == "truncated":
        return archive[: len(archive) // 2]
    if how == "not a zip":
        return b"hello, this is not a zip file"
    members = {}
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    if how == "no manifest":
        del members["manifest.json"]
    elif how == "changed audio":
        name = next(n for n in members if n.endswith("learner.flac"))
        members[name] = members[name][:-100] + bytes(100)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("how", ["truncated", "not a zip", "no manifest", "changed audio"])
def test_a_damaged_file_is_refused_and_nothing_is_written(store_url, tmp_path, how):
    laptop = SessionStore(folder=tmp_path / "laptop")
    export_sessions(laptop, [_session_with_everything(laptop)], tmp_path / "good.zip")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_damaged((tmp_path / "good.zip").read_bytes(), how))
    target = SessionStore(url=store_url, folder=tmp_path / "target")
    with pytest.raises(StoreError, match=rf"{bad}.*nothing was imported"):
        import_sessions(target, bad)
    assert target.sessions() == [] and not (tmp_path / "target" / "audio").exists()


def test_the_commands_export_and_import_and_name_a_missing_session(tmp_path, capsys):
    laptop = SessionStore(folder=tmp_path / "laptop")
    sid = _session_with_everything(laptop)
    laptop.close()
    out = tmp_path / "move.zip"
    assert main(["export", sid[:8], "last", str(out), "--data-dir", str(tmp_path / "laptop")]) == 0
    assert "1 session(s)" in capsys.readouterr().out
    assert main(["export", "nosuch", str(tmp_path / "x.zip"), "--data-dir", str(tmp_path / "laptop")]) == 2
    assert "no saved session matches 'nosuch'" in capsys.readouterr().err and not (tmp_path / "x.zip").exists()
    assert main(["import-sessions", str(out), "--data-dir", str(tmp_path / "team")]) == 0
    assert main(["import-sessions", str(out), "--data-dir", str(tmp_path / "team")]) == 0
    assert "imported 0 session(s)" in capsys.readouterr().out.splitlines()[-1]
    assert [s["id"] for s in SessionStore(folder=tmp_path / "team").sessions()] == [sid]
