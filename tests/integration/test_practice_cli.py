"""The `rehearse` command end to end: real models, real files, a real SQLite database."""

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from rehearse.app.cli import main
from rehearse.store import SessionStore

pytestmark = pytest.mark.slow

GOOD = (
    "I'm so sorry, I understand how frustrating a third call is. "
    "I'll take care of this myself and book a technician for tomorrow morning."
)
DISMISSIVE = "Calm down, that is not my problem. You should have restarted the router like we told you."


def _wav(path, audio, rate=16_000):
    sf.write(path, audio, rate)
    return str(path)


def test_three_turn_practice_with_real_and_synthesized_replies(tmp_path, realspeech, synth_reply, capsys):
    replies = [
        _wav(tmp_path / "good.wav", synth_reply(GOOD)),
        str(realspeech / "asr" / "asr_librivox_sense_0880.wav"),  # a real voice, off-topic words
        _wav(tmp_path / "bad.wav", synth_reply(DISMISSIVE)),
    ]
    data = tmp_path / "data"
    # --rules-only: the branches this test walks follow the phrase rules, not the fitted weights
    code = main(
        [
            "practice",
            "--scenario",
            "internet-outage",
            "--replies",
            *replies,
            "--json",
            "--rules-only",
            "--learner",
            "sam",
            "--seed",
            "4",
            "--data-dir",
            str(data),
        ]
    )
    assert code == 0
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [t["turn"] for t in turns] == [1, 2, 3]
    for turn in turns:
        assert {"transcript", "metrics", "moves", "scores", "branch", "next_line"} <= set(turn)
        assert turn["metrics"]["wpm"] > 60 and turn["metrics"]["pitch_median_hz"] > 60
        assert turn["metrics"]["loudness_db"] < 0
    assert {"apologize", "own", "next_step"} <= set(turns[0]["moves"])
    assert "young man" in turns[1]["transcript"].lower()
    assert {"blame", "dismiss"} <= set(turns[2]["moves"])
    assert turns[0]["scores"]["empathy"] > turns[2]["scores"]["empathy"]
    assert turns[0]["branch"]["mood_after"] < turns[0]["branch"]["mood_before"]  # the customer calms down
    assert turns[2]["branch"]["mood_after"] > turns[2]["branch"]["mood_before"]  # ... and escalates

    store = SessionStore(folder=data)
    [session] = store.sessions("sam")
    assert session["status"] == "unfinished"  # replies ran out before an ending
    rows = store.turns(session["id"])
    assert len(rows) == 3
    assert all(sf.info(r["learner_audio"]).format == "FLAC" for r in rows)
    assert all(sf.info(r["customer_audio"]).duration > 1.0 for r in rows)


def test_empathetic_reply_outscores_dismissive_one_spoken_and_written(tmp_path, synth_reply, capsys):
    scores = {}
    for name, text in (("good", GOOD), ("bad", DISMISSIVE)):
        path = _wav(tmp_path / f"{name}.wav", synth_reply(text))
        assert main(["score", path, "--json", "--after", "Third call this week!"]) == 0
        spoken = json.loads(capsys.readouterr().out)
        assert main(["score", "--text", text, "--json"]) == 0
        written = json.loads(capsys.readouterr().out)
        scores[name] = (spoken["scores"]["empathy"], written["scores"]["empathy"])
        assert spoken["metrics"]["wpm"] > 0 and written["metrics"]["wpm"] is None
    assert scores["good"][0] > scores["bad"][0] + 30
    assert scores["good"][1] > scores["bad"][1] + 30


def _run_cli(*args, env_dir):
    import os

    env = {**os.environ, "REHEARSE_DATA_DIR": str(env_dir)}
    return subprocess.run(
        [sys.executable, "-m", "rehearse.app.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.parametrize("content", [b"", b"garbage" * 100, b"RIFF\x24\x00\x00\x00WAVEfmt "])
def test_bad_reply_file_is_one_clear_line_and_starts_nothing(tmp_path, synth_reply, content):
    data = tmp_path / "data"
    good = _wav(tmp_path / "good.wav", synth_reply(GOOD))
    assert _run_cli("practice", "--scenario", "internet-outage", "--replies", good, env_dir=data).returncode == 0
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    result = _run_cli("practice", "--scenario", "internet-outage", "--replies", good, str(bad), "--json", env_dir=data)
    assert result.returncode == 2
    assert result.stderr.startswith("rehearse: error:") and "bad.wav" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    store = SessionStore(folder=data)
    [earlier] = store.sessions()  # the bad run started no session; the earlier one is intact
    assert len(store.turns(earlier["id"])) == 1


def test_unknown_scenario_is_one_clear_line(tmp_path):
    result = _run_cli("practice", "--scenario", "no-such-call", "--replies", "x.wav", env_dir=tmp_path)
    assert result.returncode == 2
    assert "unknown scenario 'no-such-call'" in result.stderr and "internet-outage" in result.stderr
    assert "Traceback" not in result.stderr


def test_say_writes_a_measurable_line(tmp_path):
    out = tmp_path / "line.wav"
    assert main(["say", "Third call this week. Fix it.", "--mood", "0.8", "--out", str(out)]) == 0
    audio, rate = sf.read(out)
    assert 1.0 < audio.size / rate < 5.0
    assert np.max(np.abs(audio)) > 0.3


def test_demo_without_speaker_writes_the_conversation(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent")  # no audio server, as on a bare machine
    out = tmp_path / "demo.wav"
    assert main(["demo", "--out", str(out), "--data-dir", str(tmp_path / "d")]) == 0
    text = capsys.readouterr().out
    assert "good reply" in text and "poor reply" in text and "Branch:" in text
    assert sf.info(out).duration > 15
