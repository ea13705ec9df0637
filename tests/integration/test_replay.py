"""`rehearse replay` reads back what a practice session saved."""

import json

import pytest
import soundfile as sf

from rehearse.app.cli import main

pytestmark = pytest.mark.slow


def test_replay_lists_shows_and_exports_a_saved_session(tmp_path, synth_reply, capsys):
    reply = tmp_path / "reply.wav"
    sf.write(reply, synth_reply("I'm so sorry about this, I understand. I'll send a technician tomorrow."), 16_000)
    data = ["--data-dir", str(tmp_path / "data")]
    practice = ["practice", "--scenario", "internet-outage", "--replies", str(reply), "--learner", "kim", "--json"]
    assert main([*practice, *data]) == 0
    turn = json.loads(capsys.readouterr().out)

    assert main(["replay", "--learner", "kim", *data]) == 0
    listing = capsys.readouterr().out
    assert "kim" in listing and "internet-outage" in listing and "unfinished" in listing
    prefix = listing.split()[0]

    out = tmp_path / "call.wav"
    assert main(["replay", prefix, "--export", str(out), *data]) == 0
    text = capsys.readouterr().out
    assert turn["customer_line"] in text and turn["transcript"] in text
    assert f"-> {turn['branch']['goto']}" in text
    assert turn["next_line"] in text
    assert sf.info(out).duration > 3.0  # customer line + reply

    assert main(["replay", "last", "--json", *data]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["turns"][0]["feedback"]["scores"] == turn["scores"]


def test_replay_of_unknown_session_is_a_clear_error(tmp_path, capsys):
    assert main(["replay", "nope", "--data-dir", str(tmp_path)]) == 2
    assert "no saved session matches 'nope'" in capsys.readouterr().err
