"""The gain tip from what the meter saw during a turn: clipping, or very quiet input."""

from __future__ import annotations

import numpy as np

from rehearse.app.live.listener import _Levels
from rehearse.audio import meter


def levels_of(audio: np.ndarray, hop: int = 640) -> _Levels:
    levels = _Levels()
    for end in range(1024, audio.size, hop):
        levels.add(meter.read(audio[end - 1024 : end], audio[end - hop : end]), hop)
    return levels


def voice(amplitude: float, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(16_000 * seconds)) / 16_000
    return (amplitude * np.sin(2 * np.pi * 140 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)


def test_clipping_gets_a_tip_to_turn_the_gain_down():
    tip = levels_of(np.clip(voice(1.6), -1.0, 1.0)).tip()
    assert tip and "clipping" in tip and "down" in tip


def test_very_quiet_input_gets_a_tip_to_turn_the_gain_up():
    tip = levels_of(voice(0.004)).tip()
    assert tip and "quiet" in tip and "up" in tip


def test_a_normal_level_gets_no_tip():
    assert levels_of(voice(0.2)).tip() is None


def test_the_meter_reads_pitch_and_level():
    reading = meter.read(voice(0.2)[:2048], voice(0.2)[:640])
    assert reading.f0_hz is not None and abs(reading.f0_hz - 140) < 5
    assert -20 < reading.level_db < -12
    assert reading.clipped == 0
