"""Customer playback, sentence by sentence, timed by the output device's own clock.

Sentences are queued as they are synthesized, so the first plays while later ones are still being
made. The PortAudio callback copies queued samples out and notes the DAC time at which a line
really starts, ends, or is cut off (barge-in); those times are on the `time.monotonic()` clock.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import sounddevice as sd
import soxr

from rehearse.audio.capture import DeviceLostError, stream_clock_offset
from rehearse.audio.devices import AudioDevice, close_stream
from rehearse.constants import SENTENCE_GAP_S

_LOGGER = logging.getLogger(__name__)

BLOCK_S = 0.01
LATENCY_S = 0.05
"""Output buffering: enough to ride out a busy CPU without underruns; the DAC times account for it."""


@dataclass(frozen=True)
class Playback:
    """When one customer line was heard."""

    started_at: float | None
    """DAC time of its first sample (monotonic seconds); None if nothing played."""
    ended_at: float | None
    """DAC time just after its last played sample (the cut-off point when stopped)."""
    stopped: bool
    """True when it was cut off before the end (barge-in)."""
    sentences_started: int
    """How many sentences began to play."""


class Player:
    """One output stream that stays open for the whole session."""

    def __init__(self, device: AudioDevice):
        self.device = device
        self.rate = int(device.sample_rate)
        self._pending: queue.SimpleQueue = queue.SimpleQueue()
        self._marks: queue.SimpleQueue = queue.SimpleQueue()
        self._current: np.ndarray | None = None
        self._pos = 0
        self._stop = threading.Event()
        self._stream: sd.OutputStream | None = None
        self._offset = 0.0
        self._line = 0
        self._on_start: Callable[[float], None] | None = None

    def start(self) -> None:
        try:
            self._stream = sd.OutputStream(
                device=self.device.index,
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                blocksize=int(self.rate * BLOCK_S),
                latency=LATENCY_S,
                callback=self._on_audio,
            )
            self._stream.start()
        except sd.PortAudioError as exc:
            raise DeviceLostError(f"cannot open the output device '{self.device.name}': {exc}") from exc
        self._offset = stream_clock_offset(self._stream)
        _LOGGER.info(
            "playing to '%s' at %d Hz (output latency %.0f ms)",
            self.device.name,
            self.rate,
            1000 * self._stream.latency,
        )

    def _on_audio(self, outdata, frames, time_info, status) -> None:
        dac, done = time_info.outputBufferDacTime, 0
        if self._stop.is_set():
            if self._current is not None:
                self._marks.put_nowait(("cut", self._current_tag, dac))
            self._current = None
            while not self._pending.empty():
                self._pending.get_nowait()
        while done < frames:
            if self._current is None:
                if self._stop.is_set() or self._pending.empty():
                    break
                self._current_tag, self._current = self._pending.get_nowait()
                self._pos = 0
                self._marks.put_nowait(("start", self._current_tag, dac + done / self.rate))
            take = min(frames - done, self._current.size - self._pos)
            outdata[done : done + take, 0] = self._current[self._pos : self._pos + take]
            done += take
            self._pos += take
            if self._pos >= self._current.size:
                self._marks.put_nowait(("end", self._current_tag, dac + done / self.rate))
                self._current = None
        outdata[done:] = 0

    def play(
        self,
        sentences: Iterable[tuple[np.ndarray, int]],
        stop: threading.Event | None = None,
        on_start: Callable[[float], None] | None = None,
    ) -> Playback:
        """Queue sentences as they come (audio, rate) and wait until they are heard or cut off.

        Setting `stop` (or calling `cut()`) ends playback at the next device block: barge-in.
        `on_start` is called with the device time of the first sample as soon as it is known.
        """
        if self._stream is None:
            raise RuntimeError("start() the player first")
        self._line += 1
        self._stop.clear()
        queued = 0
        self._on_start = on_start
        for audio, rate in sentences:
            if stop is not None and stop.is_set() or self._stop.is_set():
                break
            audio = np.asarray(audio, dtype=np.float32)
            if rate != self.rate:
                audio = soxr.resample(audio, rate, self.rate, quality="HQ")
            if queued:
                audio = np.concatenate([np.zeros(int(SENTENCE_GAP_S * self.rate), np.float32), audio])
            self._pending.put_nowait(((self._line, queued), audio))
            queued += 1
        return self._wait(queued, stop)

    def _wait(self, queued: int, stop: threading.Event | None) -> Playback:
        started = ended = None
        heard = finished = 0
        stopped = self._stop.is_set() or (stop is not None and stop.is_set())
        if stopped:
            self._stop.set()
        while finished < queued:
            if stop is not None and stop.is_set() and not self._stop.is_set():
                self._stop.set()
            try:
                kind, (line, _), dac = self._marks.get(timeout=0.02)
            except queue.Empty:
                if self._stream is None or not self._stream.active:
                    raise DeviceLostError(f"the output device '{self.device.name}' stopped playing") from None
                if self._stop.is_set() and self._current is None and self._pending.empty():
                    if not self._marks.empty():  # the callback marks the cut before it drops the sentence
                        continue
                    stopped = True
                    break
                continue
            if line != self._line:
                continue
            at = dac - self._offset
            if kind == "start":
                heard += 1
                if started is None:
                    started = at
                    if self._on_start is not None:
                        self._on_start(at)
            else:
                ended = at
                finished += 1
                if kind == "cut":
                    stopped = True
                    break
        return Playback(started, ended, stopped, heard)

    def cut(self) -> None:
        """Stop the line now (from any thread)."""
        self._stop.set()

    def stop(self) -> None:
        if self._stream is not None:
            close_stream(self._stream, "output")
            self._stream = None
