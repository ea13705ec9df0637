"""Rehearse promises to run offline: a scored reply makes no network call (not even a DNS lookup)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import soundfile as sf

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (scripts/setup.sh installs it)")
def test_scoring_a_spoken_reply_makes_no_network_call(tmp_path, synth_reply):
    reply = tmp_path / "reply.wav"
    sf.write(reply, synth_reply("I'm sorry about the wait. I'll book a technician for tomorrow."), 16_000)
    trace = tmp_path / "trace.txt"
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=connect,sendto", "-o", str(trace),
                           sys.executable, "-m", "rehearse.app.cli", "score", str(reply), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    calls = trace.read_text()
    assert "connect(" in calls or "sendto(" in calls or calls == ""  # the trace ran
    network = [line for line in calls.splitlines() if re.search(r"AF_INET6?\b", line) or "\\6mobile" in line]
    assert network == [], "\n".join(network[:5])
