import pytest
import soundfile as sf

from rehearse.store import SessionStore, StoreError
from tests.store.helpers import add_turn


def _turn(store, session_id, index, audio=True, take=1, transcript="I'm sorry"):
    return add_turn(
        store,
        session_id,
        index,
        take=take,
        audio=audio,
        customer_line="Third call!",
        transcript=transcript,
        verdict={"scores": {"empathy": 50.0}, "moves": ["apologize"]},
        step={"goto": "next"},
    )


def test_session_and_turns_persist_in_a_real_sqlite_file(tmp_path):
    store = SessionStore(folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=3)
    _turn(store, sid, 1)
    _turn(store, sid, 2, audio=False)
    store.end_session(sid, "unfinished", note="replies ran out")

    reopened = SessionStore(folder=tmp_path)  # a new process would see the same
    session = reopened.session(sid)
    assert session["status"] == "unfinished" and session["learner"] == "sam" and session["seed"] == 3
    rows = reopened.turns(sid)
    assert [r["index"] for r in rows] == [1, 2]
    assert rows[0]["feedback"]["scores"]["empathy"] == 50.0
    assert rows[0]["feedback"]["transcript"] == rows[0]["transcript"] == "I'm sorry"
    assert rows[0]["feedback"]["next_line"] == "Fine." and rows[0]["feedback"]["branch"] == {"goto": "next"}
    learner, rate = sf.read(rows[0]["learner_audio"])
    assert rate == 16_000 and learner.size == 16_000
    assert sf.info(rows[0]["customer_audio"]).format == "FLAC"
    assert rows[1]["learner_audio"] is None
    assert [s["id"] for s in reopened.sessions("sam")] == [sid]
    assert (tmp_path / "rehearse.db").is_file()


def test_unwritable_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        SessionStore(folder=blocker / "data")


def test_a_failed_audio_write_keeps_earlier_turns(tmp_path):
    store = SessionStore(folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=0)
    _turn(store, sid, 1)
    (tmp_path / "audio" / sid / "turn-02-customer.flac").mkdir(parents=True)  # the path is taken by a folder
    (tmp_path / "audio" / sid / "turn-02-customer.flac.partial").mkdir()
    with pytest.raises(StoreError, match="could not write"):
        _turn(store, sid, 2)
    assert [r["index"] for r in store.turns(sid)] == [1]


def test_a_database_from_before_difficulty_was_recorded_is_upgraded_in_place(tmp_path):
    import sqlite3

    old = sqlite3.connect(tmp_path / "rehearse.db")
    old.execute(
        "CREATE TABLE sessions (id VARCHAR(36) PRIMARY KEY, learner VARCHAR(200) NOT NULL, "
        "scenario_id VARCHAR(200) NOT NULL, seed INTEGER NOT NULL, status VARCHAR(20) NOT NULL, "
        "outcome VARCHAR(20), started_at DATETIME NOT NULL, ended_at DATETIME, note TEXT)"
    )
    old.execute(
        "INSERT INTO sessions VALUES ('old-1', 'sam', 'internet-outage', 0, 'finished', 'resolved', "
        "'2026-01-01 10:00:00.000000', NULL, NULL)"
    )
    old.commit()
    old.close()
    store = SessionStore(folder=tmp_path)
    assert store.session("old-1")["difficulty"] is None and store.session("old-1")["outcome"] == "resolved"
    sid = store.start_session("sam", "internet-outage", seed=0, difficulty=4)
    assert SessionStore(folder=tmp_path).session(sid)["difficulty"] == 4


def test_a_retake_keeps_both_takes_and_only_the_new_one_is_on_the_active_path(tmp_path):
    store = SessionStore(folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=0)
    for index in (1, 2, 3):
        _turn(store, sid, index, audio=index == 2)
    store.retire_turns(sid, 2)
    _turn(store, sid, 2, take=2, transcript="second take")
    active = store.turns(sid)
    assert [(r["index"], r["take"]) for r in active] == [(1, 1), (2, 2)]
    every = store.turns(sid, every_take=True)
    assert [(r["index"], r["take"], r["active"]) for r in every] == [
        (1, 1, True),
        (2, 1, False),
        (2, 2, True),
        (3, 1, False),
    ]
    first, second = every[1]["learner_audio"], every[2]["learner_audio"]
    assert first != second and sf.info(first).frames == sf.info(second).frames == 16_000


def test_a_database_from_before_takes_reads_as_one_take_each(tmp_path):
    import sqlite3

    store = SessionStore(folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=0)
    db = sqlite3.connect(tmp_path / "rehearse.db")
    db.execute(
        'INSERT INTO turns (session_id, "index", node_id, customer_line, customer_mood, transcript, feedback, '
        "created_at) VALUES (?, 1, 'opening', 'Hi', 0.5, 'ok', ?, '2026-01-01 10:00:00')",
        (sid, '{"transcript": "ok", "next_line": "Bye.", "outcome": "resolved", "scores": {}}'),
    )
    db.commit()
    db.close()
    [row] = SessionStore(folder=tmp_path).turns(sid)
    assert (row["take"], row["active"], row["next_line"], row["outcome"]) == (1, True, "Bye.", "resolved")
