"""Deleting a learner removes their sessions, turns, audio (files and a server's FLAC copies), trainers' reviews
of their turns, their voice print and their login, and nothing of anyone else; on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from rehearse.app.cli import main
from rehearse.store import SessionStore, StoreError
from rehearse.store.calls import keep_voice_print, stored_voice_print
from rehearse.store.removal import remove_learner
from rehearse.store.schema import comments, ratings, turn_audio, turns
from tests.store.helpers import add_turn


@pytest.fixture()
def team(store_url, tmp_path):
    """sam and alex learn, tess trains (team north); each learner has two rated, commented sessions with audio."""
    store = SessionStore(url=store_url, folder=tmp_path / "data")
    tag = uuid.uuid4().hex[:6]  # logins belong to the whole server
    names = {who: f"{who}_{tag}" for who in ("sam", "alex", "tess")}
    for who, role in (("sam", "learner"), ("alex", "learner"), ("tess", "trainer")):
        store.add_person(names[who], role, "north", password=f"pw-{who}")
    for who in ("sam", "alex"):
        keep_voice_print(store, names[who], np.ones(4) / 2, speech_s=30.0, session_count=2)
        for _ in range(2):
            sid = store.start_session(names[who], "internet-outage", seed=0)
            for index in (1, 2):
                turn = add_turn(store, sid, index)
                store.add_rating(turn, names["tess"], "empathy", 50)
                store.add_comment(turn, names["tess"], 0.5, f"note for {who}")
            store.end_session(sid, "finished", outcome="resolved")
    yield store, names
    store.close()


def _count(store, table) -> int:
    query = select(func.count()).select_from(table)
    with store._engine.connect() as conn:
        return conn.execute(query).scalar()


def test_removing_a_learner_deletes_everything_of_theirs_and_nothing_else(team, store_url, request):
    store, names = team
    server = request.getfixturevalue("postgres") if store.on_postgresql else None
    sam_sessions = [s["id"] for s in store.sessions(names["sam"])]
    alex_before = [
        (s["id"], len(store.turns(s["id"])), len(store.ratings_for(s["id"]))) for s in store.sessions(names["alex"])
    ]
    removed = remove_learner(store, names["sam"])
    assert (removed.sessions, removed.turns, removed.reviews, removed.audio_files) == (2, 4, 8, 8)
    assert store.sessions(names["sam"]) == [] and all(store.session(s) is None for s in sam_sessions)
    assert not any((store.folder / "audio" / s).exists() for s in sam_sessions)
    assert [p["name"] for p in store.people()] == sorted([names["alex"], names["tess"]])
    assert stored_voice_print(store, names["sam"]) is None and stored_voice_print(store, names["alex"]) is not None
    assert [
        (s["id"], len(store.turns(s["id"])), len(store.ratings_for(s["id"]))) for s in store.sessions(names["alex"])
    ] == alex_before
    assert _count(store, turns) == 4 and _count(store, ratings) == 4 and _count(store, comments) == 4
    assert _count(store, turn_audio) == (8 if store.audio_in_database else 0)  # alex's FLAC copies only
    assert all(store.audio(t, "learner") is not None for s in store.sessions() for t in store.turns(s["id"]))
    if server is not None:  # the login is gone too
        assert removed.login_dropped
        with pytest.raises(OperationalError, match="password authentication failed|does not exist"):
            create_engine(server.login_url(store_url, names["sam"], "pw-sam")).connect()


def test_a_trainer_or_an_unknown_name_is_refused(team):
    store, names = team
    with pytest.raises(StoreError, match="is a trainer, not a learner"):
        remove_learner(store, names["tess"])
    with pytest.raises(StoreError, match="no learner named"):
        remove_learner(store, "nobody")
    assert len(store.sessions()) == 4


def test_the_command_asks_for_yes_before_deleting(team, store_url, tmp_path, capsys):
    store, names = team
    store_args = ["--db", store_url, "--data-dir", str(tmp_path / "data")]
    assert main(["team", "remove", names["alex"], *store_args]) == 2
    refused = capsys.readouterr().err
    assert "deletes" in refused and "--yes" in refused
    assert len(store.sessions(names["alex"])) == 2
    assert main(["team", "remove", names["alex"], "--yes", *store_args]) == 0
    assert f"removed learner {names['alex']}: 2 session(s), 4 turn(s)" in capsys.readouterr().out
    assert store.sessions(names["alex"]) == []
