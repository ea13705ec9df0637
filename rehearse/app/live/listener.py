"""The analysis worker of a live turn: capture -> VAD endpointing, meters, partials, cues, barge-in.

`Listener.listen()` runs on the session's thread and is the only consumer of the capture queue;
transcription runs beside it on the transcriber's thread. Every event is emitted from this thread.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from rehearse.app import events
from rehearse.app.live.transcriber import IncrementalTranscriber, Result
from rehearse.audio import meter, turn_end
from rehearse.audio.capture import SAMPLE_RATE, Capture, DeviceLostError
from rehearse.audio.endpoint import (
    WINDOW,
    EndpointConfig,
    Endpointer,
    StreamingVad,
    refine_end,
    refine_start,
    sounds_unfinished,
)
from rehearse.audio.prosody import FRAME
from rehearse.coach.live_cue import LiveCue, Measurement
from rehearse.coach.pace import measure
from rehearse.models.stt import SpeechToText, Transcript

_LOGGER = logging.getLogger(__name__)

LEAD_IN_S = 0.4
"""Audio kept before the detected speech start (the VAD decides a little late)."""
EDGE_SEARCH_S = 0.4
"""How far before the VAD's decision the speech edge is looked for."""
PARTIAL_EVERY_S = 1.0
WPM_WINDOW_S = 6.0
"""The live pace gauge counts the words of the last few seconds."""
MAX_LEAD_S = 15.0
"""The judged audio starts where the customer stopped, but never more than this before the speech."""
QUIET_DB = -45.0
CLIPPED_SHARE = 0.001


class Line(Protocol):
    """The customer line playing while the listener listens."""

    text: str
    mood: float
    started_at: float | None
    cut_off: bool

    @property
    def playing(self) -> bool: ...

    @property
    def ended_at(self) -> float | None: ...

    def cut(self) -> None: ...


@dataclass(frozen=True)
class HeardTurn:
    """What the learner said in one turn, and when."""

    reason: str
    """"silence" (ended by trailing silence), "released" (push-to-talk), "max_length", "no_answer",
    "device_lost" or "interrupted" (the engine was stopped or a retake asked for: the audio so far)."""
    audio: np.ndarray
    """16 kHz mono, from where the customer stopped (or just before the speech) to its end; on no answer,
    the silence that was heard."""
    transcript: Transcript | None
    speech_start_at: float | None = None
    """When speech began at the microphone (monotonic seconds)."""
    speech_end_at: float | None = None
    barge_in_at: float | None = None
    """When the learner cut the customer off, if they did."""
    decided_at: float | None = None
    """When the endpointer decided the reply had ended."""
    transcript_at: float | None = None
    """When the final transcript was ready (it may be ready before the decision: it starts at the pause)."""
    end_of_turn: dict | None = None
    """Why the endpointer ended the reply: detector, rule, Smart Turn's probability, silence, last words."""


@dataclass
class _Levels:
    """Running speech level and clipping of the turn, for the gain tip."""

    energy: float = 0.0
    frames: int = 0
    clipped: int = 0
    samples: int = 0

    def add(self, reading: meter.Reading, samples: int) -> None:
        self.energy += 10.0 ** (reading.level_db / 10.0)
        self.frames += 1
        self.clipped += reading.clipped
        self.samples += samples

    @property
    def level_db(self) -> float | None:
        return 10.0 * np.log10(self.energy / self.frames) if self.frames else None

    def tip(self) -> str | None:
        if self.samples and self.clipped / self.samples > CLIPPED_SHARE:
            return "Your microphone is clipping: turn its input gain down or move it a little away from your mouth."
        if self.frames > 20 and (self.level_db or 0.0) < QUIET_DB:
            return "You are very quiet: turn the microphone's input gain up or move it closer to your mouth."
        return None


_warmed: weakref.WeakSet = weakref.WeakSet()
_warming = threading.Lock()


def warm_up(stt: SpeechToText, smart_turn: bool = True) -> None:
    """Pay a listener's first-call costs once per process and model (ONNX sessions, librosa's compiled kernels,
    CTranslate2's first decode) before the first turn: a window calls it behind Home, a session's listener
    then finds it done."""
    with _warming:
        if stt not in _warmed:
            noise = np.random.default_rng(0).normal(0.0, 0.05, SAMPLE_RATE).astype(np.float32)
            StreamingVad().feed(noise)
            meter.read(noise[:FRAME], noise[:FRAME])
            stt.transcribe(noise)
            _warmed.add(stt)
        if smart_turn:
            _warm_smart_turn()


@functools.cache
def _warm_smart_turn() -> None:
    model = turn_end.bundled()
    if model is not None:
        model.probability(np.zeros(SAMPLE_RATE, np.float32))


class Listener:
    """Listens for one reply at a time on an open `Capture`."""

    def __init__(
        self,
        capture: Capture,
        stt: SpeechToText,
        config: EndpointConfig = EndpointConfig(),
        on_event: Callable[[object], None] = lambda event: None,
        cue: LiveCue | None = None,
    ):
        self.capture, self.config, self._emit, self._cue = capture, config, on_event, cue
        self._vad = StreamingVad()
        self._results: queue.SimpleQueue[Result] = queue.SimpleQueue()
        self._transcriber = IncrementalTranscriber(stt, capture.ring.slice, self._results.put)
        self._estimates: queue.SimpleQueue[turn_end.Estimate] = queue.SimpleQueue()
        model = turn_end.bundled() if config.end_of_turn == "smart_turn" else None
        self._turn_end = (
            None if model is None else turn_end.TurnEndWorker(model, capture.ring.slice, self._estimates.put)
        )
        warm_up(stt, smart_turn=model is not None)

    @property
    def detector(self) -> str:
        """ "smart_turn" or "silence": what ends a turn here."""
        return "silence" if self._turn_end is None else "smart_turn"

    def close(self) -> None:
        self._transcriber.close()
        if self._turn_end is not None:
            self._turn_end.close()

    def _time_of(self, block, sample: int) -> float:
        return block.adc_time + (sample - block.start) / SAMPLE_RATE

    def listen(
        self, line: Line | None = None, interrupt: threading.Event | None = None, held: threading.Event | None = None
    ) -> HeardTurn:
        """Listen until the learner's reply ends, nothing is said, the input device is lost, or `interrupt`
        is set. While `held` is set (push-to-talk), silence does not end the reply; clearing it does."""
        while True:  # audio captured while the last turn was judged is kept, not analysed
            try:
                block = self.capture.read(timeout=0.0)
            except DeviceLostError:
                return HeardTurn("device_lost", np.zeros(0, np.float32), None)
            if block is None:
                break
        return _Turn(self, line, interrupt or threading.Event(), held or threading.Event()).run()


class _Turn:
    """The state of one `Listener.listen()` call."""

    def __init__(self, listener: Listener, line: Line | None, interrupt: threading.Event, held: threading.Event):
        self.l, self.line, self.interrupt, self.held = listener, line, interrupt, held
        ring = listener.capture.ring
        self.start = ring.end
        self.endpointer = Endpointer(
            listener.config, answer_from=None if line else self.start, smart=listener._turn_end is not None
        )
        listener._vad.reset()
        self.vad_next = self.start
        self.meter_next = self.start + int(meter.HOP_S * SAMPLE_RATE)
        self.partial_next: int | None = None
        self.origin: int | None = None
        self.final_end: int | None = None
        self.final: Result | None = None
        self.tentative: Result | None = None
        self.requested: int | None = None
        self.wpm: float | None = None
        self.levels = _Levels()
        self.block = None
        self.barge_in_at = self.start_at = self.end_at = self.decided_at = None
        self.reason: str | None = None
        self.tip_sent = False
        self.announced = False
        self.cue_text: str | None = None

    def run(self) -> HeardTurn:
        listener = self.l
        while True:
            try:
                block = listener.capture.read(timeout=0.02)
            except DeviceLostError as exc:
                _LOGGER.warning("%s", exc)
                return self._lost()
            if self.interrupt.is_set():
                return self._interrupted()
            self._results()
            self._push_to_talk()
            if self.line is not None and not self.announced and self.line.started_at is not None:
                self.announced = True
                listener._emit(events.CustomerSpeaking(self.line.text, self.line.mood, self.line.started_at))
            if self.endpointer.answer_from is None and self.line is not None and not self.line.playing:
                self._line_ended()
            if block is None:
                if self.final is not None:
                    return self._heard()
                continue
            self.block = block
            self._meter(block)
            self._vad(block)
            if self.reason == "no_answer":
                return HeardTurn("no_answer", listener.capture.ring.slice(self.endpointer.answer_from), None)
            self._partials()
            if self.final is not None:
                return self._heard()

    # -- per block -------------------------------------------------------------------------------

    def _line_ended(self) -> None:
        ended = self.line.ended_at
        self.l._emit(events.CustomerDone(ended, self.line.cut_off))
        block = self.block
        if ended is None or block is None:
            self.endpointer.answer_from = self.l.capture.ring.end
        else:
            self.endpointer.answer_from = max(self.start, block.start + int((ended - block.adc_time) * SAMPLE_RATE))

    def _meter(self, block) -> None:
        ring = self.l.capture.ring
        hop = int(meter.HOP_S * SAMPLE_RATE)
        while self.meter_next <= ring.end:
            new = ring.slice(self.meter_next - hop, self.meter_next)
            reading = meter.read(ring.slice(self.meter_next - FRAME, self.meter_next), new)
            at = self.l._time_of(block, self.meter_next)
            self.l._emit(events.Meter(at, reading.level_db, reading.f0_hz, time.monotonic() - at))
            if self.origin is not None and self.final_end is None:
                self._cue(reading, at)
                self.levels.add(reading, hop)
                tip = self.levels.tip()
                if tip and not self.tip_sent:
                    self.tip_sent = True
                    self.l._emit(events.GainTip(tip))
            self.meter_next += hop

    def _push_to_talk(self) -> None:
        if self.held.is_set():
            self.endpointer.held = True
        elif self.endpointer.held:
            for decision in self.endpointer.release(self.vad_next):
                self._decide(decision.kind, decision.sample)

    def _vad(self, block) -> None:
        for prob in self.l._vad.feed(block.audio):
            sample, self.vad_next = self.vad_next, self.vad_next + WINDOW
            for decision in self.endpointer.update(prob, sample):
                self._decide(decision.kind, decision.sample)

    def _edge(self, kind: str, sample: int) -> int:
        """The VAD's decision moved to where the speech energy starts or ends (5 ms resolution)."""
        ring, span = self.l.capture.ring, int(EDGE_SEARCH_S * SAMPLE_RATE)
        if kind == "speech_start":
            begin = max(ring.start, sample - span)
            return begin + refine_start(ring.slice(begin, sample + WINDOW), sample - begin)
        begin = max(ring.start, sample - span)
        return begin + refine_end(ring.slice(begin), sample - begin)

    def _decide(self, kind: str, sample: int) -> None:
        listener = self.l
        if kind in ("speech_start", "speech_end", "released"):
            sample_at = self._edge("speech_start" if kind == "speech_start" else "speech_end", sample)
            at = listener._time_of(self.block, sample_at)
        else:
            at = listener._time_of(self.block, sample)
        if kind == "speech_start":
            self.start_at = at
            barge_in = self.line is not None and self.line.playing
            if barge_in:
                self.line.cut()
                self.barge_in_at = at
            self.origin = self._origin(sample)
            if listener._cue is not None:
                listener._cue.reset()
            listener._transcriber.begin(self.origin, speech_from=sample)
            self.partial_next = sample + int(PARTIAL_EVERY_S * SAMPLE_RATE)
            listener._emit(events.SpeechStarted(at, barge_in))
        elif kind == "pause":
            self._request_final(sample + WINDOW)  # speculative: ready when the silence confirms the end
        elif kind == "analyse":
            begin = self.endpointer.speech_start - int(turn_end.PRE_SPEECH_S * SAMPLE_RATE)
            listener._turn_end.request(begin, sample)
        elif kind == "resume":
            listener._transcriber.cancel_final()
            if listener._turn_end is not None:
                listener._turn_end.cancel()
            self.requested = None
        elif kind in ("speech_end", "released", "max_length"):
            self.end_at, self.decided_at = at, time.monotonic()
            self.reason = {"speech_end": "silence", "released": "released"}.get(kind, "max_length")
            self.final_end = sample + WINDOW if kind != "max_length" else sample
            if self.tentative is not None and self.tentative.end == self.final_end:
                self.final = self.tentative
            else:
                self._request_final(self.final_end)
            listener._emit(events.SpeechEnded(at, self.reason))
        elif kind == "no_answer":
            self.reason = "no_answer"
            listener._emit(events.NoAnswer(at))

    def _origin(self, sample: int) -> int:
        """Where the judged audio starts: where the customer stopped (so the coach sees the response gap),
        or a little before the speech when the learner cut in or waited very long."""
        lead_in = sample - int(LEAD_IN_S * SAMPLE_RATE)
        answer_from = self.endpointer.answer_from
        if answer_from is None or answer_from > lead_in:
            return max(self.start, self.l.capture.ring.start, lead_in)
        return max(answer_from, sample - int(MAX_LEAD_S * SAMPLE_RATE), self.l.capture.ring.start)

    def _request_final(self, end: int) -> None:
        if self.requested != end:
            self.requested = end
            self.l._transcriber.final(end)

    def _partials(self) -> None:
        ring = self.l.capture.ring
        due = self.partial_next is not None and ring.end >= self.partial_next
        if due and self.final_end is None and self.endpointer.speaking:
            self.l._transcriber.partial(ring.end)
            self.partial_next = ring.end + int(PARTIAL_EVERY_S * SAMPLE_RATE)

    def _estimates(self) -> None:
        """Smart Turn's answers: each may end the pause in progress at once (between VAD windows)."""
        while True:
            try:
                estimate = self.l._estimates.get_nowait()
            except queue.Empty:
                return
            self.endpointer.estimate(estimate.probability, estimate.end, estimate.took_ms)
            if self.block is not None:
                for decision in self.endpointer.check(max(self.vad_next, estimate.end)):
                    self._decide(decision.kind, decision.sample)

    def _results(self) -> None:
        self._estimates()
        while True:
            try:
                result = self.l._results.get_nowait()
            except queue.Empty:
                return
            if self.origin is None:
                continue
            if result.final:
                if self.final_end is None:
                    self.tentative = result
                    self._words(result.transcript.text if result.transcript else "", result.end)
                elif result.end == self.final_end:
                    self.final = result
                continue
            if result.transcript is None:
                continue
            words = result.transcript.words
            self._words(result.transcript.text, result.end)
            recent = [w for w in words if words and w.end >= words[-1].end - WPM_WINDOW_S]
            self.wpm = measure(recent).wpm
            self.l._emit(events.Partial(result.transcript.text, self.wpm, result.ready_at))

    def _words(self, text: str, until: int) -> None:
        self.endpointer.words, self.endpointer.words_until = text, until
        self.endpointer.unfinished = sounds_unfinished(text)

    def _cue(self, reading: meter.Reading, at: float) -> None:
        """Feed the coach's live cue one meter reading; emit a `Cue` when what it shows changes."""
        cue = self.l._cue
        if cue is None:
            return
        shown = cue.update(
            Measurement(at - self.start_at, self.endpointer.speaking, self.wpm, reading.level_db, reading.f0_hz)
        )
        text = shown.text if shown else ""
        if text != self.cue_text:
            self.cue_text = text
            self.l._emit(events.Cue(text, time.monotonic()))

    # -- endings ---------------------------------------------------------------------------------

    def _heard(self) -> HeardTurn:
        audio = self.l.capture.ring.slice(self.origin, self.final_end)
        if self.final.transcript is not None:
            self.l._emit(events.FinalTranscript(self.final.transcript.text, max(self.final.ready_at, self.decided_at)))
        return HeardTurn(
            self.reason,
            audio,
            self.final.transcript,
            self.start_at,
            self.end_at,
            self.barge_in_at,
            self.decided_at,
            self.final.ready_at,
            self._end_of_turn(),
        )

    def _end_of_turn(self) -> dict | None:
        reasons = self.endpointer.end_of_turn
        if reasons is None:
            return None
        final = self.final.transcript.text if self.final and self.final.transcript else ""
        return {**reasons, "final_words": " ".join(final.split()[-6:])}

    def _interrupted(self) -> HeardTurn:
        """Stopped or retaken mid-turn: the audio heard so far, untranscribed (nothing slow runs here)."""
        ring = self.l.capture.ring
        audio = ring.slice(self.origin, ring.end) if self.origin is not None else np.zeros(0, np.float32)
        if self.origin is not None and self.final_end is None:
            self.l._emit(events.SpeechEnded(time.monotonic(), "stopped"))
        return HeardTurn("interrupted", audio, None, self.start_at, None, self.barge_in_at)

    def _lost(self) -> HeardTurn:
        """The device vanished: keep what was said so far, transcribed in full."""
        if self.origin is None:
            return HeardTurn("device_lost", np.zeros(0, np.float32), None)
        ring = self.l.capture.ring
        end = ring.end
        audio = ring.slice(self.origin, end)
        self.l._emit(events.SpeechEnded(time.monotonic(), "device_lost"))
        self.l._transcriber.final(end)
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            try:
                result = self.l._results.get(timeout=0.1)
            except queue.Empty:
                continue
            if result.final and result.end == end:
                return HeardTurn(
                    "device_lost",
                    audio,
                    result.transcript,
                    self.start_at,
                    None,
                    self.barge_in_at,
                    None,
                    result.ready_at,
                )
        return HeardTurn("device_lost", audio, None, self.start_at, None, self.barge_in_at)
