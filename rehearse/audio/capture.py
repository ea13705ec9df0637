"""Microphone capture: PortAudio at the device's native rate, resampled to 16 kHz mono with soxr.

The PortAudio callback only enqueues a copy of each block with its ADC time. `read()`, called by
the one analysis worker, resamples, keeps the ring buffer and the FLAC track, and counts overflows.
Times are on the `time.monotonic()` clock (converted from the stream's own clock).
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sounddevice as sd
import soxr

from rehearse.audio.devices import AudioDevice, close_stream
from rehearse.audio.recorder import FlacRecorder
from rehearse.audio.ring import RingBuffer
from rehearse.constants import SAMPLE_RATE

_LOGGER = logging.getLogger(__name__)

BLOCK_S = 0.01
STALL_S = 1.0
"""No audio for this long from a running stream means the device is gone."""
FIRST_AUDIO_S = 5.0
"""How long a just-opened stream may take to deliver its first block (PulseAudio can take ~2 s)."""


class DeviceLostError(RuntimeError):
    """The input device stopped delivering audio (unplugged, or its sound server went away)."""


@dataclass(frozen=True)
class Block:
    """16 kHz mono audio as captured."""

    audio: np.ndarray
    start: int
    """Absolute index of the first sample since capture started."""
    adc_time: float
    """When the first sample reached the microphone's converter (monotonic seconds)."""


def stream_clock_offset(stream: sd._StreamBase) -> float:
    """Stream clock minus `time.monotonic()` (ALSA streams use wall-clock time, CoreAudio host time).

    Read once, when a stream starts: on ALSA, reading the stream clock while the callback runs calls
    libasound from two threads, which was seen to shift the output stream's DAC times by ~80 ms."""
    before = time.monotonic()
    stream_now = stream.time
    after = time.monotonic()
    return stream_now - (before + after) / 2.0


class Capture:
    """One input device, read as 16 kHz mono blocks of about 10 ms."""

    def __init__(self, device: AudioDevice, ring_seconds: float = 120.0, track: Path | None = None):
        self.device = device
        self.rate = int(device.sample_rate)
        self.ring = RingBuffer(ring_seconds, SAMPLE_RATE)
        self.overflows = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._resampler = soxr.ResampleStream(self.rate, SAMPLE_RATE, 1, dtype="float32", quality="HQ")
        self._recorder = FlacRecorder(track) if track else None
        self._stream: sd.InputStream | None = None
        self._offset = 0.0
        self._last_block = 0.0
        self._frames_in = 0
        self._origin = 0.0

    @property
    def track_path(self) -> Path | None:
        return self._recorder.path if self._recorder else None

    def _on_audio(self, indata, frames, time_info, status) -> None:
        self._queue.put_nowait((indata.copy(), time_info.inputBufferAdcTime, status.input_overflow))

    def start(self) -> None:
        """Open and start the stream; raises `DeviceLostError` if the device cannot be opened."""
        try:
            self._stream = sd.InputStream(
                device=self.device.index,
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                blocksize=int(self.rate * BLOCK_S),
                latency="low",
                callback=self._on_audio,
            )
            self._stream.start()
        except sd.PortAudioError as exc:
            raise DeviceLostError(f"cannot open the input device '{self.device.name}': {exc}") from exc
        self._offset = stream_clock_offset(self._stream)
        self._last_block = time.monotonic()
        _LOGGER.info(
            "capturing from '%s' at %d Hz (input latency %.0f ms)",
            self.device.name,
            self.rate,
            1000 * self._stream.latency,
        )

    def read(self, timeout: float = 0.1) -> Block | None:
        """The next block, or None when none arrived within `timeout`. Raises `DeviceLostError`."""
        try:
            indata, adc, overflowed = self._queue.get(timeout=timeout)
        except queue.Empty:
            allowed = STALL_S if self._frames_in else FIRST_AUDIO_S
            if self._stream is not None and (not self._stream.active or time.monotonic() - self._last_block > allowed):
                raise DeviceLostError(f"the input device '{self.device.name}' stopped delivering audio") from None
            return None
        self._last_block = time.monotonic()
        if overflowed:
            self.overflows += 1
            _LOGGER.warning("input overflow #%d: audio was lost before it could be read", self.overflows)
        audio = self._resampler.resample_chunk(indata[:, 0])
        start = self.ring.end
        self.ring.append(audio)
        if self._recorder:
            self._recorder.write(audio)
        # soxr holds back its filter delay, so output sample n belongs to input time n / 16 kHz.
        self._origin = adc - self._offset - self._frames_in / self.rate
        self._frames_in += indata.shape[0]
        return Block(audio, start, self.time_at(start))

    def time_at(self, sample: int) -> float:
        """When 16 kHz sample `sample` reached the converter (monotonic seconds), from the newest block."""
        return self._origin + sample / SAMPLE_RATE

    def stop(self) -> None:
        """Stop the stream and finish the FLAC track (safe to call twice, or after the device vanished)."""
        if self._stream is not None:
            close_stream(self._stream, "input")
            self._stream = None
        if self._recorder:
            self._recorder.close()
