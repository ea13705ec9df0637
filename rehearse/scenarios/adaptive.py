"""Adaptive practice: from a learner's past verdicts, the next scenario and difficulty, aimed at the weakest
dimension."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from statistics import fmean

from rehearse.scenarios.schema import DIMENSIONS, Scenario

RECENT = 5
"""How many of the latest sessions the averages use."""
STEP_UP = 70.0
"""A resolved call with the weakest dimension at least this good moves the learner up a level."""
STEP_DOWN = 45.0
"""A weakest dimension below this (or a hang-up) moves the learner down a level."""
MOOD_PER_LEVEL = 0.08
"""How much angrier the persona starts for each level above the file's difficulty."""


@dataclass(frozen=True)
class PastSession:
    """One finished or stopped session, as the store has it."""

    scenario_id: str
    outcome: str | None
    scores: dict[str, float] = field(default_factory=dict)
    """Mean score (0-100) per dimension over the session's turns; dimensions never measured are absent."""
    difficulty: int | None = None
    """The level it was played at (None for sessions saved before levels were recorded: the file's)."""


@dataclass(frozen=True)
class Recommendation:
    scenario_id: str
    title: str
    difficulty: int
    """The level to play it at (see `with_difficulty`)."""
    dimension: str | None
    """The weakest dimension it aims at; None without history."""
    reason: str

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario_id,
            "title": self.title,
            "difficulty": self.difficulty,
            "dimension": self.dimension,
            "reason": self.reason,
        }


def with_difficulty(scenario: Scenario, level: int) -> Scenario:
    """The scenario played at another level: each level up starts the persona angrier and less patient."""
    level = min(5, max(1, level))
    delta = level - scenario.difficulty
    persona = scenario.persona
    mood = round(min(0.95, max(0.0, persona.mood + MOOD_PER_LEVEL * delta)), 3)
    patience = min(10, max(1, persona.patience - delta))
    return replace(scenario, difficulty=level, persona=replace(persona, mood=mood, patience=patience))


def _averages(history: list[PastSession]) -> dict[str, float]:
    recent = history[-RECENT:]
    out = {}
    for dim in DIMENSIONS:
        values = [s.scores[dim] for s in recent if s.scores.get(dim) is not None]
        if values:
            out[dim] = fmean(values)
    return out


def recommend(scenarios: list[Scenario], history: list[PastSession], audience: str | None = None) -> Recommendation:
    """The next scenario for a learner whose sessions, oldest first, are `history`."""
    by_id = {s.id: s for s in scenarios}
    played = [h for h in history if h.scenario_id in by_id]
    if audience is None:
        audience = by_id[played[-1].scenario_id].audience if played else "service"
    pool = sorted((s for s in scenarios if s.audience == audience), key=lambda s: (s.difficulty, s.id))
    if not pool:
        raise ValueError(f"no valid {audience} scenarios in the library")
    averages = _averages(played)
    if not averages:
        first = pool[0]
        return Recommendation(
            first.id,
            first.title,
            first.difficulty,
            None,
            f"No scored practice yet: start with an easy {audience} call.",
        )
    weakest = min(averages, key=lambda d: (averages[d], DIMENSIONS.index(d)))
    last = played[-1]
    level = last.difficulty or by_id[last.scenario_id].difficulty
    if last.outcome == "hung_up" or averages[weakest] < STEP_DOWN:
        target, why = max(1, level - 1), "step down a level to build it up"
    elif last.outcome == "resolved" and averages[weakest] >= STEP_UP:
        target, why = min(5, level + 1), "step up a level"
    else:
        target, why = level, "stay at this level"
    counts = Counter(h.scenario_id for h in played)
    aimed = [s for s in pool if weakest in s.focus] or pool
    choice = min(aimed, key=lambda s: (abs(s.difficulty - target), counts[s.id], s.id == last.scenario_id, s.id))
    others = ", ".join(f"{d} {averages[d]:.0f}" for d in DIMENSIONS if d in averages and d != weakest)
    reason = (
        f"Your weakest dimension is {weakest} ({averages[weakest]:.0f}/100 over your last "
        f"{min(len(played), RECENT)} session(s){'; ' + others if others else ''}). "
        f"Your last call ({last.scenario_id}, difficulty {level}) ended {last.outcome or 'unfinished'}, "
        f"so {why}. '{choice.title}' trains {', '.join(choice.focus)}."
    )
    if choice.difficulty != target:
        reason += f" Play it at difficulty {target} (the file's level is {choice.difficulty})."
    return Recommendation(choice.id, choice.title, target, weakest, reason)
