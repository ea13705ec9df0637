"""Incremental transcription on its own thread: partials about every second, a fast final.

Each partial transcribes only the audio after the words already committed: words that end at least
`COMMIT_MARGIN_S` before the newest audio and are followed by a pause of `COMMIT_GAP_S` or more, so
the next stretch starts in silence, never inside a word.
The final therefore processes only the tail. A final is requested speculatively when a pause begins,
so it is usually ready by the time the trailing silence confirms the end of the turn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rehearse.constants import SAMPLE_RATE
from rehearse.models.stt import SpeechToText, Transcript, Word

_LOGGER = logging.getLogger(__name__)

COMMIT_MARGIN_S = 1.0
COMMIT_GAP_S = 0.2
PROMPT_WORDS = 40


@dataclass(frozen=True)
class Result:
    """A transcript of the turn's audio from its origin up to sample `end`."""

    transcript: Transcript | None
    """None when transcription failed (the caller transcribes the turn again, or gives up)."""
    end: int
    final: bool
    ready_at: float
    """When it was ready (monotonic seconds)."""


class IncrementalTranscriber:
    """Transcribes one turn at a time; `audio(begin, end)` returns 16 kHz samples by absolute index."""

    def __init__(self, stt: SpeechToText, audio: Callable[[int, int], np.ndarray],
                 on_result: Callable[[Result], None]):
        self._stt, self._audio, self._on_result = stt, audio, on_result
        self._lock = threading.Condition()
        self._partial: int | None = None
        self._final: int | None = None
        self._closed = False
        self._turn = 0
        self._origin = 0
        self._committed: list[Word] = []
        self._committed_until = 0
        self._thread = threading.Thread(target=self._run, name="rehearse-asr", daemon=True)
        self._thread.start()

    def begin(self, origin: int) -> None:
        """Start a new turn whose audio begins at absolute sample `origin`."""
        with self._lock:
            self._turn += 1
            self._origin = self._committed_until = origin
            self._committed = []
            self._partial = self._final = None

    def partial(self, end: int) -> None:
        """Ask for the words up to `end` (a newer request replaces one not yet started)."""
        with self._lock:
            self._partial = end
            self._lock.notify()

    def final(self, end: int) -> None:
        """Ask for the whole turn's transcript up to `end` (the end of speech, or where a pause began)."""
        with self._lock:
            self._final = end
            self._lock.notify()

    def cancel_final(self) -> None:
        """Drop a final request not yet started (the learner went on after a pause)."""
        with self._lock:
            self._final = None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._closed and self._partial is None and self._final is None:
                    self._lock.wait()
                if self._closed:
                    return
                turn = self._turn
                final, end = (True, self._final) if self._final is not None else (False, self._partial)
                if final:
                    self._final = None
                    if self._partial is not None and self._partial <= end:  # the final covers it
                        self._partial = None
                else:
                    self._partial = None
            try:
                result = self._transcribe(turn, end, final)
            except Exception:  # a failed partial must not end the session; a failed final is reported
                _LOGGER.exception("transcription failed")
                result = Result(None, end, final, time.monotonic()) if final else None
            if result is not None:
                self._on_result(result)

    def _transcribe(self, turn: int, end: int, final: bool) -> Result | None:
        begin = self._committed_until
        tail = self._audio(begin, end)
        committed = list(self._committed)
        prompt = " ".join(w.text for w in committed[-PROMPT_WORDS:]) or None
        offset = (begin - self._origin) / SAMPLE_RATE
        heard = self._stt.transcribe(tail, prompt=prompt, offset=offset) if tail.size >= SAMPLE_RATE // 10 else None
        new_words = list(heard.words) if heard else []
        with self._lock:
            if turn != self._turn:
                return None
            if not final:
                self._commit(new_words, end)
        words = committed + new_words
        text = " ".join(w.text for w in words).strip()
        duration = (end - self._origin) / SAMPLE_RATE
        transcript = Transcript(text, tuple(words), heard.language if heard else "en", duration)
        return Result(transcript, end, final, time.monotonic())

    def _commit(self, words: list[Word], end: int) -> None:
        """Keep the words that are safely finished; later audio starts between the last kept word and the next."""
        horizon = (end - self._origin) / SAMPLE_RATE - COMMIT_MARGIN_S
        keep = 0
        for i in range(len(words) - 1):
            if words[i].end <= horizon and words[i + 1].start - words[i].end >= COMMIT_GAP_S:
                keep = i + 1
        if keep:
            cut = (words[keep - 1].end + words[keep].start) / 2.0
            self._committed.extend(words[:keep])
            self._committed_until = self._origin + int(cut * SAMPLE_RATE)
