"""A saved session made ready to show, off the GUI thread: its conversation, waveforms, pitch and takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rehearse.app.timeline import Conversation, build, spread_words

if TYPE_CHECKING:
    from rehearse.store import SessionStore

ENVELOPE_POINTS = 3000
"""Waveform resolution: min/max pairs across the whole conversation."""


@dataclass
class Pitch:
    """The learner's pitch contour on the conversation's time axis (NaN where unvoiced)."""

    times: np.ndarray
    f0_hz: np.ndarray


@dataclass
class SessionView:
    session: dict
    title: str
    turns: list[dict]
    """The active path, in order."""
    earlier: dict[int, list[dict]]
    """Turn index -> the takes a retake replaced, oldest first."""
    conversation: Conversation
    store: SessionStore = field(repr=False)
    """Where the session was read from: its audio is read through it."""
    envelopes: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Speaker -> (times, lower, upper) of the waveform."""


def scenario_titles() -> dict[str, str]:
    from rehearse.scenarios.library import entries

    return {e.scenario.id: e.scenario.title for e in entries() if e.scenario}


def load_session(session_id: str) -> SessionView:
    """The session with its audio, titled by the scenario as it was played."""
    from rehearse.scenarios.library import played
    from rehearse.store import SessionStore

    store = SessionStore()
    session = store.session(session_id)
    if session is None:
        raise LookupError(f"session {session_id} is not in the store any more")
    every = store.turns(session_id, every_take=True)
    active = [t for t in every if t.get("active", True)]
    earlier: dict[int, list[dict]] = {}
    for turn in every:
        if not turn.get("active", True):
            earlier.setdefault(int(turn["index"]), []).append(turn)
    conversation = build(active, store)
    scenario = played(session["scenario_id"], store.scenario_text(session_id), session["difficulty"])
    title = scenario.title if scenario else session["scenario_id"]
    view = SessionView(session, title, active, earlier, conversation, store)
    view.envelopes = {speaker: envelope(conversation, speaker) for speaker in ("customer", "learner")}
    return view


def envelope(conversation: Conversation, speaker: str, points: int = ENVELOPE_POINTS):
    """Min/max of one speaker's clips in bins across the whole conversation (zero elsewhere)."""
    total = max(conversation.audio.size, 1)
    step = max(1, total // points)
    bins = total // step + 1
    lower, upper = np.zeros(bins, np.float32), np.zeros(bins, np.float32)
    for segment in conversation.segments:
        if segment.speaker != speaker:
            continue
        first = int(round(segment.start * conversation.rate)) // step
        usable = segment.audio[: (segment.audio.size // step) * step].reshape(-1, step)
        if not usable.size:
            continue
        lower[first : first + usable.shape[0]] = usable.min(axis=1)
        upper[first : first + usable.shape[0]] = usable.max(axis=1)
    times = np.arange(bins) * step / conversation.rate
    return times, lower, upper


def learner_pitch(view: SessionView) -> Pitch:
    """Pitch of every learner reply (from its 16 kHz recording), and word times spread over the voiced part."""
    from rehearse.audio import prosody

    times, f0 = [], []
    replies = [s for s in view.conversation.segments if s.speaker == "learner"]
    turns = {int(t["index"]): t for t in view.turns}
    for segment in replies:
        found = view.store.audio(turns[segment.turn], "learner")
        if found is None:
            continue
        audio, rate = found
        if rate != prosody.SAMPLE_RATE or audio.size < prosody.FRAME:
            continue
        track = prosody.track(audio)
        times.append(segment.start + track.times)
        f0.append(track.f0_hz)
        times.append(np.array([segment.end]))  # a break in the line between replies
        f0.append(np.array([np.nan]))
        span = prosody.voiced_span(track)
        if span is not None:
            segment.words = spread_words(
                segment.text, segment.start + span[0], min(segment.end, segment.start + span[1])
            )
    if not times:
        return Pitch(np.zeros(0), np.zeros(0))
    return Pitch(np.concatenate(times), np.concatenate(f0))
