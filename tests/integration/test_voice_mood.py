"""The customer's voice carries the mood and the persona: measured on audio synthesized by the packaged Piper voice."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import soxr

from rehearse.audio import prosody
from rehearse.scenarios.persona import VOICE_PRESETS, Persona
from rehearse.scenarios.voice import emphasize, mood_style, persona_style, speak

pytestmark = pytest.mark.slow
_LOGGER = logging.getLogger(__name__)

LINES = (
    "I have called three times this week and my internet still drops every evening.",
    "I need someone to fix this today, not next week.",
    "Every time I call, somebody tells me it's sorted, and every evening it drops again.",
)
BANDS = {"calm": 0.15, "upset": 0.5, "furious": 0.9}


NEUTRAL = Persona("Pat", "test customer")


def measure(tts, mood: float, persona: Persona = NEUTRAL) -> dict:
    """Speaking time (onset to offset, summed over the lines), median F0 and loudness of the active frames."""
    speech, f0, level = 0.0, [], []
    for text in LINES:
        audio, rate = speak(tts, text, persona, mood)
        audio16 = soxr.resample(audio, rate, prosody.SAMPLE_RATE)
        # Timing is read at a fixed peak so that a louder line's quiet tails do not count as longer speech.
        timing = prosody.track(0.5 * audio16 / np.max(np.abs(audio16)))
        active = np.flatnonzero(timing.active)
        speech += (active[-1] - active[0] + 1) * timing.frame_s
        summary = prosody.summarize(audio16)
        f0.append(summary.pitch_median_hz)
        level.append(summary.loudness_db)
    return {"seconds": speech, "f0": float(np.median(f0)), "db": float(np.mean(level))}


def semitones(a: float, b: float) -> float:
    return 12.0 * np.log2(b / a)


@pytest.fixture(scope="module")
def bands(tts):
    out = {band: measure(tts, mood) for band, mood in BANDS.items()}
    _LOGGER.info("mood bands: %s", out)
    return out


def test_an_angry_line_is_faster_higher_and_louder_than_a_calm_one(bands):
    calm, furious = bands["calm"], bands["furious"]
    assert calm["seconds"] / furious["seconds"] >= 1.15, bands  # at least 15 % faster
    assert semitones(calm["f0"], furious["f0"]) >= 2.0, bands  # about two semitones: clearly audible
    assert furious["db"] - calm["db"] >= 6.0, bands


def test_each_band_moves_in_the_expected_direction(bands):
    for low, high in (("calm", "upset"), ("upset", "furious")):
        a, b = bands[low], bands[high]
        assert a["seconds"] / b["seconds"] >= 1.04, (low, high, bands)
        assert semitones(a["f0"], b["f0"]) >= 0.8, (low, high, bands)
        assert b["db"] - a["db"] >= 3.0, (low, high, bands)


def test_emphasis_makes_an_angry_line_brighter_and_denser_at_the_same_peak(tts):
    audio, rate = tts.synthesize(LINES[0], mood_style(0.9))
    assert np.array_equal(emphasize(audio, rate, 0.2), audio)  # calm moods are left alone
    angry = emphasize(audio, rate, 0.9)
    plain, effortful = (prosody.summarize(soxr.resample(a, rate, prosody.SAMPLE_RATE)) for a in (audio, angry))
    assert np.max(np.abs(angry)) == pytest.approx(np.max(np.abs(audio)), rel=1e-3)
    assert effortful.brightness_db - plain.brightness_db >= 1.5
    assert plain.loudness_range_db - effortful.loudness_range_db >= 3.0
    _LOGGER.info(
        "emphasis at mood 0.9: brightness %+.1f dB, loudness range %+.1f dB",
        effortful.brightness_db - plain.brightness_db,
        effortful.loudness_range_db - plain.loudness_range_db,
    )


def test_speak_gives_a_persona_line_with_the_mood_effort(tts):
    persona = Persona("P", "test", "joe", 0.5, 3, 1.0, 1.0)
    audio, rate = speak(tts, LINES[1], persona, 0.9)
    assert rate == tts.sample_rate and audio.dtype == np.float32
    assert 20 * np.log10(np.max(np.abs(audio))) == pytest.approx(mood_style(0.9).level_db, abs=0.5)


def test_personas_from_one_voice_sound_distinct(tts):
    def persona(preset: str) -> Persona:
        voice = VOICE_PRESETS[preset]
        return Persona("P", "test", voice.base, 0.5, 3, voice.pitch, voice.rate)

    deep, bright = (measure(tts, 0.5, persona(p)) for p in ("deep", "bright"))
    assert semitones(deep["f0"], bright["f0"]) >= 4.0
    elder, brisk = (measure(tts, 0.5, persona(p)) for p in ("elder", "brisk"))
    assert elder["seconds"] / brisk["seconds"] >= 1.2


def test_a_persona_may_use_any_piper_voice_file(tmp_path):
    from rehearse.models.registry import voice_paths
    from rehearse.models.tts import TextToSpeech
    from rehearse.scenarios.schema import parse

    model, _config = voice_paths("joe")  # any Piper voice a user installs is named the same way, by path
    scenario = parse(_SCENARIO.format(voice=model), "custom.yaml", tmp_path)
    assert scenario.persona.voice == str(model)
    audio, rate = TextToSpeech(scenario.persona.voice).synthesize("Hello there.", persona_style(scenario.persona, 0.2))
    assert audio.size > rate // 4 and np.max(np.abs(audio)) > 0.01


_SCENARIO = """
id: custom-voice
title: Custom voice
audience: service
difficulty: 1
persona: {{name: Ann, role: tester, voice: {{base: "{voice}", pitch: -1, rate: 0.95}}}}
context: {{caller: Ann, facts: [one], goal: Finish.}}
start: a
nodes:
  a: {{say: Hi., branches: [{{goto: b}}]}}
  b: {{say: Bye., outcome: resolved}}
"""
