"""One reply judged: wording, pace and prosody, and the scores they give.

JSON schema of `Feedback.to_dict()` (documented in the README, stable for trainers' tools):
transcript, duration_s, metrics{...}, moves[...], evidence{move: words}, scores{empathy},
not_judged[...] (what could not be judged and why).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from rehearse.audio import prosody
from rehearse.coach import wording
from rehearse.coach.pace import Pace, measure
from rehearse.models.stt import Transcript, Word

EMPATHY_BASE = 30.0


@dataclass(frozen=True)
class Metrics:
    """How the reply was said (None where it could not be measured)."""

    wpm: float | None = None
    articulation_wpm: float | None = None
    word_count: int = 0
    pause_count: int = 0
    longest_pause_s: float | None = None
    filler_count: int = 0
    speaking_s: float | None = None
    pitch_median_hz: float | None = None
    pitch_range_st: float | None = None
    loudness_db: float | None = None
    loudness_range_db: float | None = None
    clipped_fraction: float | None = None


@dataclass(frozen=True)
class Feedback:
    """The verdict on one reply."""

    transcript: str
    duration_s: float | None
    metrics: Metrics
    moves: tuple[str, ...]
    evidence: dict[str, str]
    scores: dict[str, float | None]
    not_judged: tuple[str, ...] = field(default=())

    def has(self, move: str) -> bool:
        return move in self.moves

    def to_dict(self) -> dict:
        return {
            "transcript": self.transcript,
            "duration_s": _round(self.duration_s),
            "metrics": {k: _round(v) for k, v in asdict(self.metrics).items()},
            "moves": list(self.moves),
            "evidence": dict(self.evidence),
            "scores": {k: _round(v) for k, v in self.scores.items()},
            "not_judged": list(self.not_judged),
        }


def _round(value):
    return round(float(value), 3) if isinstance(value, (float, np.floating)) else value


def empathy_score(moves: tuple[str, ...]) -> float:
    """0-100 from the moves present, weighted as in `data/moves.yaml`."""
    rules = wording.load_rules()
    total = EMPATHY_BASE + sum(rules[m].weight for m in moves if m in rules)
    return float(min(100.0, max(0.0, total)))


def judge_text(text: str) -> Feedback:
    """Judge the words alone (no audio): moves and empathy."""
    return _judge(text, words=(), audio=None)


def judge(transcript: Transcript, audio: np.ndarray) -> Feedback:
    """Judge a spoken reply: its transcript with word timestamps and its 16 kHz audio."""
    return _judge(transcript.text, transcript.words, audio)


def _judge(text: str, words: tuple[Word, ...], audio: np.ndarray | None) -> Feedback:
    not_judged: list[str] = []
    hits = wording.detect(text) if text.strip() else ()
    moves = tuple(h.move for h in hits)
    if not text.strip():
        not_judged.append("no words were recognised, so wording and empathy were not judged")
        empathy = None
    else:
        empathy = empathy_score(moves)
    pace: Pace = measure(words)
    metrics = Metrics(word_count=pace.word_count if words else len(text.split()), filler_count=pace.filler_count)
    duration = None
    if audio is not None:
        duration = audio.size / prosody.SAMPLE_RATE
        summary = prosody.summarize(audio)
        metrics = Metrics(
            wpm=pace.wpm,
            articulation_wpm=pace.articulation_wpm,
            word_count=pace.word_count,
            pause_count=len(pace.word_pauses_s),
            longest_pause_s=max(pace.word_pauses_s, default=None),
            filler_count=pace.filler_count,
            speaking_s=summary.speaking_s,
            pitch_median_hz=summary.pitch_median_hz,
            pitch_range_st=summary.pitch_range_st,
            loudness_db=summary.loudness_db,
            loudness_range_db=summary.loudness_range_db,
            clipped_fraction=summary.clipped_fraction,
        )
        if pace.wpm is None:
            not_judged.append("fewer than two words, so pace was not measured")
        if summary.pitch_median_hz is None:
            not_judged.append("too little voiced speech to measure pitch")
        if summary.loudness_db is None:
            not_judged.append("no voice activity, so loudness was not measured")
    return Feedback(
        transcript=text.strip(),
        duration_s=duration,
        metrics=metrics,
        moves=moves,
        evidence={h.move: h.evidence for h in hits},
        scores={"empathy": empathy},
        not_judged=tuple(not_judged),
    )
