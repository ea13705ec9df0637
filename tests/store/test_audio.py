"""Turn audio: files in the data folder; on a server also FLAC in the database, for replay elsewhere."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from rehearse.store import SessionStore, StoreError
from tests.store.helpers import TONE, add_turn


def test_a_turn_replays_its_audio_and_on_a_server_from_another_machine(store_url, tmp_path):
    rep = SessionStore(url=store_url, folder=tmp_path / "laptop")
    sid = rep.start_session("sam", "internet-outage", seed=0)
    add_turn(rep, sid, 1)
    add_turn(rep, sid, 2, audio=False)
    rep.end_session(sid, "finished", outcome="resolved")
    first, second = rep.turns(sid)
    samples, rate = rep.audio(first, "learner")
    assert rate == 16_000 and np.allclose(samples, TONE, atol=1e-4)
    assert rep.audio(first, "customer")[1] == 22_050 and rep.audio(second, "learner") is None

    with create_engine(store_url).connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM turn_audio")).scalar()
    trainer = SessionStore(url=store_url, folder=tmp_path / "trainer")  # another machine: none of the files
    if rep.audio_in_database:
        assert stored == 2
        samples, rate = trainer.audio(trainer.turns(sid)[0], "learner")
        assert rate == 16_000 and np.allclose(samples, TONE, atol=1e-4)
    else:  # SQLite: one user's folder, the files are the audio
        assert stored == 0


def test_damaged_audio_is_a_clear_error(store_url, tmp_path):
    store = SessionStore(url=store_url, folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=0)
    add_turn(store, sid, 1)
    [turn] = store.turns(sid)
    with open(turn["learner_audio"], "wb") as damaged:
        damaged.write(b"not flac at all")
    with pytest.raises(StoreError, match="learner audio of turn 1 is damaged"):
        store.audio(turn, "learner")


def test_an_unreachable_server_is_one_line_naming_the_url_and_what_to_do(tmp_path):
    with pytest.raises(StoreError) as caught:
        SessionStore(url="postgresql+psycopg://sam:secret@127.0.0.1:9/team", folder=tmp_path)
    message = str(caught.value)
    assert "postgresql+psycopg://sam:***@127.0.0.1:9/team" in message and "secret" not in message
    assert "cannot be reached" in message and "leave --db out" in message and "\n" not in message


def test_replay_reads_the_audio_as_the_store_keeps_it_so_a_server_replays_without_the_files(
    store_url, tmp_path, monkeypatch
):
    from rehearse.app.gui.replay.data import learner_pitch, load_session
    from rehearse.app.timeline import conversation_audio

    rep = SessionStore(url=store_url, folder=tmp_path / "laptop")
    sid = rep.start_session("sam", "internet-outage", seed=0)
    add_turn(rep, sid, 1)
    rep.end_session(sid, "finished")
    shutil.rmtree(tmp_path / "laptop" / "audio")  # the trainer's machine has none of the rep's files

    monkeypatch.setenv("REHEARSE_DB_URL", store_url)
    monkeypatch.setenv("REHEARSE_DATA_DIR", str(tmp_path / "trainer"))
    view = load_session(sid)
    segments = [(s.speaker, round(s.end - s.start, 2)) for s in view.conversation.segments]
    if rep.audio_in_database:
        assert segments == [("customer", round(TONE.size / 22_050, 2)), ("learner", 1.0)]
        assert np.abs(view.conversation.audio).max() == pytest.approx(0.1, abs=0.01)
        assert learner_pitch(view).times.size > 0
        assert conversation_audio(view.turns, view.store)[0].size == view.conversation.audio.size
    else:  # SQLite: the files are the audio, and replay shows the turns without them as before
        assert segments == [] and learner_pitch(view).times.size == 0
