"""Session lists for review, filtered in the database: learner, scenario, dates, ending and score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from rehearse.store import SessionStore
from rehearse.store.listing import SessionFilter
from rehearse.store.schema import sessions
from tests.store.helpers import add_turn

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture()
def store(store_url, tmp_path):
    store = SessionStore(url=store_url, folder=tmp_path)
    yield store
    store.close()


def _session(store, learner, scenario, days_ago, scores, outcome="resolved", retaken=None):
    """A finished session with one turn per `scores` dict; `retaken`: a first take of turn 1 replaced."""
    sid = store.start_session(learner, scenario, seed=0)
    if retaken is not None:
        add_turn(store, sid, 1, audio=False, verdict={"scores": retaken})
        store.retire_turns(sid, 1)
    for index, turn_scores in enumerate(scores, 1):
        take = 2 if retaken is not None and index == 1 else 1
        add_turn(store, sid, index, take=take, audio=False, verdict={"scores": turn_scores})
    if outcome == "unfinished":
        store.end_session(sid, "unfinished")
    else:
        store.end_session(sid, "finished", outcome)
    store._write(update(sessions).where(sessions.c.id == sid).values(started_at=NOW - timedelta(days=days_ago)))
    return sid


def test_filters_narrow_the_list_in_the_database(store):
    good = _session(store, "sam", "internet-outage", 1, [{"empathy": 80, "pace": 90}, {"empathy": 100, "pace": 70}])
    poor = _session(store, "sam", "billing-double-charge", 3, [{"empathy": 20, "calm": 40}], outcome="escalated")
    # the replaced take (all zeros) does not count: the kept take scores 90
    retaken = _session(
        store, "alex", "internet-outage", 10, [{"empathy": 90, "clarity": None}], retaken={"empathy": 0, "pace": 0}
    )
    unjudged = _session(store, "alex", "late-gift-delivery", 40, [{"empathy": None}], outcome="unfinished")

    everything = store.find_sessions()
    assert [r["id"] for r in everything.rows] == [good, poor, retaken, unjudged]
    assert everything.total == 4
    by_id = {r["id"]: r for r in everything.rows}
    assert by_id[good]["scores"] == {"empathy": 90.0, "pace": 80.0}
    assert by_id[good]["overall"] == pytest.approx(85.0)
    assert by_id[poor]["overall"] == pytest.approx(30.0)
    assert by_id[retaken]["scores"] == {"empathy": 90.0}
    assert by_id[unjudged]["overall"] is None

    def ids(**where):
        return [r["id"] for r in store.find_sessions(SessionFilter(**where)).rows]

    assert ids(learner="alex") == [retaken, unjudged]
    assert ids(scenario="internet-outage") == [good, retaken]
    assert ids(ending="escalated") == [poor]
    assert ids(ending="unfinished") == [unjudged]
    assert ids(min_score=85) == [good, retaken]
    assert ids(min_score=85.1) == [retaken]
    assert ids(since=NOW - timedelta(days=5)) == [good, poor]
    assert ids(since=NOW - timedelta(days=20), until=NOW - timedelta(days=2)) == [poor, retaken]
    assert ids(learner="sam", min_score=50, since=NOW - timedelta(days=2)) == [good]
    page = store.find_sessions(SessionFilter(min_score=0), limit=2)
    assert ([r["id"] for r in page.rows], page.total) == ([good, poor], 3)
    with pytest.raises(ValueError, match="not 'won'"):
        store.find_sessions(SessionFilter(ending="won"))


def test_choices_progress_and_people(store):
    _session(store, "sam", "internet-outage", 5, [{"empathy": 40}])
    _session(store, "sam", "internet-outage", 1, [{"empathy": 60}])
    _session(store, "alex", "billing-double-charge", 2, [{"pace": 70}], outcome="hung_up")
    assert store.filter_choices() == {
        "learner": ["alex", "sam"],
        "scenario": ["billing-double-charge", "internet-outage"],
        "ending": ["hung_up", "resolved"],
    }
    progress = store.session_scores("sam")
    assert [r["scores"] for r in progress] == [{"empathy": 40.0}, {"empathy": 60.0}]
    assert progress[0]["started_at"] < progress[1]["started_at"]
    store.add_person("tess", "trainer", "north", password="pw" if store.on_postgresql else None)
    assert store.person("tess")["role"] == "trainer"
    assert store.person("nobody") is None
