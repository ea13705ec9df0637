"""`rehearse score` end to end: batches of files and texts, baselines, synthesized replies."""

import json

import numpy as np
import pytest
import soundfile as sf

from rehearse.app.cli import main

pytestmark = pytest.mark.slow

WARM = "I'm so sorry about the outage. I'll send a technician tomorrow morning."


def _wav(path, audio):
    sf.write(path, audio, 16_000)
    return str(path)


def _lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_several_files_give_one_json_line_each_in_order(realspeech, tmp_path, capsys):
    files = [
        realspeech / "asr" / "asr_cmu_goforward.wav",
        realspeech / "asr" / "asr_librivox_sense_0880.wav",
        realspeech / "asr" / "asr_cmu_goforward.wav",
    ]
    assert main(["score", *map(str, files), "--json", "--no-paraphrases"]) == 0
    out = _lines(capsys)
    assert len(out) == 3
    assert "forward" in out[0]["transcript"].lower() and "young man" in out[1]["transcript"].lower()
    assert out[0]["transcript"] == out[2]["transcript"]
    for data in out:
        assert {"transcript", "metrics", "moves", "evidence", "scores", "labels", "tip", "not_judged"} <= data.keys()
        assert set(data["scores"]) == {"empathy", "clarity", "pace", "calm"}


def test_texts_file_scores_each_line_in_order(tmp_path, capsys):
    texts = tmp_path / "replies.txt"
    texts.write_text("I'm sorry you feel that way.\n\nThat sounds really frustrating, let me fix it today.\nok\n")
    assert main(["score", "--texts", str(texts), "--json"]) == 0
    out = _lines(capsys)
    assert out[0]["moves"] == ["dismiss"] and "acknowledge" in out[1]["moves"] and len(out) == 3
    assert out[0]["tip"].startswith("Drop the brush-off")
    assert out[2]["scores"]["empathy"] is None and out[2]["not_judged"]


def test_example_sentences_catch_a_paraphrase_the_rules_miss(capsys):
    reply = "Forgive the trouble we caused you."
    assert main(["score", "--text", reply, "--json", "--no-paraphrases"]) == 0
    assert main(["score", "--text", reply, "--json"]) == 0
    rules_only, with_examples = _lines(capsys)
    assert "apologize" not in rules_only["moves"]
    assert "apologize" in with_examples["moves"] and with_examples["evidence"]["apologize"] == reply


def test_baseline_file_makes_a_raised_voice_tense(synth_reply, tmp_path, capsys):
    calm = _wav(tmp_path / "calm.wav", synth_reply("This is my normal speaking voice, reading a calm sentence."))
    raised = synth_reply(WARM, pitch_semitones=4.0, level_db=-1.0)
    same = _wav(tmp_path / "same.wav", synth_reply(WARM))
    loud = _wav(tmp_path / "loud.wav", raised)
    assert main(["score", same, loud, "--baseline", calm, "--json", "--no-paraphrases"]) == 0
    same_fb, loud_fb = _lines(capsys)
    assert same_fb["baseline"]["pitch_median_hz"] > 60
    assert loud_fb["scores"]["calm"] < same_fb["scores"]["calm"]
    assert "tense, raised voice" in loud_fb["labels"]
    assert loud_fb["evidence"]["tense, raised voice"]["seconds"]
    assert "apologize" in same_fb["moves"] and "next_step" in same_fb["moves"]


def test_rushed_synthesized_reply(synth_reply, tmp_path, capsys):
    fast = _wav(tmp_path / "fast.wav", synth_reply(WARM + " I promise we will get this sorted for you.", rate=1.7))
    assert main(["score", fast, "--json", "--no-paraphrases"]) == 0
    (data,) = _lines(capsys)
    assert data["metrics"]["wpm"] > 180
    assert "rushed" in data["labels"] and data["scores"]["pace"] < 70
    assert data["evidence"]["rushed"]["seconds"]


def test_music_and_silence_are_not_scored(tmp_path, capsys):
    t = np.arange(4 * 16_000) / 16_000
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) * 0.2 * (1 + np.sin(2 * np.pi * 2 * t)) / 2
    music = _wav(tmp_path / "music.wav", chord.astype(np.float32))
    silence = _wav(tmp_path / "silence.wav", np.zeros(2 * 16_000, np.float32))
    assert main(["score", music, silence, "--json", "--no-paraphrases"]) == 0
    for data in _lines(capsys):
        assert data["scores"]["empathy"] is None and data["scores"]["pace"] is None
        assert data["not_judged"]


def test_live_cue_on_synthesized_speech(stt, synth_reply):
    from rehearse.audio import prosody
    from rehearse.coach.live_cue import LiveCue, measurements

    text = WARM + " I will also check the line from here and text you the details this afternoon."
    shown = {}
    for name, rate in (("normal", 0.75), ("fast", 1.6)):  # Piper joe speaks ~190 wpm at rate 1.0
        audio = synth_reply(text, rate=rate)
        cue = LiveCue()
        cues = map(cue.update, measurements(prosody.track(audio), stt.transcribe(audio).words))
        kinds = [c.kind if c else None for c in cues]
        shown[name] = kinds
    assert set(shown["normal"]) == {None}
    assert "slow_down" in shown["fast"] and set(shown["fast"]) <= {None, "slow_down"}
