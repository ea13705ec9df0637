"""Prosody on synthetic signals with known answers, and its cost budget."""

import time

import numpy as np
import pytest

from rehearse.audio import prosody

SR = prosody.SAMPLE_RATE


def _voice(f0, seconds=1.0, level=0.3):
    """A harmonic-rich periodic signal whose pitch follows `f0` (a number or a function of time)."""
    t = np.arange(int(seconds * SR)) / SR
    freq = np.full_like(t, f0) if np.isscalar(f0) else f0(t)
    phase = 2 * np.pi * np.cumsum(freq) / SR
    wave = sum(np.sin(k * phase) / k for k in range(1, 8))
    return (level * wave / np.max(np.abs(wave))).astype(np.float32)


@pytest.mark.parametrize("f0", [85.0, 120.0, 210.0, 330.0])
def test_median_pitch_of_a_steady_voice(f0):
    summary = prosody.summarize(_voice(f0))
    assert summary.pitch_median_hz == pytest.approx(f0, rel=0.02)
    assert summary.pitch_variability_st < 0.3
    assert summary.voiced_s > 0.8


def test_rising_and_falling_endings():
    rising = prosody.summarize(_voice(lambda t: 150 * 2 ** (np.clip(t - 0.8, 0, None) * 12 / 12), 1.2))
    falling = prosody.summarize(_voice(lambda t: 200 * 2 ** (-np.clip(t - 0.8, 0, None) * 12 / 12), 1.2))
    level = prosody.summarize(_voice(160.0, 1.2))
    assert rising.ending == "rising" and rising.ending_st > 1.5
    assert falling.ending == "falling" and falling.ending_st < -1.5
    assert level.ending == "level"


def test_silence_and_noise_have_no_pitch():
    assert prosody.summarize(np.zeros(SR, dtype=np.float32)).pitch_median_hz is None
    noise = np.random.default_rng(0).normal(0, 0.1, SR).astype(np.float32)
    assert prosody.summarize(noise).voiced_s < 0.1


def test_loudness_trend_and_clipping():
    voice = _voice(150.0, 3.0)
    fading = voice * np.linspace(1.0, 0.1, voice.size).astype(np.float32)
    assert prosody.summarize(fading).level_trend_db < -6
    clipped = np.clip(voice * 4, -1, 1)
    assert prosody.summarize(clipped).clipped_fraction > 0.01
    assert prosody.summarize(voice).clipped_fraction == 0.0


def test_cost_is_within_the_live_budget():
    audio = _voice(lambda t: 140 + 30 * np.sin(2 * np.pi * t), 10.0)
    prosody.summarize(audio)
    best = min(_timed(lambda: prosody.summarize(audio)) for _ in range(3))
    assert best / 10.0 <= 0.020, f"{1000 * best / 10:.1f} ms per second of audio"


def _timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
