"""Incremental transcription on its own thread: partials about every second, a fast final.

A turn up to 4 s of speech is decoded whole every time; the first decode past that commits the words it heard
up to 1 s before the newest audio. After that, each partial transcribes only the audio after the words already
committed. A word is committed when
it is stable: two successive partial decodes agree on it (the same words from the committed point on,
ending at least `AGREE_MARGIN_S` before the newest audio), or it ends at least `COMMIT_MARGIN_S` before
the newest audio and a pause of `COMMIT_GAP_S` or more follows it. The next stretch starts at the
quietest 10 ms between the last committed word and the next one, never inside a word.
The final therefore processes only the uncommitted tail, on long replies too. A final is requested
speculatively when a pause begins, so it is usually ready by the time the end of the turn is decided.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rehearse.audio.worker import NewestRequestWorker
from rehearse.constants import SAMPLE_RATE
from rehearse.models.stt import SHORT_SPEECH_FRAMES, SpeechToText, Transcript, Word

_LOGGER = logging.getLogger(__name__)

COMMIT_MARGIN_S = 1.0
COMMIT_GAP_S = 0.2
AGREE_MARGIN_S = 0.5
"""Agreed words this close to the newest audio are not committed yet (the next word may still merge)."""
CUT_SEARCH_S = 0.06
"""How far outside the gap between two words the quietest cut point is looked for (Whisper's word
times are ~50 ms off)."""
PROMPT_WORDS = 40
WHOLE_TURN_S = SHORT_SPEECH_FRAMES / 100 - 2.0
"""A turn whose speech began at most this long ago is decoded whole, from its origin (nothing is committed): the
fitted window encodes it at the cost of any shorter tail, and a tail decoded after a prompt hears less ("I'm sorry
they didn't fix it" came back as "I'm already didn't fix it"). The first decode past it commits its words (see
`_commit`); 2 s below the fitted window's 6 s of speech leave room for VAD's padding and that decode coming a
partial later, so no decode from the origin falls back to the whole 30 s window (~1 s here)."""
COMMIT_MODES = ("agree", "gap", "none")


@dataclass(frozen=True)
class Result:
    """A transcript of the turn's audio from its origin up to sample `end`."""

    transcript: Transcript | None
    """None when transcription failed (the caller transcribes the turn again, or gives up)."""
    end: int
    final: bool
    ready_at: float
    """When it was ready (monotonic seconds)."""


class IncrementalTranscriber(NewestRequestWorker):
    """Transcribes one turn at a time; `audio(begin, end)` returns 16 kHz samples by absolute index."""

    def __init__(
        self,
        stt: SpeechToText,
        audio: Callable[[int, int], np.ndarray],
        on_result: Callable[[Result], None],
        commit: str = "agree",
        whole_turn_s: float = WHOLE_TURN_S,
    ):
        """`commit`: "agree" (two successive partials agree, or a pause follows), "gap" (a pause follows:
        the rule before issue 11) or "none" (every decode starts at the turn's origin), for the bench; either
        rule commits only once the turn's speech began more than `whole_turn_s` ago."""
        if commit not in COMMIT_MODES:
            raise ValueError(f"commit must be one of {COMMIT_MODES}")
        super().__init__("rehearse-asr")
        self._stt, self._audio, self._on_result, self.commit = stt, audio, on_result, commit
        self._whole_turn = int(whole_turn_s * SAMPLE_RATE)
        self._previous: list[Word] = []
        """The uncommitted words of the last partial (compared with the next one)."""
        self._partial: int | None = None
        self._final: int | None = None
        self._turn = 0
        self._origin = self._speech_from = 0
        self._committed: list[Word] = []
        self._committed_until = 0
        self._start()

    def begin(self, origin: int, speech_from: int | None = None) -> None:
        """Start a new turn whose audio begins at absolute sample `origin` and its speech at `speech_from`
        (default: the origin)."""
        with self._lock:
            self._turn += 1
            self._origin = self._committed_until = origin
            self._speech_from = origin if speech_from is None else speech_from
            self._committed = []
            self._previous = []
            self._partial = self._final = None

    def partial(self, end: int) -> None:
        """Ask for the words up to `end` (a newer request replaces one not yet started)."""
        with self._lock:
            self._partial = end
        self._wake()

    def final(self, end: int) -> None:
        """Ask for the whole turn's transcript up to `end` (the end of speech, or where a pause began)."""
        with self._lock:
            self._final = end
        self._wake()

    def cancel_final(self) -> None:
        """Drop a final request not yet started (the learner went on after a pause)."""
        with self._lock:
            self._final = None

    def _take(self) -> tuple[int, int, bool] | None:
        """A final first (with a partial it covers dropped), else the newest partial: (turn, end, final)."""
        if self._final is not None:
            end, self._final = self._final, None
            if self._partial is not None and self._partial <= end:
                self._partial = None
            return self._turn, end, True
        if self._partial is not None:
            end, self._partial = self._partial, None
            return self._turn, end, False
        return None

    def _handle(self, request: tuple[int, int, bool]) -> None:
        turn, end, final = request
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
        enough = tail.size >= SAMPLE_RATE // 10
        heard = self._stt.transcribe(tail, prompt=prompt, offset=offset, fitted=True) if enough else None
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
        """Keep the words that are stable; later audio starts between the last kept word and the next."""
        previous, self._previous = self._previous, words
        if self.commit == "none" or end - self._speech_from <= self._whole_turn:
            return
        now = (end - self._origin) / SAMPLE_RATE
        keep = 0
        for i in range(len(words) - 1):
            if words[i].end <= now - COMMIT_MARGIN_S and words[i + 1].start - words[i].end >= COMMIT_GAP_S:
                keep = i + 1
        if self.commit == "agree":
            agreed = 0
            while (
                agreed < min(len(words) - 1, len(previous))
                and _norm(words[agreed].text) == _norm(previous[agreed].text)
                and words[agreed].end <= now - AGREE_MARGIN_S
            ):
                agreed += 1
            keep = max(keep, agreed)
            if not self._committed and previous:
                # the first decode past `whole_turn_s` heard the whole turn in context, as the one before it did: its
                # words are kept as they are (two whole decodes often differ in their first word, "And Mr. John" /
                # "Mr. John", so none would agree)
                keep = max(keep, sum(w.end <= now - COMMIT_MARGIN_S for w in words[:-1]))
        if keep:
            cut = self._cut(words[keep - 1], words[keep])
            self._committed.extend(words[:keep])
            self._committed_until = self._origin + int(cut * SAMPLE_RATE)
            self._previous = words[keep:]

    def _cut(self, before: Word, after: Word) -> float:
        """The quietest 10 ms near the gap between two words (ties: nearest the gap's middle), in turn seconds."""
        middle = (before.end + after.start) / 2.0
        lo, hi = min(before.end, middle) - CUT_SEARCH_S, max(after.start, middle) + CUT_SEARCH_S
        lo = max(lo, before.start + 0.5 * (before.end - before.start))
        hi = min(hi, after.start + 0.5 * (after.end - after.start))
        hop = SAMPLE_RATE // 100
        begin = self._origin + int(lo * SAMPLE_RATE)
        audio = self._audio(begin, self._origin + int(hi * SAMPLE_RATE))
        if audio.size < 2 * hop:
            return middle
        frames = audio[: audio.size // hop * hop].reshape(-1, hop)
        energy = np.mean(frames.astype(np.float64) ** 2, axis=1)
        centres = lo + (np.arange(energy.size) + 0.5) * hop / SAMPLE_RATE
        quiet = np.flatnonzero(energy <= energy.min() * 2.0 + 1e-10)
        return float(centres[quiet[np.argmin(np.abs(centres[quiet] - middle))]])


def _norm(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum() or c == "'")
