"""Rehearse promises to run offline: demo, practice and score make no network call (not even a DNS lookup);
the only sockets they open are local (the audio server's)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import soundfile as sf

pytestmark = pytest.mark.slow


COMMANDS = {
    "score": ["score", "{reply}", "--json"],
    "practice": ["practice", "--scenario", "internet-outage", "--replies", "{reply}", "{reply}"],
    "demo": ["demo", "--out", "{out}"],
}


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (scripts/setup.sh installs it)")
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_network_call(command, tmp_path, synth_reply):
    reply = tmp_path / "reply.wav"
    sf.write(reply, synth_reply("I'm sorry about the wait. I'll book a technician for tomorrow."), 16_000)
    trace = tmp_path / "trace.txt"
    args = [a.format(reply=reply, out=tmp_path / "demo.wav") for a in COMMANDS[command]]
    env = {**os.environ, "REHEARSE_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect,sendto",
            "-o",
            str(trace),
            sys.executable,
            "-m",
            "rehearse.app.cli",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    calls = trace.read_text()
    assert "connect(" in calls or "sendto(" in calls or calls == ""  # the trace ran
    network = [line for line in calls.splitlines() if re.search(r"AF_INET6?\b", line) or "\\6mobile" in line]
    assert network == [], "\n".join(network[:5])
