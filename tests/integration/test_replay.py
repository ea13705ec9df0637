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


def test_replay_shows_the_scenario_as_played_after_its_file_changed(tmp_path, monkeypatch, tts, capsys):
    from rehearse.app.gui.replay.data import load_session
    from rehearse.app.session import Session
    from rehearse.scenarios.library import clear_cache, find, library_dir
    from rehearse.store import SessionStore

    played = (library_dir() / "internet-outage.yaml").read_text().replace("id: internet-outage", "id: my-outage")
    mine = tmp_path / "scenarios" / "my-outage.yaml"
    mine.parent.mkdir()
    mine.write_text(played)
    monkeypatch.setenv("REHEARSE_SCENARIOS", str(mine.parent))
    store = SessionStore()
    session = Session(find("my-outage"), None, tts, store, learner="kim", seed=1)
    turn = session.answer_text("I'm so sorry, that's our mistake. I'll book a technician for tomorrow morning.")
    session.close()

    mine.write_text(played.replace("Internet outage, third call", "Edited outage").replace("third", "fourth"))
    clear_cache()
    assert find("my-outage").title == "Edited outage"  # today's file, looked up by id
    assert store.scenario_text(session.id) == played
    assert load_session(session.id).title == "Internet outage, third call"
    assert main(["replay", "last"]) == 0
    text = capsys.readouterr().out
    assert "Internet outage, third call (my-outage)" in text and "Edited" not in text
    assert turn.customer.line.text in text and f"-> {turn.step.goto}" in text
