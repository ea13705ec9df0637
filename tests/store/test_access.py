"""Who sees what on a PostgreSQL store, enforced by the server: two learners and a trainer log in as
themselves (real roles, passwords, TCP) and try the store's API and crafted SQL. Never as a superuser."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from rehearse.store import SessionStore, StoreError
from tests.store.helpers import add_turn

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def team(postgres, tmp_path_factory):
    """alice and bob learn in team north, tess trains north, carol learns in south; each has a session."""
    url = postgres.new_database()
    tag = uuid.uuid4().hex[:6]  # logins belong to the whole server
    names = {who: f"{who}_{tag}" for who in ("alice", "bob", "tess", "carol")}
    admin = SessionStore(url=url, folder=tmp_path_factory.mktemp("admin"))
    for who, role, team_name in (
        ("alice", "learner", "north"),
        ("bob", "learner", "north"),
        ("tess", "trainer", "north"),
        ("carol", "learner", "south"),
    ):
        admin.add_person(names[who], role, team_name, password=f"pw-{who}")
    login = {who: postgres.login_url(url, names[who], f"pw-{who}") for who in names}
    stores = {who: SessionStore(url=login[who], folder=tmp_path_factory.mktemp(who)) for who in names}
    sessions = {}
    for who in ("alice", "bob", "carol"):
        sessions[who] = stores[who].start_session(names[who], "internet-outage", seed=0, scenario_text="id: x\n")
        add_turn(stores[who], sessions[who], 1)
        stores[who].end_session(sessions[who], "finished", outcome="resolved")
    return {"url": url, "names": names, "login": login, "stores": stores, "sessions": sessions, "admin": admin}


def sql(team, who: str, statement: str):
    """Run `statement` logged in as `who`; returns the rows (or the row count of a change)."""
    with create_engine(team["login"][who]).begin() as conn:
        result = conn.execute(text(statement))
        return result.fetchall() if result.returns_rows else result.rowcount


def test_a_learner_sees_and_changes_only_their_own_sessions(team):
    alice, sessions, names = team["stores"]["alice"], team["sessions"], team["names"]
    assert [s["id"] for s in alice.sessions()] == [sessions["alice"]]
    assert alice.session(sessions["bob"]) is None and alice.turns(sessions["bob"]) == []
    assert alice.find_session(sessions["bob"][:8]) is None
    assert alice.audio(alice.turns(sessions["alice"])[0], "learner")[1] == 16_000
    with pytest.raises(StoreError, match="row-level security"):
        alice.start_session(names["bob"], "internet-outage", seed=0)  # a session in bob's name

    own_turn = [t["id"] for t in alice.turns(sessions["alice"])]
    assert [r.id for r in sql(team, "alice", "SELECT * FROM turns")] == own_turn
    assert {r.turn_id for r in sql(team, "alice", "SELECT * FROM turn_audio")} == set(own_turn)
    assert [r.name for r in sql(team, "alice", "SELECT * FROM people")] == [names["alice"]]
    assert sql(team, "alice", f"UPDATE sessions SET note = 'x' WHERE id = '{sessions['bob']}'") == 0
    assert sql(team, "alice", f"DELETE FROM turn_audio WHERE turn_id <> {own_turn[0]}") == 0
    with pytest.raises(ProgrammingError, match="row-level security"):
        sql(team, "alice", f"UPDATE sessions SET learner = '{names['bob']}'")
    with pytest.raises(ProgrammingError, match="permission denied"):
        sql(
            team,
            "alice",
            "INSERT INTO ratings (turn_id, author, dimension, score, created_at) "
            f"VALUES ({own_turn[0]}, '{names['alice']}', 'empathy', 100, now())",
        )
    with pytest.raises(ProgrammingError, match="permission denied"):
        sql(team, "alice", "UPDATE people SET team = 'south'")


def test_a_learner_deleting_every_turn_deletes_only_their_own(team, postgres, tmp_path):
    erin = f"erin_{uuid.uuid4().hex[:6]}"
    team["admin"].add_person(erin, "learner", "east", password="pw-erin")
    team["login"]["erin"] = postgres.login_url(team["url"], erin, "pw-erin")
    store = SessionStore(url=team["login"]["erin"], folder=tmp_path)
    add_turn(store, store.start_session(erin, "internet-outage", seed=1), 1)
    assert sql(team, "erin", "DELETE FROM turn_audio") == 2 and sql(team, "erin", "DELETE FROM turns") == 1
    assert [len(team["admin"].turns(team["sessions"][who])) for who in ("alice", "bob", "carol")] == [1, 1, 1]


def test_a_trainer_sees_the_team_rates_and_comments_but_changes_nothing_else(team):
    tess, sessions, names = team["stores"]["tess"], team["sessions"], team["names"]
    assert {s["id"] for s in tess.sessions()} == {sessions["alice"], sessions["bob"]}
    [turn] = tess.turns(sessions["alice"])
    samples, rate = tess.audio(turn, "learner")  # from the database: tess's machine has no files
    assert rate == 16_000 and samples.size == 16_000
    assert tess.scenario_text(sessions["alice"]) == "id: x\n"
    tess.add_rating(turn["id"], names["tess"], "empathy", 35)
    tess.add_comment(turn["id"], names["tess"], 2.5, "Say sorry before the explanation")
    with pytest.raises(StoreError, match="no saved turn"):
        tess.add_rating(team["admin"].turns(sessions["carol"])[0]["id"], names["tess"], "empathy", 50)
    with pytest.raises(StoreError, match="row-level security"):
        tess.add_comment(turn["id"], names["alice"], 1.0, "in someone else's name")
    alice = team["stores"]["alice"]
    assert [(r["dimension"], r["score"]) for r in alice.ratings_for(sessions["alice"])] == [("empathy", 35.0)]
    assert [c["text"] for c in alice.comments_for(sessions["alice"])] == ["Say sorry before the explanation"]
    assert team["stores"]["bob"].ratings_for(sessions["alice"]) == []

    assert {r.id for r in sql(team, "tess", "SELECT * FROM sessions")} == {sessions["alice"], sessions["bob"]}
    assert sorted(r.name for r in sql(team, "tess", "SELECT * FROM people")) == sorted(
        names[w] for w in ("alice", "bob", "tess")
    )
    for statement in (
        'UPDATE turns SET feedback = \'{"scores": {"empathy": 100}}\'',
        "UPDATE sessions SET outcome = 'escalated'",
        "DELETE FROM turns",
        "DELETE FROM turn_audio",
        "UPDATE turn_audio SET flac = ''",
        "INSERT INTO sessions (id, learner, scenario_id, seed, status, started_at) "
        f"VALUES ('forged', '{names['tess']}', 'x', 0, 'finished', now())",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            sql(team, "tess", statement)
    assert team["admin"].turns(sessions["alice"])[0]["feedback"]["scores"] == {"empathy": 62.5}


def test_team_add_learner_creates_a_login_that_works(team, postgres, tmp_path):
    name = f"dana_{uuid.uuid4().hex[:6]}"
    done = subprocess.run(
        [sys.executable, "-m", "rehearse.app.cli", "team", "add-learner", name, "--team", "north", "--db", team["url"]],
        capture_output=True,
        text=True,
        env={**os.environ, "REHEARSE_DATA_DIR": str(tmp_path)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    password = done.stdout.split(f"database password for {name}: ")[1].split()[0]
    dana = SessionStore(url=postgres.login_url(team["url"], name, password), folder=tmp_path / "dana")
    assert dana.sessions() == [] and dana.start_session(name, "internet-outage", seed=0)
    assert name in {s["learner"] for s in team["stores"]["tess"].sessions()}  # tess trains north
