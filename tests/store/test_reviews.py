"""Trainer ratings and comments, people in teams, and scenario versions, on every supported database."""

from __future__ import annotations

import uuid

import pytest

from rehearse.store import SessionStore, StoreError
from tests.store.helpers import add_turn


@pytest.fixture()
def store(store_url, tmp_path):
    store = SessionStore(url=store_url, folder=tmp_path)
    yield store
    store.close()


def test_ratings_and_comments_are_kept_per_turn_and_read_per_session(store):
    sid = store.start_session("sam", "internet-outage", seed=0)
    first, second = add_turn(store, sid, 1, audio=False), add_turn(store, sid, 2, audio=False)
    other = add_turn(store, store.start_session("alex", "internet-outage", seed=0), 1, audio=False)
    store.add_rating(second, "tess", "empathy", 40)
    store.add_rating(first, "tess", "pace", 85.5)
    store.add_rating(other, "tess", "pace", 10)
    store.add_comment(second, "tess", 3.5, "You interrupted here")
    store.add_comment(second, "tess", 1.25, "Good opening")
    ratings = store.ratings_for(sid)
    assert [(r["index"], r["dimension"], r["score"], r["author"]) for r in ratings] == [
        (1, "pace", 85.5, "tess"),
        (2, "empathy", 40.0, "tess"),
    ]
    comments = store.comments_for(sid)
    assert [(c["index"], c["at_seconds"], c["text"]) for c in comments] == [
        (2, 1.25, "Good opening"),
        (2, 3.5, "You interrupted here"),
    ]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s, t: s.add_rating(t, "tess", "empathy", 120), "from 0 to 100"),
        (lambda s, t: s.add_rating(t, "tess", " ", 50), "needs a dimension"),
        (lambda s, t: s.add_rating(t + 99, "tess", "empathy", 50), "no saved turn"),
        (lambda s, t: s.add_comment(t, "tess", -1, "early"), "pinned to a time"),
        (lambda s, t: s.add_comment(t, "tess", 1, ""), "needs some text"),
        (lambda s, t: s.add_person("tess", "boss", "north"), "learner or a trainer"),
    ],
)
def test_bad_reviews_are_refused_with_a_clear_message(store, call, message):
    sid = store.start_session("sam", "internet-outage", seed=0)
    turn = add_turn(store, sid, 1, audio=False)
    with pytest.raises(StoreError, match=message):
        call(store, turn)
    assert store.ratings_for(sid) == store.comments_for(sid) == store.people() == []


def test_people_are_listed_by_team(store):
    sam, tess, alex = (f"{name}-{uuid.uuid4().hex[:6]}" for name in ("sam", "tess", "alex"))  # logins: one server
    store.add_person(sam, "learner", "north", password="pw")
    store.add_person(tess, "trainer", "north", password="pw")
    store.add_person(alex, "learner", "south", password="pw")
    assert [p["name"] for p in store.people("north")] == sorted([sam, tess])
    with pytest.raises(StoreError):
        store.add_person(sam, "learner", "south", password="pw")  # one row per person


def test_a_scenario_file_is_kept_once_per_content_and_each_session_finds_its_own(store):
    v1, v2 = "id: outage\nlines: 1\n", "id: outage\nlines: 2\n"
    first = store.start_session("sam", "outage", seed=0, scenario_text=v1)
    again = store.start_session("alex", "outage", seed=0, scenario_text=v1)
    edited = store.start_session("sam", "outage", seed=0, scenario_text=v2)
    assert [store.scenario_text(s) for s in (first, again, edited)] == [v1, v1, v2]
    assert store.session(first)["scenario_version"] == store.session(again)["scenario_version"]
    assert store.scenario_text(store.start_session("sam", "outage", seed=0)) is None
