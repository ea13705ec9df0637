"""Speaking pace from word timestamps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rehearse.models.stt import Word

PAUSE_S = 0.25
"""A gap between words at least this long is a pause, not articulation."""
FILLERS = ("um", "uh", "erm", "er", "uhm", "hmm", "mm")


@dataclass(frozen=True)
class Pace:
    """Pace of one reply."""

    word_count: int
    wpm: float | None
    """Words per minute over the span from the first word's start to the last word's end."""
    articulation_wpm: float | None
    """Words per minute over speaking time only (pauses of `PAUSE_S` or more removed)."""
    word_pauses_s: tuple[float, ...]
    """Gaps between words of `PAUSE_S` or more."""
    filler_count: int


def _token(text: str) -> str:
    return re.sub(r"[^a-z']", "", text.lower())


def measure(words: Sequence[Word]) -> Pace:
    """Pace measures; rates are None with fewer than two words (nothing to time)."""
    tokens = [w for w in words if _token(w.text)]
    fillers = sum(1 for w in tokens if _token(w.text) in FILLERS)
    if len(tokens) < 2:
        return Pace(len(tokens), None, None, (), fillers)
    span = tokens[-1].end - tokens[0].start
    gaps = [b.start - a.end for a, b in zip(tokens, tokens[1:])]
    pauses = tuple(round(g, 3) for g in gaps if g >= PAUSE_S)
    speaking = span - sum(pauses)
    wpm = 60.0 * len(tokens) / span if span > 0 else None
    articulation = 60.0 * len(tokens) / speaking if speaking > 0 else None
    return Pace(len(tokens), wpm, articulation, pauses, fillers)
