"""Play a mono signal through the output device on a PortAudio stream; position, pause and seek from any thread.

The PortAudio callback only copies the next block; the GUI reads `position()` from a timer.
"""

from __future__ import annotations

import logging
import threading

import numpy as np

_LOGGER = logging.getLogger(__name__)

BLOCK = 1024


class PlaybackError(RuntimeError):
    """No output device, or it cannot be opened; the message says what to do."""


class Player:
    """One signal, one output stream (opened on first play, closed by `close()`)."""

    def __init__(self, audio: np.ndarray, rate: int, device: str | int | None = None):
        self.audio = np.ascontiguousarray(audio, dtype=np.float32)
        self.rate = rate
        self.device = device
        self._frame = 0
        self._playing = False
        self._lock = threading.Lock()
        self._stream = None

    @property
    def duration(self) -> float:
        return self.audio.size / self.rate

    @property
    def playing(self) -> bool:
        return self._playing

    def position(self) -> float:
        return self._frame / self.rate

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._frame = round(min(max(seconds, 0.0), self.duration) * self.rate)  # int() would land a frame early

    def open(self) -> None:
        """Open the output stream (slow on some systems: call it off the GUI thread). Raises PlaybackError."""
        if self._stream is not None:
            return
        try:
            import sounddevice as sd

            from rehearse.audio.devices import NoDeviceError, choose
        except (ImportError, OSError) as exc:
            raise PlaybackError(f"audio output is not available here: {exc}") from exc
        try:
            device = choose("output", self.device)
            stream = sd.OutputStream(
                device=device.index,
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                blocksize=BLOCK,
                callback=self._fill,
            )
            stream.start()
        except NoDeviceError as exc:
            raise PlaybackError(str(exc)) from exc
        except (sd.PortAudioError, ValueError) as exc:
            raise PlaybackError(
                f"cannot play through the output device: {exc}; choose another one in Audio set-up"
            ) from exc
        self._stream = stream
        _LOGGER.info("playing through '%s'", device.name)

    def play(self) -> None:
        """Start or resume from the current position (call `open()` first)."""
        with self._lock:
            if self._frame >= self.audio.size:
                self._frame = 0
            self._playing = True

    def pause(self) -> None:
        self._playing = False

    def _fill(self, outdata, frames, _time, _status) -> None:
        with self._lock:
            if not self._playing:
                outdata.fill(0)
                return
            chunk = self.audio[self._frame : self._frame + frames]
            self._frame += chunk.size
            if self._frame >= self.audio.size:
                self._playing = False
        outdata[: chunk.size, 0] = chunk
        outdata[chunk.size :].fill(0)

    def close(self) -> None:
        self._playing = False
        stream, self._stream = self._stream, None
        if stream is not None:
            from rehearse.audio.devices import close_stream

            close_stream(stream, "output")
