"""The learner's own voice at rest: pitch, loudness, brightness and pace from a calm read or a first turn.

Scores are relative to it, since a naturally fast or high voice is not a fault.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rehearse.audio.prosody import ProsodySummary
from rehearse.coach.pace import Pace


@dataclass(frozen=True)
class Baseline:
    """Reference measures of one learner (None where the calibration could not measure them)."""

    pitch_median_hz: float | None = None
    """Median pitch of calm speech."""
    pitch_variability_st: float | None = None
    """Standard deviation of pitch in semitones (how lively the voice normally is)."""
    loudness_db: float | None = None
    """Level of active speech in dBFS, for this microphone and distance."""
    brightness_db: float | None = None
    """High-to-low band energy of voiced speech (see `audio.prosody`)."""
    wpm: float | None = None
    """Usual pace in words per minute."""

    @classmethod
    def from_measures(cls, summary: ProsodySummary, pace: Pace | None = None) -> Baseline:
        return cls(
            summary.pitch_median_hz,
            summary.pitch_variability_st,
            summary.loudness_db,
            summary.brightness_db,
            pace.wpm if pace else None,
        )

    def to_dict(self) -> dict:
        return asdict(self)
