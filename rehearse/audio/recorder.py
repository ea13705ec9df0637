"""The learner track written to FLAC as it is captured, so a crash loses at most about a second."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from rehearse.constants import SAMPLE_RATE
from rehearse.privacy import private_file

_LOGGER = logging.getLogger(__name__)

FLUSH_EVERY_S = 0.5


class FlacRecorder:
    """Appends 16-bit FLAC frames to `path` and flushes them to disk every `FLUSH_EVERY_S`."""

    def __init__(self, path: Path, sample_rate: int = SAMPLE_RATE):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = sf.SoundFile(
            str(self.path), "w", samplerate=sample_rate, channels=1, format="FLAC", subtype="PCM_16"
        )
        private_file(self.path)
        self._flushed = time.monotonic()
        self.samples = 0

    def write(self, audio: np.ndarray) -> None:
        self._file.write(np.clip(audio, -1.0, 1.0))
        self.samples += audio.size
        if time.monotonic() - self._flushed >= FLUSH_EVERY_S:
            self._file.flush()
            self._flushed = time.monotonic()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def read_unfinished(path: Path, block: int = 4096) -> tuple[np.ndarray, int]:
    """Read a FLAC track that was never closed (the app crashed): every complete block up to the break."""
    parts: list[np.ndarray] = []
    with sf.SoundFile(str(path)) as handle:
        rate = handle.samplerate
        while True:
            try:
                chunk = handle.read(block, dtype="float32")
            except sf.LibsndfileError:
                break
            if not len(chunk):
                break
            parts.append(chunk if chunk.ndim == 1 else chunk[:, 0])
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)), rate
