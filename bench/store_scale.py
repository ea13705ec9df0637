"""A team's store at scale, on SQLite and on PostgreSQL: 10,000 generated sessions of 10–20 turns across 200
learners (verdicts the size of real ones, ~1.9 kB each with word timings), a trainer's filtered session list
and opening a 20-turn session for replay, as the trainer sees them.

    .venv/bin/python bench/store_scale.py [--quick] [--db sqlite postgresql] [--pg-url URL] [--json OUT]

On PostgreSQL the trainer logs in as themselves, so row-level security applies to every query (a server is
started on a temp folder, as the tests do, unless --pg-url names an empty database its owner may use). The
session list is `SessionStore.find_sessions` with each filter the review page offers (targets: ≤ 200 ms median);
opening a session is what replay reads: the session, every take of its 20 turns, the scenario as played,
ratings, comments, and both voices of every turn decoded into one timeline (target ≤ 1 s; on PostgreSQL the
trainer's machine has no audio files, so the FLAC comes from the database). Medians of --repeats runs.
Only the sessions opened have audio (the others' audio would not be read by either measurement).
`--quick`: 1,000 sessions across 20 learners.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from rehearse.app.timeline import build  # noqa: E402
from rehearse.store import SessionStore, session_scores  # noqa: E402
from rehearse.store.listing import DIMENSIONS, SessionFilter  # noqa: E402
from rehearse.store.schema import people, sessions, turns  # noqa: E402

TEAMS = 4
SCENARIOS = ("internet-outage", "billing-double-charge", "late-gift-delivery", "return-refused", "missed-1-1")
OUTCOMES = ("resolved", "escalated", "hung_up")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
FILTERS = {
    "none": SessionFilter(),
    "learner": SessionFilter(learner="learner-042"),
    "scenario": SessionFilter(scenario="internet-outage"),
    "last 30 days": SessionFilter(since=NOW - timedelta(days=30)),
    "ending": SessionFilter(ending="escalated"),
    "score >= 60": SessionFilter(min_score=60),
    "all five": SessionFilter(
        learner="learner-042",
        scenario="internet-outage",
        since=NOW - timedelta(days=200),
        ending="resolved",
        min_score=55,
    ),
}
"""The filters the review page offers, alone and together."""
WORDS = "I'm really sorry about this I can hear how frustrating it is and I'll book a technician for tomorrow".split()
TARGET_LIST_MS, TARGET_OPEN_MS = 200, 1000


def verdict(rng: random.Random) -> dict:
    """A verdict shaped and sized as the coach writes one (`Feedback.to_dict`)."""
    metrics = {f"metric_{i}": round(rng.uniform(0, 200), 3) for i in range(24)}
    words = [[w, round(0.3 * i, 3), round(0.3 * i + 0.25, 3)] for i, w in enumerate(WORDS + WORDS[:8])]
    return {
        "duration_s": 9.5,
        "metrics": metrics,
        "moves": ["acknowledge", "apologize", "next_step"],
        "labels": ["warm and steady"],
        "tip": "Good call: warm words in a steady voice. Keep that tone for the next turn.",
        "evidence": {
            "acknowledge": "i can hear how",
            "apologize": "i'm really sorry",
            "warm and steady": {
                "why": "caring words in a calm, even voice",
                "words": "i'm really sorry",
                "seconds": [],
            },
        },
        "scores": {d: round(rng.uniform(20, 100), 1) for d in DIMENSIONS},
        "baseline": None,
        "not_judged": [],
        "words": words,
    }


def generate(store: SessionStore, count: int, learners: int, seed: int = 0) -> list[str]:
    """`count` sessions in bulk (no audio) and the people of `TEAMS` teams; returns the learners' names."""
    rng = random.Random(seed)
    names = [f"learner-{i:03d}" for i in range(learners)]
    with store._engine.begin() as conn:
        conn.execute(
            insert(people),
            [dict(name=n, role="learner", team=f"team-{i % TEAMS}", created_at=NOW) for i, n in enumerate(names)],
        )
    session_rows, turn_rows = [], []
    for _ in range(count):
        sid = str(uuid.uuid4())
        started = NOW - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        session_rows.append(
            dict(
                id=sid,
                learner=rng.choice(names),
                scenario_id=rng.choice(SCENARIOS),
                seed=0,
                status="finished",
                outcome=rng.choice(OUTCOMES),
                started_at=started,
                ended_at=started + timedelta(minutes=5),
            )
        )
        for index in range(1, rng.randint(10, 20) + 1):
            turn_rows.append(
                dict(
                    session_id=sid,
                    index=index,
                    take=1,
                    active=True,
                    node_id="n",
                    customer_mood=0.5,
                    customer_line="This is the third time I'm calling about my internet this week.",
                    transcript=" ".join(WORDS),
                    feedback=verdict(rng),
                    step={"goto": "history", "condition": "ok"},
                    next_line="Okay.",
                    created_at=started,
                )
            )
        if len(turn_rows) >= 5000:
            _flush(store, session_rows, turn_rows)
    _flush(store, session_rows, turn_rows)
    with store._engine.begin() as conn:
        session_scores.refresh_all(conn)  # what the store does as each turn is added
    return names


def _flush(store, session_rows: list, turn_rows: list) -> None:
    with store._engine.begin() as conn:
        if session_rows:
            conn.execute(insert(sessions), session_rows)
        if turn_rows:
            conn.execute(insert(turns), turn_rows)
    session_rows.clear()
    turn_rows.clear()


def recorded_sessions(store: SessionStore, learner: str, count: int, seed: int = 1) -> list[str]:
    """`count` sessions of 20 turns with both voices (5 s customer, 8 s reply), a rating and a comment each."""
    rng = np.random.default_rng(seed)
    ids = []
    for _ in range(count):
        sid = store.start_session(learner, "internet-outage", seed=0, scenario_text="id: internet-outage\n")
        for index in range(1, 21):
            customer = (0.1 * rng.standard_normal(5 * 22_050)).astype(np.float32)
            reply = (0.1 * rng.standard_normal(8 * 16_000)).astype(np.float32)
            turn = store.add_turn(
                sid,
                index,
                node_id="n",
                customer_line="Third call!",
                customer_mood=0.5,
                transcript=" ".join(WORDS),
                verdict=verdict(random.Random(index)),
                step={"goto": "history"},
                next_line="Okay.",
                outcome=None,
                customer_audio=(customer, 22_050),
                learner_audio=(reply, 16_000),
            )
            store.add_rating(turn, "trainer-tess", "empathy", 60)
            store.add_comment(turn, "trainer-tess", 1.0, "Good")
        store.end_session(sid, "finished", outcome="resolved")
        ids.append(sid)
    return ids


def open_for_replay(store: SessionStore, session_id: str) -> int:
    """What replay reads to show a session; returns the timeline's length in samples."""
    session = store.session(session_id)
    every = store.turns(session_id, every_take=True)
    store.scenario_text(session_id)
    store.ratings_for(session_id)
    store.comments_for(session_id)
    conversation = build([t for t in every if t["active"]], store)
    assert session is not None and len(every) == 20 and len(conversation.segments) == 40
    return conversation.audio.size


def timed(call, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times


def run(kind: str, url: str | None, server, args) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        owner = SessionStore(url=url, folder=Path(folder) / "owner")
        began = time.perf_counter()
        names = generate(owner, args.sessions, args.learners)
        team = [n for i, n in enumerate(names) if i % TEAMS == 0]
        password = "bench-pw"
        trainer_name = "trainer-tess"
        owner.add_person(trainer_name, "trainer", "team-0", password=password if owner.on_postgresql else None)
        opened = recorded_sessions(owner, team[0], args.open_sessions)
        generated_s = time.perf_counter() - began
        if owner.on_postgresql:
            with owner._engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
            trainer = SessionStore(url=server.login_url(url, trainer_name, password), folder=Path(folder) / "trainer")
        else:
            trainer = owner
        visible = trainer.find_sessions(SessionFilter()).total
        filters = dict(FILTERS)
        filters["learner"] = SessionFilter(learner=team[1])
        filters["all five"] = SessionFilter(**{**FILTERS["all five"].__dict__, "learner": team[1]})
        report = {
            "database": kind,
            "sessions": args.sessions + args.open_sessions,
            "visible_to_trainer": visible,
            "generated_s": round(generated_s, 1),
            "list_ms": {},
        }
        print(f"{kind}: {report['sessions']} sessions generated in {generated_s:.0f} s; the trainer sees {visible}")
        for name, where in filters.items():
            found = trainer.find_sessions(where)
            times = timed(lambda where=where: trainer.find_sessions(where), args.repeats)
            report["list_ms"][name] = {"median": round(statistics.median(times), 1), "matches": found.total}
            print(f"  list {name:<14} {statistics.median(times):7.1f} ms median ({found.total} match)")
        open_times = [t for sid in opened for t in timed(lambda sid=sid: open_for_replay(trainer, sid), args.repeats)]
        report["open_20_turns_ms"] = {
            "median": round(statistics.median(open_times), 1),
            "max": round(max(open_times), 1),
        }
        print(f"  open a 20-turn session {statistics.median(open_times):7.1f} ms median, {max(open_times):.1f} max")
        worst_list = max(v["median"] for v in report["list_ms"].values())
        report["within_targets"] = (
            worst_list <= TARGET_LIST_MS and report["open_20_turns_ms"]["median"] <= TARGET_OPEN_MS
        )
        trainer.close()
        owner.close()
        return report


class GivenServer:
    """A server named by --pg-url: people log in with the same host, port and database."""

    def __init__(self, url: str):
        from sqlalchemy import make_url

        self.url = make_url(url)

    def login_url(self, _database_url: str, user: str, password: str) -> str:
        return self.url.set(username=user, password=password).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 sessions across 20 learners")
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", help="an empty PostgreSQL database (default: a server started on a temp folder)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--open-sessions", type=int, default=3, help="recorded 20-turn sessions opened for replay")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.sessions, args.learners = (1_000, 20) if args.quick else (10_000, 200)
    reports = []
    for kind in args.db:
        server = None
        if kind == "postgresql" and args.pg_url:
            url, server = args.pg_url, GivenServer(args.pg_url)
        elif kind == "postgresql":
            from tests.store.postgres import PostgresServer

            server = PostgresServer()
            url = server.new_database()
        else:
            url = None
        try:
            reports.append(run(kind, url, server, args))
        finally:
            if hasattr(server, "stop"):
                server.stop()
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2))
    return 0 if all(r["within_targets"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
