"""The microphone read off the GUI thread: the newest meter reading, and recordings of a set length."""

from __future__ import annotations

import logging
import threading

import numpy as np

_LOGGER = logging.getLogger(__name__)

FRAME = 1024
"""Samples metered per reading (64 ms at 16 kHz)."""


class InputMonitor:
    """Reads one input device on its own thread. The GUI polls `reading`, `error` and `recording_done()`."""

    def __init__(self, device):
        self.device = device
        self.reading = None
        """The newest rehearse.audio.meter.Reading (None before the first)."""
        self.peak_db = -120.0
        self.clipped = 0
        self.error: str | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._record: list[np.ndarray] | None = None
        self._record_left = 0
        self._thread = threading.Thread(target=self._run, name="input-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=2.0)

    def record(self, seconds: float | None) -> None:
        """Start keeping what the microphone hears: `seconds` of it, or until `finish_recording()` when None."""
        from rehearse.audio.capture import SAMPLE_RATE

        with self._lock:
            self._record = []
            self._record_left = int(seconds * SAMPLE_RATE) if seconds else -1
            self.clipped = 0

    def recording_done(self) -> bool:
        with self._lock:
            return self._record is not None and self._record_left == 0

    def finish_recording(self) -> np.ndarray:
        """What was kept (16 kHz mono), and stop keeping."""
        with self._lock:
            parts, self._record, self._record_left = self._record or [], None, 0
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def _run(self) -> None:
        from rehearse.audio import meter
        from rehearse.audio.capture import Capture, DeviceLostError

        capture = Capture(self.device, ring_seconds=2.0)
        frame = np.zeros(FRAME, np.float32)
        pending: list[np.ndarray] = []
        try:
            capture.start()
            while not self._stop.is_set():
                block = capture.read(timeout=0.1)
                if block is None:
                    continue
                audio = block.audio
                frame = np.concatenate([frame, audio])[-FRAME:]
                pending.append(audio)
                self._keep(audio)
                if sum(p.size for p in pending) * 1.0 >= meter.HOP_S * 16_000:
                    new = np.concatenate(pending)
                    pending = []
                    reading = meter.read(frame, new)
                    self.reading = reading
                    self.peak_db = max(reading.level_db, self.peak_db - 1.0)  # a peak that falls 25 dB/s
                    self.clipped += reading.clipped
        except DeviceLostError as exc:
            self.error = str(exc)
        except Exception as exc:  # PortAudio or resampler failures: shown, never raised into Qt
            _LOGGER.exception("input monitor failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            capture.stop()

    def _keep(self, audio: np.ndarray) -> None:
        with self._lock:
            if self._record is None or self._record_left == 0:
                return
            if self._record_left > 0:
                audio = audio[: self._record_left]
                self._record_left -= audio.size
            self._record.append(audio)


def check_recording(audio: np.ndarray) -> list[str]:
    """Warnings about a test recording: silence, too quiet, clipping. Empty when it sounds usable."""
    from rehearse.audio.prosody import HOP

    if audio.size == 0:
        return ["Nothing was recorded: check that the microphone is connected and not muted."]
    frames = audio[: audio.size // HOP * HOP].reshape(-1, HOP)
    levels = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = float(np.percentile(levels, 95))
    clipped = float(np.mean(np.abs(audio) >= 0.99))
    warnings = []
    if loud < -55:
        warnings.append("Almost silent: the microphone may be muted, or another input is selected.")
    elif loud < -40:
        warnings.append(
            f"Too quiet ({loud:.0f} dBFS at its loudest): move the microphone closer or raise its input volume."
        )
    if clipped > 0.001:
        warnings.append(
            f"Clipping ({100 * clipped:.1f}% of samples at full scale): lower the input volume "
            "or move the microphone away a little."
        )
    return warnings
