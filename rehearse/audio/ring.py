"""A ring buffer of the last seconds of 16 kHz audio, addressed by absolute sample index."""

from __future__ import annotations

import numpy as np

from rehearse.constants import SAMPLE_RATE


class RingBuffer:
    """Keeps the newest `seconds` of mono float32 audio; older samples are overwritten."""

    def __init__(self, seconds: float, sample_rate: int = SAMPLE_RATE):
        self.sample_rate = sample_rate
        self._data = np.zeros(int(seconds * sample_rate), dtype=np.float32)
        self.end = 0
        """Absolute index one past the newest sample written."""

    @property
    def start(self) -> int:
        """Absolute index of the oldest sample still held."""
        return max(0, self.end - self._data.size)

    def append(self, audio: np.ndarray) -> None:
        audio = np.asarray(audio, dtype=np.float32)[-self._data.size :]
        size = self._data.size
        first = self.end % size
        head = min(audio.size, size - first)
        self._data[first : first + head] = audio[:head]
        self._data[: audio.size - head] = audio[head:]
        self.end += audio.size

    def slice(self, begin: int, end: int | None = None) -> np.ndarray:
        """A copy of samples [begin, end) by absolute index, clipped to what is still held."""
        end = self.end if end is None else min(end, self.end)
        begin = max(begin, self.start)
        if end <= begin:
            return np.zeros(0, dtype=np.float32)
        size = self._data.size
        idx = np.arange(begin, end) % size
        return self._data[idx]

    def latest(self, count: int) -> np.ndarray:
        """The newest `count` samples (fewer at the start)."""
        return self.slice(self.end - count)
