"""The trainer's session list on a large generated store: 10,000 sessions of 10–20 turns across 200 learners
(written in bulk, no audio), then `find_sessions` with each filter the Replay page offers, timed.

    .venv/bin/python bench/session_list.py [--db URL] [--sessions 10000] [--repeats 5] [--json OUT]

Without --db it makes a SQLite store in a temporary folder. Reports the median and worst time per filter.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from rehearse.store import SessionStore, session_scores  # noqa: E402
from rehearse.store.listing import DIMENSIONS, SessionFilter  # noqa: E402
from rehearse.store.schema import sessions, turns  # noqa: E402

SCENARIOS = ("internet-outage", "billing-double-charge", "late-gift-delivery", "return-refused", "missed-1-1")
OUTCOMES = ("resolved", "escalated", "hung_up")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def generate(store: SessionStore, count: int, learners: int = 200, seed: int = 0) -> None:
    rng = random.Random(seed)
    session_rows, turn_rows = [], []
    for _ in range(count):
        sid = str(uuid.uuid4())
        started = NOW - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        session_rows.append(
            dict(
                id=sid,
                learner=f"learner-{rng.randrange(learners):03d}",
                scenario_id=rng.choice(SCENARIOS),
                seed=0,
                status="finished",
                outcome=rng.choice(OUTCOMES),
                started_at=started,
                ended_at=started + timedelta(minutes=5),
            )
        )
        for index in range(1, rng.randint(10, 20) + 1):
            scores = {d: round(rng.uniform(20, 100), 1) for d in DIMENSIONS}
            turn_rows.append(
                dict(
                    session_id=sid,
                    index=index,
                    take=1,
                    active=True,
                    node_id="n",
                    customer_line="Third call this week!",
                    customer_mood=0.5,
                    transcript="I'm sorry, let me fix this today.",
                    feedback={"scores": scores, "moves": ["apologize"], "labels": [], "tip": "Keep going."},
                    created_at=started,
                )
            )
    with store._engine.begin() as conn:
        conn.execute(insert(sessions), session_rows)
        for start in range(0, len(turn_rows), 5000):
            conn.execute(insert(turns), turn_rows[start : start + 5000])
        session_scores.refresh_all(conn)  # what the store does as each turn is added


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = SessionStore(url=args.db, folder=Path(folder))
        began = time.perf_counter()
        generate(store, args.sessions)
        print(f"generated {args.sessions} sessions in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        report = {"database": store._engine.dialect.name, "sessions": args.sessions, "filters": {}}
        for name, where in FILTERS.items():
            times = []
            for _ in range(args.repeats):
                began = time.perf_counter()
                found = store.find_sessions(where)
                times.append((time.perf_counter() - began) * 1000)
            report["filters"][name] = {
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "matches": found.total,
            }
            print(f"{name:<14} {statistics.median(times):7.1f} ms median, {max(times):7.1f} max, {found.total} match")
        store.close()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
