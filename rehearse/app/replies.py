"""Where the learner's replies come from: the one thing that differs between front ends' turn loops.

The engine (`rehearse.app.engine`) asks its source for one reply per turn. Sources that are not live
(`RecordedReplies`, `TypedReplies`, `DemoLearner`) get the customer's line already synthesized; the
live `Microphone` (in `rehearse.app.live.practice`) plays it and listens at the same time.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rehearse.audio.files import SAMPLE_RATE
from rehearse.models.stt import Transcript

if TYPE_CHECKING:
    from rehearse.app.engine import PracticeEngine

POLL_S = 0.02
"""How often a waiting source looks whether the engine was stopped."""


@dataclass(frozen=True)
class Reply:
    """One turn's reply, or why there is none.

    `status`: "reply" (judge it), "ran_out" (no more replies: the session ends), "stopped" (the engine was
    stopped mid-turn: keep `audio` unjudged), "cancelled" (a retake was asked for mid-turn: drop it), or
    "again" (nothing usable was heard, e.g. a device went away before any speech: play the line again)."""

    status: str = "reply"
    audio: np.ndarray | None = None
    """16 kHz mono."""
    text: str | None = None
    """A typed reply."""
    transcript: Transcript | None = None
    """Already transcribed (live)."""
    timing: dict | None = None
    interrupted: bool = False
    talk_over_s: float | None = None


class ReplySource:
    """Base of the reply sources. `open` and `close` bracket a session; `reply` is called once a turn on the
    engine's thread and must return soon after `engine.interrupted` is set."""

    kind = "?"
    live = False
    """True when the source plays the customer's line itself (and streams live events)."""
    needs_speech_to_text = True

    def open(self, engine: PracticeEngine) -> None:
        """Prepare for a session (devices, models); may raise an error a user can act on."""

    def reply(self, engine: PracticeEngine) -> Reply:
        raise NotImplementedError

    def say_closing_line(self, engine: PracticeEngine) -> None:
        """Play the line that ended the conversation (live sources only)."""

    def close(self) -> None:
        """Release what `open` took (safe to call more than once)."""


class RecordedReplies(ReplySource):
    """Recorded replies, one per turn, in order: paths (each read and checked by `open` before the session
    starts, so a bad file stops nothing half-way) or 16 kHz mono arrays."""

    kind = "files"

    def __init__(self, replies: Sequence[Path | str | np.ndarray], max_turn_s: float | None = None):
        self._given = list(replies)
        self._max_turn_s = max_turn_s
        self._audio: list[np.ndarray] = []
        self.notes: list[str] = []
        """What the learner should know about their files (one cut at the turn limit, ...)."""

    def open(self, engine: PracticeEngine) -> None:
        from rehearse.audio.files import ends_early, load_reply

        limit = engine.options.endpoint.max_turn_s if self._max_turn_s is None else self._max_turn_s
        self._audio = []
        for given in self._given:
            audio = given if isinstance(given, np.ndarray) else load_reply(given)
            note = None if isinstance(given, np.ndarray) else ends_early(given)
            if note:
                self.notes.append(note)
            if audio.size > limit * SAMPLE_RATE:  # as in a live call, the customer cuts in at the turn limit
                self.notes.append(
                    f"{given} is {audio.size / SAMPLE_RATE:.0f} s long; as in a live call, only the "
                    f"first {limit:.0f} s are judged (the customer cuts in there; --max-turn-s "
                    f"changes it)"
                )
                audio = audio[: int(limit * SAMPLE_RATE)]
            self._audio.append(audio)

    def reply(self, engine: PracticeEngine) -> Reply:
        if not self._audio:
            return Reply("ran_out")
        return Reply(audio=self._audio.pop(0))

    @property
    def left(self) -> int:
        return len(self._audio)


class TypedReplies(ReplySource):
    """Typed replies (practice without a microphone): `submit(text)` from any thread; "" or None ends."""

    kind = "typed"
    needs_speech_to_text = False

    def __init__(self):
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    def submit(self, text: str | None) -> None:
        self._queue.put(text)

    def reply(self, engine: PracticeEngine) -> Reply:
        while not engine.interrupted:
            try:
                text = self._queue.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if not text or not text.strip():
                return Reply("ran_out")
            return Reply(text=text.strip())
        return Reply("stopped" if engine.stopping else "cancelled")


class DemoLearner(ReplySource):
    """A synthesized learner who says the given replies in a calm, unhurried voice, one per turn."""

    kind = "demo"
    VOICE = {"rate": 0.66, "pitch_semitones": -2.0, "level_db": -8.0, "expressiveness": 0.6}
    """Piper's joe speaks at about 200 words a minute; this is a comfortable ~130."""

    def __init__(self, texts: Sequence[str]):
        self._texts = list(texts)
        self.spoken: list[tuple[np.ndarray, int]] = []
        """Each reply as synthesized (for playing it or writing the conversation to a file)."""

    def reply(self, engine: PracticeEngine) -> Reply:
        import soxr

        from rehearse.models.tts import VoiceStyle

        if not self._texts:
            return Reply("ran_out")
        audio, rate = engine.tts.synthesize(self._texts.pop(0), VoiceStyle.from_dict(self.VOICE))
        self.spoken.append((audio, rate))
        return Reply(audio=soxr.resample(audio, rate, SAMPLE_RATE))
