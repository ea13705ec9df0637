"""A session whose program was killed is closed when the store next opens; a running one is left alone,
also when the store is opened on another machine (PostgreSQL: the server holds the running lock)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from rehearse.store import SessionStore

KILLED_WHEN_TOLD = textwrap.dedent("""
    import os, signal, sys
    from rehearse.store import SessionStore
    store = SessionStore(url=sys.argv[1], folder=sys.argv[2])
    print(store.start_session("sam", "internet-outage", seed=0), flush=True)
    sys.stdin.readline()
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_running_session_is_left_alone_and_a_killed_one_is_closed(store_url, tmp_path):
    laptop = tmp_path / "laptop"
    practice = subprocess.Popen(
        [sys.executable, "-c", KILLED_WHEN_TOLD, store_url, str(laptop)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    sid = practice.stdout.readline().strip()
    elsewhere = laptop if store_url.startswith("sqlite") else tmp_path / "trainer-machine"
    assert SessionStore(url=store_url, folder=elsewhere).session(sid)["status"] == "in_progress"
    practice.communicate("\n", timeout=60)
    deadline = time.monotonic() + 10  # the server notices the dropped connection within moments
    while (status := SessionStore(url=store_url, folder=elsewhere).session(sid)["status"]) == "in_progress":
        assert time.monotonic() < deadline, "the killed session was never closed"
        time.sleep(0.2)
    assert status == "unfinished"
