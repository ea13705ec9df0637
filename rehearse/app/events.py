"""Everything the practice engine tells its front ends (terminal, window, tests, benches).

Every event is a frozen dataclass deriving from `Event`; subscribers match on the type:

    def on_event(event: events.Event) -> None:
        match event:
            case events.CustomerLine(text=text, band=band): ...
            case events.Verdict(turn=turn): ...

Events are delivered on the engine's thread, in order. Times are `time.monotonic()` seconds;
device times come from the devices' own clocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehearse.app.session import TurnResult


@dataclass(frozen=True)
class Event:
    """Base of every engine event."""


# -- the engine and its models -------------------------------------------------------------------


@dataclass(frozen=True)
class ModelLoading(Event):
    """A model is loading, loaded, or failed to load (`progress` counts models done out of all)."""

    name: str
    """What the model does, as a user reads it: "speech-to-text", "voice", "wording model"."""
    state: str
    """"loading", "ready" or "failed"."""
    progress: float
    """0..1 over all the models this session needs."""
    reason: str | None = None
    """When failed: what happened and what to do."""


@dataclass(frozen=True)
class SessionStarted(Event):
    session_id: str
    scenario_id: str
    title: str
    learner: str
    source: str
    """How replies arrive: "microphone", "files", "typed" or "demo"."""


@dataclass(frozen=True)
class SessionEnded(Event):
    session_id: str
    status: str
    """"finished" (an ending was reached) or "unfinished"."""
    outcome: str | None
    """"resolved", "escalated", "hung_up" when finished."""
    turns: int
    saved_to: str
    """Where the session was saved (the database URL)."""
    why: str = ""
    """Why an unfinished session ended: "stopped", "replies ran out", an error message."""
    closing_line: str | None = None
    """The customer's last words (the ending's line, or the line left unanswered)."""


@dataclass(frozen=True)
class Paused(Event):
    """The learner paused; the conversation holds between turns."""


@dataclass(frozen=True)
class Resumed(Event):
    pass


@dataclass(frozen=True)
class Error(Event):
    """Something a user must act on that ended the session (the session is saved as unfinished)."""

    message: str


# -- the customer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerLine(Event):
    """The customer's next line, as soon as it is chosen: the caption to show while it is spoken."""

    turn: int
    """The turn this line opens (1-based); the closing line carries the next number."""
    take: int
    """1, or more when the learner retakes this turn."""
    text: str
    mood: float
    """0 calm .. 1 furious."""
    band: str
    """"calm", "upset" or "furious"."""
    audio: np.ndarray | None = None
    """The synthesized line (replies that are not live: files, typed, demo); live lines stream to the device."""
    sample_rate: int | None = None


@dataclass(frozen=True)
class CustomerSpeaking(Event):
    """A customer line began to play (device time)."""

    text: str
    mood: float
    started_at: float


@dataclass(frozen=True)
class CustomerDone(Event):
    """The customer line stopped playing: finished, or cut off by the learner."""

    ended_at: float | None
    """Device time just after its last sample was heard."""
    cut_off: bool


# -- the learner, live ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Meter(Event):
    """Pitch and loudness of the newest audio (25 readings a second)."""

    at: float
    """When the newest metered sample reached the microphone."""
    level_db: float
    f0_hz: float | None
    lag_s: float
    """From that sample reaching the microphone to this reading being emitted."""


@dataclass(frozen=True)
class SpeechStarted(Event):
    at: float
    barge_in: bool
    """True when the learner started while the customer was still talking (the line is cut off)."""


@dataclass(frozen=True)
class Partial(Event):
    """The words so far, about every second while the learner speaks."""

    text: str
    wpm: float | None
    at: float


@dataclass(frozen=True)
class Cue(Event):
    """The coach's single live cue ("Slow down", ...); a new one replaces the last."""

    text: str
    """What to show; "" clears the cue."""
    at: float


@dataclass(frozen=True)
class GainTip(Event):
    """The microphone is clipping or very quiet (at most once a turn)."""

    text: str


@dataclass(frozen=True)
class SpeechEnded(Event):
    at: float
    reason: str
    """"silence" (trailing silence after speech), "max_length", "released" (push-to-talk), "device_lost"
    or "stopped"."""


@dataclass(frozen=True)
class FinalTranscript(Event):
    """The reply's final words, before they are judged."""

    text: str
    at: float
    """When it was available: the end was decided and the transcript made (it starts at the pause)."""


@dataclass(frozen=True)
class NoAnswer(Event):
    """Nothing was said within the no-answer timeout."""

    at: float


# -- the verdict -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyReceived(Event):
    """A reply that is not live (file, typed, demo) arrived and is being judged."""

    turn: int
    text: str | None
    """The typed text, or None for audio."""
    duration_s: float | None
    audio: np.ndarray | None = None
    """The reply audio (16 kHz mono), or None when typed."""


@dataclass(frozen=True)
class Verdict(Event):
    """A turn judged and saved (the store has it before this is emitted)."""

    turn: TurnResult
    at: float


@dataclass(frozen=True)
class TurnKept(Event):
    """A turn cut short by `stop()` was saved unjudged, with the audio heard so far."""

    index: int
    duration_s: float


@dataclass(frozen=True)
class Rewound(Event):
    """`retake()` took the conversation back to the state before `turn`; its line comes next."""

    turn: int
    take: int


# -- devices -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DevicesOpened(Event):
    """The live devices are open."""

    input_name: str
    output_name: str


@dataclass(frozen=True)
class DevicePaused(Event):
    """An audio device went away; the session waits for it."""

    message: str


@dataclass(frozen=True)
class DeviceResumed(Event):
    message: str
