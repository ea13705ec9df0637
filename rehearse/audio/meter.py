"""Live meter values, pitch and loudness of the newest 64 ms, cheap enough for 20+ readings a second."""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

from rehearse.audio.prosody import FMAX, FMIN, FRAME, SILENCE_FLOOR_DB
from rehearse.constants import CLIP_LEVEL, SAMPLE_RATE

HOP_S = 0.04
"""A reading every 40 ms: 25 per second."""


@dataclass(frozen=True)
class Reading:
    """One meter reading."""

    level_db: float
    """RMS level in dBFS."""
    f0_hz: float | None
    """Pitch, or None when the frame is unvoiced or silent."""
    clipped: int
    """Samples at full scale since the previous reading."""


def read(frame: np.ndarray, new: np.ndarray) -> Reading:
    """Meter the newest `FRAME` samples (`frame`); `new` holds the samples since the last reading."""
    frame = np.asarray(frame, dtype=np.float32)
    level = 10.0 * np.log10(float(np.mean(frame.astype(np.float64) ** 2)) + 1e-12)
    f0 = None
    if frame.size >= FRAME and level > SILENCE_FLOOR_DB + 15.0:
        estimate = float(
            librosa.yin(
                frame[-FRAME:], fmin=FMIN, fmax=FMAX, sr=SAMPLE_RATE, frame_length=FRAME, hop_length=FRAME, center=False
            )[0]
        )
        crossings = np.mean(np.abs(np.diff(np.signbit(frame[-FRAME:]).astype(np.int8))))
        if FMIN * 1.05 < estimate < FMAX * 0.95 and crossings < 0.2:
            f0 = estimate
    return Reading(level, f0, int(np.count_nonzero(np.abs(new) >= CLIP_LEVEL)))
