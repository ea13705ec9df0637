"""Speaking pace and fillers from word timestamps (or from plain text, where only fillers count)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from rehearse.models.stt import Word

PAUSE_S = 0.25
"""A gap between words at least this long is a pause, not articulation."""
LONG_PAUSE_S = 1.0
"""A pause at least this long is heard as hesitation."""
COMFORTABLE_WPM = (120.0, 160.0)
"""Reference band for phone calls: comfortable pace."""
RUSHED_WPM = 170.0
"""Above this is rushed (the band widens towards a naturally fast learner's baseline)."""
FILLER_SOUNDS = {
    "um": "um",
    "umm": "um",
    "uhm": "um",
    "erm": "um",
    "uh": "uh",
    "er": "uh",
    "ah": "uh",
    "hmm": "hmm",
    "mm": "hmm",
    "mhm": "hmm",
}
"""Filled pauses and the kind each counts as."""
_NOT_FILLER_LIKE = re.compile(
    r"^(?:would|i'?d|you'?d|we'?d|feel|feels|felt|look|looks|looked|sound|sounds|seem|seems|"
    r"just|"
    r"things|something|anything|nothing|more|much|exactly|not|don'?t|didn'?t|really|also|"
    r"i|you|we|they|to|what)$"
)


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
    fillers: dict[str, int] = field(default_factory=dict)
    """Count per kind: um, uh, hmm, like, you know."""
    filler_times: tuple[tuple[str, float, float], ...] = ()
    """(kind, start, end) of each filler with timestamps."""
    long_pauses: tuple[tuple[float, float], ...] = ()
    """(start, end) of pauses of `LONG_PAUSE_S` or more."""
    first_word_s: float | None = None
    """When the first word starts, from the start of the audio."""
    span: tuple[float, float] | None = None
    """(start of first word, end of last word)."""


def _token(text: str) -> str:
    return re.sub(r"[^a-z0-9']", "", text.lower())


def find_fillers(tokens: Sequence[str]) -> list[tuple[str, int, int]]:
    """Fillers in raw tokens (punctuation kept) as (kind, first index, last index).

    "like" counts when set off by a comma or after "was/is" as a quote ("it was like, ..."), and
    "you know" when it stands alone (set off by commas or at the end), not in "you know what I mean".
    """
    found: list[tuple[str, int, int]] = []
    clean = [_token(t) for t in tokens]
    for i, word in enumerate(clean):
        raw = tokens[i]
        prev_raw = tokens[i - 1] if i else ""
        if word in FILLER_SOUNDS:
            found.append((FILLER_SOUNDS[word], i, i))
        elif word == "like":
            set_off = raw.endswith(",") or prev_raw.endswith(",") or (i and clean[i - 1] in FILLER_SOUNDS)
            if set_off and not (i and _NOT_FILLER_LIKE.match(clean[i - 1]) and not prev_raw.endswith(",")):
                found.append(("like", i, i))
        elif word == "know" and i and clean[i - 1] == "you":
            alone = raw.endswith((",", ".", "?", "!")) or i == len(clean) - 1
            if alone and (
                i < 2
                or tokens[i - 2].endswith(",")
                or clean[i - 2] in ("and", "but", "so", "like")
                or i == 1
                or tokens[i - 2].endswith((".", "?", "!"))
            ):
                found.append(("you know", i - 1, i))
    return found


def count_fillers(text: str) -> dict[str, int]:
    """Fillers in plain text, by kind."""
    return dict(Counter(kind for kind, _, _ in find_fillers(text.split())))


EDGE_SLACK_S = 0.1


def trim_to_voice(words: Sequence[Word], voiced: tuple[float, float] | None) -> list[Word]:
    """Pull the first word's start and the last word's end inside the voiced span (plus `EDGE_SLACK_S`).

    Whisper's timestamps at the edges of an utterance often stretch into the silence around it,
    which would make the pace look slower than it was.
    """
    words = list(words)
    if not words or voiced is None:
        return words
    first = words[0]
    start = max(first.start, voiced[0] - EDGE_SLACK_S)
    words[0] = Word(first.text, start, max(first.end, start), first.probability)
    last = words[-1]
    end = max(min(last.end, voiced[1] + EDGE_SLACK_S), words[0].start)
    words[-1] = Word(last.text, min(last.start, end), end, last.probability)
    return words


def measure(words: Sequence[Word], voiced: tuple[float, float] | None = None) -> Pace:
    """Pace measures; rates are None with fewer than two words (nothing to time).

    `voiced` is the span from the first to the last voiced frame, used to trim the word edges.
    """
    tokens = trim_to_voice([w for w in words if _token(w.text)], voiced)
    fillers = find_fillers([w.text for w in tokens])
    kinds = dict(Counter(kind for kind, _, _ in fillers))
    times = tuple((kind, tokens[a].start, tokens[b].end) for kind, a, b in fillers)
    first = tokens[0].start if tokens else None
    if len(tokens) < 2:
        return Pace(
            len(tokens),
            None,
            None,
            (),
            len(fillers),
            kinds,
            times,
            (),
            first,
            (tokens[0].start, tokens[0].end) if tokens else None,
        )
    span = tokens[-1].end - tokens[0].start
    gaps = [(a.end, b.start) for a, b in itertools.pairwise(tokens)]
    pauses = tuple(round(e - s, 3) for s, e in gaps if e - s >= PAUSE_S)
    long_pauses = tuple((round(s, 2), round(e, 2)) for s, e in gaps if e - s >= LONG_PAUSE_S)
    speaking = span - sum(pauses)
    wpm = 60.0 * len(tokens) / span if span > 0 else None
    articulation = 60.0 * len(tokens) / speaking if speaking > 0 else None
    return Pace(
        len(tokens),
        wpm,
        articulation,
        pauses,
        len(fillers),
        kinds,
        times,
        long_pauses,
        first,
        (tokens[0].start, tokens[-1].end),
    )
