"""Each session's mean scores kept on its row follow its turns (added, retaken, imported), and a database from
before they were kept gets them on upgrade; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config

from rehearse.store import SessionStore
from rehearse.store.migrate import MIGRATIONS
from rehearse.store.transfer import export_sessions, import_sessions
from tests.store.helpers import add_turn


def _scores(empathy, pace=None) -> dict:
    return {"scores": {"empathy": empathy, "pace": pace}}


def _means(store, sid: str) -> tuple:
    row = store.session(sid)
    return row["mean_empathy"], row["mean_pace"], row["mean_clarity"], row["mean_overall"]


def test_the_means_follow_the_active_turns(store_url, tmp_path):
    store = SessionStore(url=store_url, folder=tmp_path / "a")
    sid = store.start_session("sam", "internet-outage", seed=0)
    assert _means(store, sid) == (None, None, None, None)
    add_turn(store, sid, 1, audio=False, verdict=_scores(80, 40))
    add_turn(store, sid, 2, audio=False, verdict=_scores(20))
    assert _means(store, sid) == (50, 40, None, 45)  # overall: the mean of the dimensions' means
    store.retire_turns(sid, 2)
    assert _means(store, sid) == (80, 40, None, 60)
    add_turn(store, sid, 2, take=2, audio=False, verdict=_scores(60))
    assert _means(store, sid) == (70, 40, None, 55)
    listed = store.find_sessions().rows[0]
    assert (listed["scores"], listed["overall"]) == ({"empathy": 70, "pace": 40}, 55)
    export_sessions(store, [sid], tmp_path / "s.zip")
    other = SessionStore(folder=tmp_path / "b")
    import_sessions(other, tmp_path / "s.zip")
    assert _means(other, sid) == (70, 40, None, 55)


def test_a_database_from_before_the_means_gets_them_on_upgrade(store_url, tmp_path):
    store = SessionStore(url=store_url, folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=0)
    add_turn(store, sid, 1, audio=False, verdict=_scores(90, 30))
    with store._engine.connect() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
        conn.commit()
        assert "mean_overall" not in conn.exec_driver_sql("SELECT * FROM sessions").keys()
    store.close()
    assert _means(SessionStore(url=store_url, folder=tmp_path), sid) == (90, 30, None, 60)


@pytest.mark.parametrize("damaged", ["{not json", '{"scores": "none"}'])
def test_a_damaged_verdict_counts_as_not_scored(tmp_path, damaged):
    store = SessionStore(folder=tmp_path)
    sid = store.start_session("sam", "internet-outage", seed=0)
    add_turn(store, sid, 1, audio=False, verdict=_scores(50))
    with store._engine.begin() as conn:
        conn.exec_driver_sql("UPDATE turns SET feedback = ?", (damaged,))
    add_turn(store, sid, 2, audio=False, verdict=_scores(70))
    assert _means(store, sid)[0] == 70
