"""A saved session laid out as one conversation: each voice's clips end to end, in the order they were spoken.

`rehearse replay --export` and the window's replay both use this layout, so what is seen is what is heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rehearse.store import SessionStore

PAUSE_S = 0.5
"""Silence after each clip."""
EXPORT_RATE = 22_050


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    """Seconds from the start of the conversation."""


@dataclass
class Segment:
    """One clip: the customer's line or the learner's reply of a turn."""

    turn: int
    speaker: str
    """"customer" or "learner"."""
    text: str
    start: float
    end: float
    audio: np.ndarray = field(repr=False)
    """The clip at the conversation's rate."""
    words: list[Word] = field(default_factory=list)


@dataclass
class Conversation:
    audio: np.ndarray
    rate: int
    segments: list[Segment]

    @property
    def duration(self) -> float:
        return self.audio.size / self.rate

    def turn_start(self, turn: int) -> float:
        return next((s.start for s in self.segments if s.turn == turn), 0.0)

    def segment_at(self, seconds: float) -> Segment | None:
        return next((s for s in self.segments if s.start <= seconds < s.end), None)

    def word_at(self, seconds: float) -> tuple[Segment, int] | None:
        """The segment and index of the word being spoken at `seconds` (None between words)."""
        segment = self.segment_at(seconds)
        if segment is None:
            return None
        for i, word in enumerate(segment.words):
            if word.start <= seconds < word.end:
                return segment, i
        return None


def _clip(store: SessionStore, turn: dict, track: str, rate: int) -> np.ndarray | None:
    import soxr

    found = store.audio(turn, track)
    if found is None:
        return None
    audio, source_rate = found
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    return soxr.resample(audio, source_rate, rate) if source_rate != rate else audio


def spread_words(text: str, start: float, end: float) -> list[Word]:
    """Word times estimated by spreading the words over [start, end] in proportion to their length
    (the store keeps the transcript, not each word's time)."""
    tokens = re.findall(r"\S+", text or "")
    if not tokens or end <= start:
        return []
    weights = np.array([len(t) + 1 for t in tokens], dtype=float)
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
    return [Word(t, float(a), float(b)) for t, a, b in zip(tokens, edges[:-1], edges[1:], strict=True)]


def build(turns: list[dict], store: SessionStore, rate: int = EXPORT_RATE) -> Conversation:
    """Decode every clip of the turns (the active path, in order), as `store` keeps it, and lay them end to
    end with pauses. A damaged clip raises `StoreError` saying which."""
    pause = np.zeros(int(PAUSE_S * rate), dtype=np.float32)
    pieces: list[np.ndarray] = []
    segments: list[Segment] = []
    at = 0
    for turn in turns:
        for speaker, text in (
            ("customer", turn.get("customer_line") or ""),
            ("learner", turn.get("transcript") or ""),
        ):
            audio = _clip(store, turn, speaker, rate)
            if audio is None:
                continue
            start, end = at / rate, (at + audio.size) / rate
            segments.append(
                Segment(int(turn["index"]), speaker, text, start, end, audio, spread_words(text, start, end))
            )
            pieces += [audio, pause]
            at += audio.size + pause.size
    audio = np.concatenate(pieces).astype(np.float32) if pieces else np.zeros(0, np.float32)
    return Conversation(audio, rate, segments)


def conversation_audio(turns: list[dict], store: SessionStore, rate: int = EXPORT_RATE) -> tuple[np.ndarray, int]:
    """Customer and learner tracks of every turn, in order, as one mono signal."""
    conversation = build(turns, store, rate)
    return conversation.audio, conversation.rate


def write_wav(path: Path, audio: np.ndarray, rate: int) -> None:
    """Write the conversation atomically (an existing file is replaced only by a complete one); raises
    `AudioFileError` saying what went wrong."""
    from rehearse.audio.output import write_audio

    write_audio(path, audio, rate)
