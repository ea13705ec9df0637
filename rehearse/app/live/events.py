"""What the live stream tells its consumers (CLI, GUI, tests, bench), as frozen dataclasses.

Times are `time.monotonic()` seconds; device times come from the devices' own clocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from rehearse.app.session import TurnResult


@dataclass(frozen=True)
class Meter:
    """Pitch and loudness of the newest audio (25 readings a second)."""

    at: float
    """When the newest metered sample reached the microphone."""
    level_db: float
    f0_hz: float | None
    lag_s: float
    """From that sample reaching the microphone to this reading being emitted."""


@dataclass(frozen=True)
class CustomerSpeaking:
    """A customer line began to play (device time)."""

    text: str
    mood: float
    started_at: float


@dataclass(frozen=True)
class CustomerDone:
    """The customer line stopped playing: finished, or cut off by the learner."""

    ended_at: float | None
    """Device time just after its last sample was heard."""
    cut_off: bool


@dataclass(frozen=True)
class SpeechStarted:
    at: float
    barge_in: bool
    """True when the learner started while the customer was still talking (the line is cut off)."""


@dataclass(frozen=True)
class Partial:
    """The words so far, about every second while the learner speaks."""

    text: str
    wpm: float | None
    at: float


@dataclass(frozen=True)
class Cue:
    """The coach's single live cue ("Slow down", ...); a new one replaces the last."""

    text: str
    """What to show; "" clears the cue."""
    at: float


@dataclass(frozen=True)
class GainTip:
    """The microphone is clipping or very quiet."""

    text: str


@dataclass(frozen=True)
class SpeechEnded:
    at: float
    reason: str
    """"silence" (trailing silence after speech), "max_length" or "device_lost"."""


@dataclass(frozen=True)
class FinalTranscript:
    """The reply's final words, before they are judged."""

    text: str
    at: float
    """When it was available: the end was decided and the transcript made (it starts at the pause)."""


@dataclass(frozen=True)
class NoAnswer:
    """Nothing was said within the no-answer timeout."""

    at: float


@dataclass(frozen=True)
class Verdict:
    """A turn judged and saved."""

    turn: TurnResult
    at: float


@dataclass(frozen=True)
class DevicePaused:
    """An audio device went away; the session waits for it."""

    message: str


@dataclass(frozen=True)
class DeviceResumed:
    message: str
