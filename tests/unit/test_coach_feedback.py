"""judge()/judge_text(): JSON shape, bad input that cannot be judged, baseline and talk-over."""

import numpy as np
import pytest

from rehearse.coach.feedback import baseline_from, judge, judge_text, measure_baseline
from rehearse.models.stt import Transcript, Word

SR = 16_000
FOUNDATION_KEYS = {"transcript", "duration_s", "metrics", "moves", "evidence", "scores", "not_judged"}


def _voice(seconds=3.0, f0=140.0, level=0.2):
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * f0 * t * (1 + 0.03 * np.sin(2 * np.pi * 0.7 * t))
    wave = sum(np.sin(k * phase) / k for k in range(1, 8))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t) ** 2
    return (level * wave * syllables / np.max(np.abs(wave))).astype(np.float32)


def _transcript(text, seconds=3.0, language="en", probability=0.9):
    tokens = text.split()
    step = seconds / max(len(tokens), 1)
    words = tuple(Word(w, i * step, i * step + step * 0.8, probability) for i, w in enumerate(tokens))
    return Transcript(text, words, language, seconds)


def test_json_keeps_foundation_keys_and_adds_the_verdict():
    fb = judge(_transcript("I'm really sorry about that, I will send an engineer tomorrow morning."), _voice())
    data = fb.to_dict()
    assert FOUNDATION_KEYS <= data.keys() and {"labels", "tip"} <= data.keys()
    assert {"empathy", "clarity", "pace", "calm"} == data["scores"].keys()
    assert {"wpm", "pitch_median_hz", "loudness_db"} <= data["metrics"].keys()
    assert data["moves"] == ["apologize", "next_step"]
    assert all(v is not None for v in data["scores"].values())
    assert data["evidence"]["apologize"] == "i'm really sorry"


@pytest.mark.parametrize("text, reason", [("", "no speech"), ("[Music]", "no speech"), ("♪ ♪", "no speech")])
def test_no_words_judges_nothing(text, reason):
    fb = judge(_transcript(text), _voice())
    assert set(fb.scores.values()) == {None} and fb.tip is None and fb.moves == ()
    assert any(reason in r for r in fb.not_judged)
    assert fb.metrics.pitch_median_hz is None


def test_noise_without_words_judges_nothing():
    noise = np.random.default_rng(1).normal(0, 0.2, 3 * SR).astype(np.float32)
    fb = judge(_transcript(""), noise)
    assert set(fb.scores.values()) == {None}


def test_one_word_judges_only_the_voice():
    fb = judge(_transcript("Okay.", 1.0), _voice(1.0))
    assert fb.scores["empathy"] is None and fb.scores["clarity"] is None and fb.scores["pace"] is None
    assert fb.scores["calm"] is not None
    assert any("single word" in r for r in fb.not_judged)


@pytest.mark.parametrize("language, probability", [("de", 0.9), ("en", 0.2)])
def test_other_language_or_unreliable_words(language, probability):
    words = _transcript("Das ist mir egal, rufen Sie morgen an", language=language, probability=probability)
    fb = judge(words, _voice())
    assert fb.scores["empathy"] is None and fb.scores["pace"] is None and fb.moves == ()
    assert fb.scores["calm"] is not None
    assert fb.not_judged
    assert ("sounds like German" in fb.not_judged[0]) == (language == "de")


def test_text_bad_input():
    assert judge_text("").not_judged and judge_text("").scores["empathy"] is None
    one = judge_text("sorry")
    assert one.scores["empathy"] is None and "single word" in one.not_judged[0]


def test_baseline_makes_calm_relative():
    calm_audio = _voice(3.0, 120.0)
    baseline = measure_baseline(_transcript("this is my calm voice reading a sentence"), calm_audio)
    assert baseline.pitch_median_hz == pytest.approx(120.0, rel=0.03)
    tense = judge(_transcript("Why are you calling me about this again"), _voice(3.0, 180.0, 0.6), baseline=baseline)
    same = judge(_transcript("Why are you calling me about this again"), calm_audio, baseline=baseline)
    assert tense.scores["calm"] < 50 <= same.scores["calm"]
    assert "tense, raised voice" in tense.label_names
    assert tense.to_dict()["baseline"]["pitch_median_hz"] == pytest.approx(baseline.pitch_median_hz, abs=0.01)


@pytest.mark.parametrize(
    "text, seconds", [("this is my calm voice reading a sentence", 3.0), ("Okay.", 1.0), ("hi there", 0.2)]
)
def test_the_baseline_of_a_judged_reply_is_the_baseline_measured_again(text, seconds):
    transcript, audio = _transcript(text, seconds), _voice(seconds, 120.0)
    assert baseline_from(judge(transcript, audio)) == measure_baseline(transcript, audio)


def test_talk_over_counts_as_interrupt():
    fb = judge(_transcript("I understand, let me check that for you"), _voice(), talk_over_s=1.2)
    assert "interrupt" in fb.moves and "1.2 s" in fb.evidence["interrupt"]
    assert fb.metrics.talk_over_s == 1.2


def test_response_gap_is_time_to_first_word():
    t = _transcript("I see what happened there")
    later = tuple(Word(w.text, w.start + 1.5, w.end + 1.5, w.probability) for w in t.words)
    shifted = Transcript(t.text, later, "en", 4.5)
    audio = np.concatenate([np.zeros(int(1.5 * SR), np.float32), _voice()])
    assert judge(shifted, audio).metrics.response_gap_s == pytest.approx(1.5)


def test_very_short_audio_does_not_crash():
    fb = judge(_transcript("hi", 0.05), np.zeros(10, np.float32))
    assert fb.scores["calm"] is None and fb.scores["empathy"] is None and fb.not_judged
