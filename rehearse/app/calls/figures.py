"""Call-level figures from who spoke when: talk ratio, overtalk, long silences. Pure functions over segments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_OVERTALK_S = 0.3
"""Overlaps shorter than this are the ordinary hand-over of a conversation, not talking over someone."""
LONG_SILENCE_S = 3.0
"""Nobody speaking for longer than this is dead air."""


@dataclass(frozen=True)
class Segment:
    """One stretch of one speaker's speech in the call, with the words recognised in it."""

    speaker: str
    role: str
    """"agent" or "customer"."""
    start: float
    end: float
    text: str = ""

    def to_dict(self) -> dict:
        return {
            "speaker": self.speaker,
            "role": self.role,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
        }


@dataclass(frozen=True)
class Overtalk:
    """Both parties speaking at once: `who` started while the other was speaking."""

    who: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def talk_seconds(segments: Sequence[Segment], role: str) -> float:
    """Seconds `role` spoke (their own overlapping segments counted once)."""
    spans = sorted((s.start, s.end) for s in segments if s.role == role)
    total, reach = 0.0, float("-inf")
    for start, end in spans:
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def overtalk(segments: Sequence[Segment]) -> list[Overtalk]:
    """Every overlap of an agent and a customer segment of at least `MIN_OVERTALK_S`, with who cut in."""
    agent = [s for s in segments if s.role == "agent"]
    customer = [s for s in segments if s.role == "customer"]
    events = []
    for a in agent:
        for c in customer:
            start, end = max(a.start, c.start), min(a.end, c.end)
            if end - start >= MIN_OVERTALK_S:
                who = "agent" if a.start > c.start else "customer"
                events.append(Overtalk(who, start, end))
    return sorted(events, key=lambda e: e.start)


def silences(segments: Sequence[Segment], min_s: float = LONG_SILENCE_S) -> list[tuple[float, float]]:
    """Stretches between the first and the last speech where nobody spoke for more than `min_s`."""
    out, reach = [], None
    for s in sorted(segments, key=lambda s: s.start):
        if reach is not None and s.start - reach > min_s:
            out.append((reach, s.start))
        reach = s.end if reach is None else max(reach, s.end)
    return out


def call_figures(segments: Sequence[Segment]) -> dict:
    """The call-level figures as `rehearse import --json` prints them."""
    agent_s, customer_s = talk_seconds(segments, "agent"), talk_seconds(segments, "customer")
    events = overtalk(segments)
    by = {
        who: {
            "count": sum(1 for e in events if e.who == who),
            "seconds": round(sum(e.seconds for e in events if e.who == who), 2),
        }
        for who in ("agent", "customer")
    }
    quiet = silences(segments)
    return {
        "talk_ratio": round(agent_s / (agent_s + customer_s), 3) if agent_s + customer_s else None,
        "agent_talk_s": round(agent_s, 2),
        "customer_talk_s": round(customer_s, 2),
        "overtalk": {
            "agent_interrupted": by["agent"],
            "customer_interrupted": by["customer"],
            "events": [{"who": e.who, "start": round(e.start, 2), "end": round(e.end, 2)} for e in events],
        },
        "silences": {
            "longer_than_s": LONG_SILENCE_S,
            "count": len(quiet),
            "seconds": round(sum(b - a for a, b in quiet), 2),
            "spans": [[round(a, 2), round(b, 2)] for a, b in quiet],
        },
    }
