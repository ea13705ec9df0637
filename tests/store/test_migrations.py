"""Alembic migrations: a fresh database, a file the release before Alembic made, a newer database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import create_engine, inspect, text

from rehearse.store import SessionStore, StoreError, legacy
from rehearse.store.schema import metadata

RELEASE_DUMP = Path(__file__).with_name("release_0_1_0.sql")
"""`sqlite3 .dump` of a database that Rehearse 0.1 (commit 4d81957, schema_version 2) saved: a session
with a retaken turn, and an unfinished one. Audio paths read `@DATA@` for the data folder."""


def test_a_fresh_database_has_every_table_and_column_the_store_uses(store_url, tmp_path):
    SessionStore(url=store_url, folder=tmp_path).close()
    found = inspect(create_engine(store_url))
    for table in metadata.sorted_tables:
        assert {c["name"] for c in found.get_columns(table.name)} == set(table.columns.keys()), table.name
    assert "alembic_version" in found.get_table_names()


def test_a_database_from_the_release_before_alembic_upgrades_in_place_keeping_every_row(tmp_path):
    database = tmp_path / "rehearse.db"
    with sqlite3.connect(database) as db:
        db.executescript(RELEASE_DUMP.read_text().replace("@DATA@", str(tmp_path)))
        before = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("sessions", "turns", "meta")}
    tone = (0.1 * np.sin(np.linspace(0, 200, 1600))).astype(np.float32)
    for row in before["turns"]:
        for path in row[9:11]:
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                sf.write(path, tone, 16_000, format="FLAC")

    store = SessionStore(folder=tmp_path)
    with sqlite3.connect(database) as db:
        for table in ("sessions", "turns"):
            after = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            assert [r[: len(before[table][0])] for r in after] == before[table], table
        assert db.execute("SELECT value FROM meta").fetchall() == [("3",)]  # the release refuses it now
        assert db.execute("SELECT version_num FROM alembic_version").fetchall()[0][0] != "0001"
    [finished] = [s for s in store.sessions("sam")]
    assert (finished["status"], finished["outcome"], finished["difficulty"]) == ("finished", "resolved", 3)
    every = store.turns(finished["id"], every_take=True)
    assert [(t["index"], t["take"], t["active"]) for t in every] == [(1, 1, True), (2, 1, False), (2, 2, True)]
    assert every[0]["feedback"]["scores"] == {"empathy": 62.5, "pace": 80.0}
    assert every[2]["outcome"] == "resolved" and sf.info(every[2]["customer_audio"]).frames == 1600
    assert store.scenario_text(finished["id"]) is None
    assert store.find_session("1223")["note"] == "replies ran out"

    second = store.start_session("sam", "internet-outage", seed=1, scenario_text="id: internet-outage\n")
    assert SessionStore(folder=tmp_path).scenario_text(second) == "id: internet-outage\n"


def test_a_database_from_a_newer_rehearse_is_refused_unchanged(store_url, tmp_path):
    SessionStore(url=store_url, folder=tmp_path).close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    with pytest.raises(StoreError, match="newer version of Rehearse"):
        SessionStore(url=store_url, folder=tmp_path)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "f00d"


def test_a_database_the_release_made_on_any_server_upgrades_in_place(store_url, tmp_path):
    """The release created its tables from the same metadata that `store.legacy` keeps frozen."""
    engine = create_engine(store_url)
    legacy.metadata.create_all(engine)
    started = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(legacy.meta.insert().values(key="schema_version", value="2"))
        conn.execute(
            legacy.metadata.tables["sessions"]
            .insert()
            .values(
                id="s-1", learner="sam", scenario_id="internet-outage", seed=4, status="finished", started_at=started
            )
        )
        conn.execute(
            legacy.metadata.tables["turns"]
            .insert()
            .values(
                session_id="s-1",
                index=1,
                node_id="opening",
                customer_line="Hi",
                customer_mood=0.5,
                transcript="sorry",
                feedback={"scores": {"empathy": 70.0}},
                created_at=started,
                take=1,
                active=True,
            )
        )
    store = SessionStore(url=store_url, folder=tmp_path)
    assert store.session("s-1")["started_at"] == started
    [turn] = store.turns("s-1")
    assert turn["feedback"]["scores"] == {"empathy": 70.0} and turn["transcript"] == "sorry"
    store.add_rating(turn["id"], "tess", "empathy", 55)
    assert [r["score"] for r in store.ratings_for("s-1")] == [55.0]
