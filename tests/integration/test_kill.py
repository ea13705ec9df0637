"""A practice killed at random moments (SIGKILL, 20 trials) loses at most the turn in progress: every turn it
reported survives with its audio, and the next start closes the session as unfinished."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

from rehearse.store import SessionStore

pytestmark = pytest.mark.slow

TRIALS = 20


def test_a_killed_practice_keeps_every_completed_turn(tmp_path, synth_reply):
    replies = []
    for i, text in enumerate(
        [
            "I'm so sorry, I understand. I'll book a technician for tomorrow morning.",
            "I can see both visits on your account, and I'm sorry they didn't fix it.",
            "Here is what I will do differently: I'll stay on this until it's fixed.",
            "You'll get a text with the slot, and I'll call you back at six.",
        ]
    ):
        replies.append(str(tmp_path / f"reply{i}.wav"))
        sf.write(replies[-1], synth_reply(text, rate=0.8), 16_000)
    data = tmp_path / "data"
    env = {**os.environ, "REHEARSE_DATA_DIR": str(data)}
    rng = random.Random(11)
    reported: dict[str, int] = {}
    for _ in range(TRIALS):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rehearse.app.cli",
                "practice",
                "--scenario",
                "internet-outage",
                "--rules-only",
                "--replies",
                *replies,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        first = process.stdout.readline()  # "<title> — session <id>": the session row exists
        session_id = first.rsplit(" ", 1)[-1].strip()
        time.sleep(rng.uniform(0.0, 10.0))  # from before the first turn to the last
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate(timeout=60)
        reported[session_id] = out.count("  Branch:")  # turns the program said were saved
    store = SessionStore(folder=data)
    assert not [s for s in store.sessions() if s["status"] == "in_progress"]
    assert len(store.sessions()) == TRIALS
    for session_id, turns_reported in reported.items():
        rows = store.turns(session_id)
        assert len(rows) >= turns_reported  # a turn saved just before the kill may not have been printed
        for row in rows:
            for key in ("customer_audio", "learner_audio"):
                assert sf.info(row[key]).frames > 0
        folder = Path(data) / "audio" / session_id
        on_disk = {p for p in folder.iterdir()} if folder.is_dir() else set()
        assert on_disk == {Path(r[k]) for r in rows for k in ("customer_audio", "learner_audio")}
    assert sum(len(store.turns(s)) for s in reported) > 0  # some trials got as far as saving turns
