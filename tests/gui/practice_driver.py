"""A learner with a headset, for the practice page's tests, bench and screenshots.

It watches the engine's events (on the engine thread, through the page's bridge) and, when the
customer finishes a line, speaks the next recording into the PulseAudio virtual microphone
(tests/integration/audio_server.py), as tests/integration/test_live.py's Learner does.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt

from rehearse.app import events

PAUSE_BEFORE_REPLY_S = 0.3

REPLY_CLIPS = (
    "asr_librivox_sense_0930",
    "asr_librivox_sense_0880",
    "asr_cmu_goforward",
    "asr_librivox_sense_0870",
    "asr_cmu_cards_005",
)
"""Realspeech replies without a pause inside long enough to end a turn early."""


def reply_clips(realspeech: Path) -> list[Path]:
    return [
        realspeech / "asr" / f"{name}.wav" for name in REPLY_CLIPS if (realspeech / "asr" / f"{name}.wav").is_file()
    ]


class HeadsetLearner:
    """Answers each customer line with the next clip; keeps every event it saw (engine thread)."""

    def __init__(self, server, clips: list[Path], pause_s: float = PAUSE_BEFORE_REPLY_S):
        self.server, self.clips, self.pause_s = server, list(clips), pause_s
        self.seen: list[events.Event] = []
        self.spoken: list[Path] = []
        self._ended_conversation = False
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []

    def attach(self, bridge) -> None:
        """Listen to the bridge's events on the engine thread, before the page sees them."""
        bridge.event.connect(self, Qt.ConnectionType.DirectConnection)

    def __call__(self, event: events.Event) -> None:
        with self._lock:
            self.seen.append(event)
        if isinstance(event, events.Verdict) and event.turn.next_line.outcome is not None:
            self._ended_conversation = True  # the next line closes the call: nobody answers it
        elif isinstance(event, events.Rewound):
            self._ended_conversation = False
        elif isinstance(event, events.CustomerDone) and not event.cut_off and not self._ended_conversation:
            if self.clips:
                clip = self.clips.pop(0)
                self.spoken.append(clip)
                timer = threading.Timer(self.pause_s, self.server.play, args=(clip,))
                self._timers.append(timer)
                timer.start()

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()

    def of(self, kind) -> list:
        with self._lock:
            return [e for e in self.seen if isinstance(e, kind)]
