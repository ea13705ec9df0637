"""Engine events turned into what the practice page shows.

`PracticeViewModel.handle(event)` runs on the GUI thread (the bridge's queued signal) and emits one
Qt signal per thing that changed. Meter readings are not forwarded one by one: they go into a
fixed-size `MeterRing` that the page reads at the screen rate.
"""

from __future__ import annotations

import html
import logging
import math
import re
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from rehearse.app import events

_LOGGER = logging.getLogger(__name__)

METER_RATE = 25
"""Meter readings a second (the engine's rate)."""
TRACE_S = 6.0
"""How much of the learner's voice the live trace shows."""
PACE_BAND = (120.0, 160.0)
"""Comfortable words a minute on the phone (the gauge's green band)."""
DIMENSIONS = ("empathy", "clarity", "pace", "calm")


class MeterRing:
    """The last `TRACE_S` seconds of meter readings in preallocated numpy arrays.

    `push` (per event) only writes three numbers; `take` (per frame) returns the readings in time
    order, or None when nothing arrived since the last frame, so an idle trace costs nothing.
    """

    def __init__(self, seconds: float = TRACE_S, rate: int = METER_RATE):
        self.size = int(seconds * rate)
        self._at = np.zeros(self.size)
        self._f0 = np.full(self.size, np.nan)
        self._level = np.full(self.size, np.nan)
        self._count = 0
        self._dirty = False
        self.received = 0
        """Readings pushed since the ring was made (for the benches)."""
        self.frames = 0
        """Frames that took new readings."""

    def push(self, meter: events.Meter) -> None:
        slot = self._count % self.size
        self._at[slot] = meter.at
        self._f0[slot] = np.nan if meter.f0_hz is None else meter.f0_hz
        self._level[slot] = meter.level_db
        self._count += 1
        self.received += 1
        self._dirty = True

    def clear(self) -> None:
        self._count = 0
        self._f0.fill(np.nan)
        self._level.fill(np.nan)
        self._dirty = True

    def __len__(self) -> int:
        return min(self._count, self.size)

    def take(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(seconds before the newest reading (<= 0), pitch Hz with NaN gaps, level dB), oldest first."""
        if not self._dirty:
            return None
        self._dirty = False
        self.frames += 1
        n = len(self)
        if n == 0:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        order = (np.arange(n) + (self._count - n)) % self.size
        at = self._at[order]
        return at - at[-1], self._f0[order], self._level[order]


MIN_VOICED_RUN = 3
"""Voiced readings in a row below which a pitch blip is dropped (an unvoiced frame read as voiced)."""
PITCH_MEDIAN = 5
"""Readings in the running median that smooths the pitch trace (single-frame octave errors vanish)."""
SILENCE_DB = -60.0
"""Below this the loudness trace shows a gap (silence), not a line along the floor."""
GAP_S = 2.5 / METER_RATE
"""Readings further apart than this have no data between them: the traces break there."""


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in `mask`."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


OCTAVE_JUMP = 1.7
"""A reading this many times above (or below 1/this) the speaker's median pitch is a tracking error."""


def clean_pitch(f0: np.ndarray, min_run: int = MIN_VOICED_RUN, window: int = PITCH_MEDIAN) -> np.ndarray:
    """The pitch trace as shown: readings an octave-ish away from the median of the voiced readings are
    dropped (octave errors), voiced runs shorter than `min_run` readings become gaps (NaN), and each
    remaining run is smoothed by a running median of `window` readings."""
    out = np.full(f0.shape, np.nan)
    voiced = np.isfinite(f0)
    if voiced.sum() >= 2 * min_run:
        typical = np.median(f0[voiced])
        with np.errstate(invalid="ignore"):
            voiced &= (f0 < typical * OCTAVE_JUMP) & (f0 > typical / OCTAVE_JUMP)
    half = window // 2
    for start, end in _runs(voiced):
        if end - start < min_run:
            continue
        run = f0[start:end]
        if end - start <= 2:
            out[start:end] = run
            continue
        padded = np.pad(run, half, mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, window)
        out[start:end] = np.median(windows, axis=1)
    return out


def with_gaps(x: np.ndarray, *ys: np.ndarray, gap_s: float = GAP_S) -> tuple[np.ndarray, ...]:
    """`x` and each of `ys` with a NaN point inserted wherever readings are more than `gap_s` apart, so a line
    drawn with connect="finite" breaks where there was no data."""
    if x.size < 2:
        return (x, *ys)
    at = np.flatnonzero(np.diff(x) > gap_s) + 1
    if not at.size:
        return (x, *ys)
    xs = np.insert(x.astype(float), at, (x[at - 1] + x[at]) / 2)
    return (xs, *(np.insert(y.astype(float), at, np.nan) for y in ys))


@dataclass(frozen=True)
class Span:
    """Characters `start:end` of a transcript that are evidence for `name` (a move or a tone label)."""

    start: int
    end: int
    name: str


def _find(text: str, phrase: str) -> tuple[int, int] | None:
    """Where `phrase` occurs in `text`, ignoring case, punctuation and spacing differences."""
    words = re.findall(r"[\w']+", phrase.lower())
    if not words:
        return None
    pattern = r"[^\w']+".join(re.escape(w) for w in words)
    match = re.search(rf"(?<![\w']){pattern}(?![\w'])", text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def evidence_spans(transcript: str, evidence: dict) -> list[Span]:
    """The transcript spans behind each move and label (`Feedback.to_dict()["evidence"]`).

    A move's evidence is the words that showed it; a label's is {"why", "words", "seconds"}. Words
    not found in the transcript (e.g. "spoke over the customer for 1.2 s") mark nothing.
    """
    spans: list[Span] = []
    for name, item in evidence.items():
        words = item.get("words", "") if isinstance(item, dict) else str(item or "")
        found = _find(transcript, words)
        pieces = [found] if found else [_find(transcript, part) for part in re.split(r"\s*(?:…|\.\.\.|;|,)\s*", words)]
        spans += [Span(a, b, name) for a, b in filter(None, pieces)]
    return sorted(spans, key=lambda s: (s.start, -s.end))


def highlighted_html(transcript: str, spans: list[Span], colors: dict[str, str]) -> str:
    """The transcript as HTML with each evidence span on a tinted background, its name as a tooltip."""
    out, pos = [], 0
    for span in spans:
        if span.start < pos:  # overlaps an earlier span: that one already marks these words
            continue
        out.append(html.escape(transcript[pos : span.start]))
        color = colors.get(span.name, colors.get("default", "#ffe08a"))
        out.append(
            f'<span style="background-color:{color}" title="{html.escape(span.name)}">'
            f"{html.escape(transcript[span.start : span.end])}</span>"
        )
        pos = span.end
    out.append(html.escape(transcript[pos:]))
    return "".join(out)


def mean_score(scores: dict) -> float | None:
    values = [v for v in (scores or {}).values() if isinstance(v, (int, float)) and not math.isnan(v)]
    return sum(values) / len(values) if values else None


class PracticeViewModel(QObject):
    """What the page shows, kept up to date from engine events (GUI thread)."""

    loading = Signal(str, str, float, str)
    """Model name, state ("loading", "ready", "failed"), progress 0..1, reason ("" unless failed)."""
    started = Signal(object)
    """SessionStarted."""
    caption = Signal(str, bool)
    """The customer's line, and whether it is being spoken now."""
    mood = Signal(float, str, float)
    """Mood 0..1, band, change since the last mood (negative: calming down)."""
    phase = Signal(str)
    """Where the conversation is, following the engine's events: "loading", "customer speaking", "your turn",
    "listening", "judging", "feedback", "paused", "ended"."""
    listening = Signal(bool)
    partial = Signal(str, object)
    """Words so far, words a minute (or None)."""
    cue = Signal(str)
    tip = Signal(str)
    """A gain tip for the microphone (a dismissable hint, not an error)."""
    customer_audio = Signal(object, int)
    """The customer's line as audio (mono float samples, rate) when the window has to play it (typed practice)."""
    verdict = Signal(object, list)
    """The judged TurnResult and all takes of its turn so far (oldest first)."""
    kept = Signal(int, float)
    banner = Signal(str, str)
    """Message and kind: "error" (red), "device" (yellow: paused for the headset, or resumed); "" clears it."""
    ended = Signal(object)
    """SessionEnded."""
    devices = Signal(str)
    """Which microphone and headphones are in use."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.meters = MeterRing()
        self.session: events.SessionStarted | None = None
        self.takes: dict[int, list] = {}
        """Turn index -> the TurnResults of its takes, in order."""
        self.current_mood: float | None = None
        self.customer_text = ""
        self.partial_text = ""
        self.wpm: float | None = None
        self.cue_text = ""
        self.end: events.SessionEnded | None = None
        self.phase_name = ""
        self._before_pause = "your turn"

    @property
    def results(self) -> list:
        """The latest take of every turn, in turn order (what the summary judges)."""
        return [self.takes[i][-1] for i in sorted(self.takes)]

    @property
    def judged_results(self) -> list:
        """Per turn, the latest take that was scored (else its latest take), in turn order: the summary's trend
        shows every judged turn even when a retake of it was not judged (e.g. silence)."""
        out = []
        for index in sorted(self.takes):
            takes = self.takes[index]
            scored = [t for t in takes if mean_score(t.feedback.scores) is not None]
            out.append(scored[-1] if scored else takes[-1])
        return out

    def _set_mood(self, mood: float, band: str) -> None:
        change = 0.0 if self.current_mood is None else mood - self.current_mood
        self.current_mood = mood
        self.mood.emit(mood, band, change)

    def _phase(self, name: str) -> None:
        if name == "paused" and self.phase_name != "paused":
            self._before_pause = self.phase_name or "your turn"
        self.phase_name = name
        self.phase.emit(name)

    @Slot(object)
    def handle(self, event: events.Event) -> None:
        match event:
            case events.Meter():
                self.meters.push(event)
            case events.Partial(text=text, wpm=wpm):
                self.partial_text, self.wpm = text, wpm
                self.partial.emit(text, wpm)
            case events.Cue(text=text):
                self.cue_text = text
                self.cue.emit(text)
            case events.ModelLoading(name=name, state=state, progress=progress, reason=reason):
                self.loading.emit(name, state, progress, reason or "")
                if state == "loading" and self.session is None:
                    self._phase("loading")
                if state == "failed":
                    self.banner.emit(f"The {name} model could not load: {reason or 'unknown reason'}", "error")
            case events.SessionStarted():
                self.session = event
                self.takes.clear()
                self.started.emit(event)
            case events.CustomerLine(text=text, mood=mood, band=band, audio=audio, sample_rate=rate):
                self.customer_text = text
                self.caption.emit(text, False)
                self._set_mood(mood, band)
                if audio is not None and rate and getattr(audio, "size", 0):
                    self.customer_audio.emit(audio, int(rate))
                if self.session is not None and self.session.source != "microphone":
                    self._phase("your turn")
            case events.CustomerSpeaking(text=text):
                self.customer_text = text
                self.caption.emit(text, True)
                self._phase("customer speaking")
            case events.CustomerDone():
                self.caption.emit(self.customer_text, False)
                self._phase("your turn")
            case events.SpeechStarted():
                self.meters.clear()
                self.partial_text, self.wpm, self.cue_text = "", None, ""
                self.partial.emit("", None)
                self.cue.emit("")
                self.listening.emit(True)
                self._phase("listening")
            case events.SpeechEnded() | events.NoAnswer():
                self.listening.emit(False)
                self._phase("judging")
            case events.FinalTranscript(text=text):
                self.partial_text = text
                self.partial.emit(text, self.wpm)
            case events.ReplyReceived(text=text):
                if text:
                    self.partial.emit(text, None)
                self._phase("judging")
            case events.GainTip(text=text):
                self.tip.emit(text)
            case events.Verdict(turn=turn):
                takes = self.takes.setdefault(turn.index, [])
                takes.append(turn)
                self._set_mood(turn.step.mood_after, turn.next_line.band)
                self.verdict.emit(turn, list(takes))
                self._phase("feedback")
            case events.TurnKept(index=index, duration_s=duration):
                self.kept.emit(index, duration)
                self._phase("feedback")
            case events.Rewound():
                self.cue.emit("")
            case events.Paused():
                self._phase("paused")
            case events.Resumed():
                self._phase(self._before_pause)
            case events.DevicePaused(message=message):
                self.listening.emit(False)
                self.banner.emit(message, "device")
                self._phase("paused")
            case events.DevicesOpened(input_name=microphone, output_name=headphones):
                self.devices.emit(f"Microphone: {microphone} · Customer plays on: {headphones}")
            case events.DeviceResumed(message=message):
                if self.phase_name == "paused":
                    self._phase(self._before_pause)
                self.banner.emit(message, "device")  # after the phase: "back" banners then hide after a while
            case events.Error(message=message):
                self.banner.emit(message, "error")
            case events.SessionEnded():
                self.end = event
                self.listening.emit(False)
                self._phase("ended")
                self.ended.emit(event)
