"""The branching engine: current node, the customer's mood, and why each branch was taken.

Pure and deterministic for a given seed: it sees only the reply's `Signals`, never audio or models.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Mapping

from rehearse.scenarios import conditions
from rehearse.scenarios.schema import MOOD_BANDS, Node, Scenario

NO_ANSWER_LINE = "Hello? Are you still there?"


@dataclass(frozen=True)
class Signals:
    """What the engine needs to know about a reply."""

    moves: frozenset[str] = frozenset()
    numbers: Mapping[str, float | None] = field(default_factory=dict)
    """Scores and metrics by name: empathy, wpm, ..."""
    interrupted: bool = False
    no_answer: bool = False

    def flags(self) -> set[str]:
        out = set(self.moves)
        if self.interrupted:
            out.add("interrupted")
        if self.no_answer:
            out.add("no_answer")
        return out


@dataclass(frozen=True)
class CustomerLine:
    """What the customer says now."""

    node_id: str
    text: str
    mood: float
    band: str
    outcome: str | None
    """Set when this line ends the conversation."""


@dataclass(frozen=True)
class Step:
    """One decision, kept in the trace so replay can show why the talk went where it went."""

    turn: int
    node_id: str
    branch_index: int
    condition: str
    """The branch's condition, or "otherwise", or why the engine overrode the branches."""
    goto: str
    mood_before: float
    mood_after: float


def band(mood: float) -> str:
    """Mood band for line variants: calm below 0.35, furious from 0.7."""
    return MOOD_BANDS[0] if mood < 0.35 else MOOD_BANDS[1] if mood < 0.7 else MOOD_BANDS[2]


class Conversation:
    """A scenario in progress."""

    def __init__(self, scenario: Scenario, seed: int = 0):
        self.scenario = scenario
        self.node_id = scenario.start
        self.mood = scenario.persona.mood
        self.turn = 0
        self.trace: list[Step] = []
        self._rng = random.Random(seed)
        self._line = self._choose_line()

    @property
    def node(self) -> Node:
        return self.scenario.nodes[self.node_id]

    @property
    def finished(self) -> bool:
        return self.node.is_ending

    @property
    def outcome(self) -> str | None:
        return self.node.outcome

    def line(self) -> CustomerLine:
        """The customer's current line (the same until `respond` is called)."""
        return self._line

    def _choose_line(self) -> CustomerLine:
        mood_band = band(self.mood)
        text = self._rng.choice(self.node.say[mood_band])
        return CustomerLine(self.node_id, text, self.mood, mood_band, self.node.outcome)

    def respond(self, signals: Signals) -> Step:
        """Take the first branch whose condition holds, move the mood, and choose the next line."""
        if self.finished:
            raise RuntimeError("the conversation has ended")
        self.turn += 1
        flags, numbers = signals.flags(), dict(signals.numbers)
        numbers.update(mood=self.mood, turn=self.turn)
        before = self.mood
        index, branch = next(
            (i, b) for i, b in enumerate(self.node.branches)
            if b.condition is None or conditions.evaluate(b.condition, flags, numbers)
        )
        self.mood = round(min(1.0, max(0.0, self.mood + branch.mood)), 3)
        goto, why = branch.goto, branch.when or "otherwise"
        if self.turn >= self.scenario.max_turns and not self.scenario.nodes[goto].is_ending:
            goto, why = self._cap_ending(), f"turn limit {self.scenario.max_turns} reached"
        step = Step(self.turn, self.node_id, index, why, goto, before, self.mood)
        self.trace.append(step)
        self.node_id = goto
        self._line = self._choose_line()
        return step

    def _cap_ending(self) -> str:
        endings = [n for n in self.scenario.nodes.values() if n.is_ending]
        preferred = "resolved" if self.mood < 0.35 else "escalated"
        return next((n.id for n in endings if n.outcome == preferred), endings[0].id)
