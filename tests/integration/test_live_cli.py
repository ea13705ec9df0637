"""`rehearse practice` live: through the virtual devices, without any input device, and by typing."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import soundfile as sf

from rehearse.app.cli import main
from tests.integration.audio_server import virtual_audio_fixture

pytestmark = pytest.mark.slow

GOOD = "I'm so sorry, I understand how frustrating this is. I'll book a technician for tomorrow morning."


@pytest.fixture()
def virtual_audio(tmp_path):
    yield from virtual_audio_fixture(tmp_path / "pulse")


def rehearse(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rehearse.app.cli", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_without_an_input_device_it_says_what_to_connect(tmp_path):
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/no-such-server", REHEARSE_DATA_DIR=str(tmp_path))
    listing = subprocess.run(
        [sys.executable, "-m", "rehearse.app.cli", "practice", "--list-devices"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if listing.stdout.strip():
        pytest.skip("this machine has audio devices of its own")
    done = subprocess.run(
        [sys.executable, "-m", "rehearse.app.cli", "practice", "--scenario", "internet-outage"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "no audio input device found: connect a headset or microphone" in done.stderr
    assert "--type" in done.stderr


def test_typed_replies_when_there_is_no_microphone(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(GOOD + "\n\n"))
    code = main(["practice", "--scenario", "internet-outage", "--type", "--json", "--data-dir", str(tmp_path)])
    assert code == 0
    [turn] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert turn["transcript"] == GOOD
    assert "apologize" in turn["moves"] or "acknowledge" in turn["moves"]


@pytest.mark.audio
def test_live_practice_prints_partials_and_verdicts(virtual_audio, realspeech, tmp_path):
    env = dict(os.environ, REHEARSE_DATA_DIR=str(tmp_path / "data"))
    process = rehearse(
        "practice", "--scenario", "internet-outage", "--input-device", "default", "--output-device", "default", env=env
    )
    lines: list[str] = []
    deadline = time.monotonic() + 120
    try:
        for line in process.stdout:
            lines.append(line.rstrip())
            if line.startswith("Dana Reyes (") and not any("(you cut in)" in seen for seen in lines):
                time.sleep(0.5)  # answer while the customer is still talking
                virtual_audio.play(realspeech / "asr" / "asr_librivox_sense_0870.wav")
            if line.strip().startswith("Branch:") or time.monotonic() > deadline:
                break
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    text = "\n".join(lines)
    assert "Listening on 'default'" in text
    assert "(you cut in)" in text
    assert "  ... " in text  # partial transcripts while speaking
    assert "You said:" in text and "dashwood" in text.lower()
    assert "Timing:   Spoke over the customer for" in text
    assert process.returncode == 130 and "stopped" in err, err[-3000:]
    [track] = (tmp_path / "data").rglob("microphone.flac")  # the learner track, written as it was captured
    assert sf.info(str(track)).frames > 16_000
