"""The branching engine: current node, the customer's mood, and why each branch was taken.

Pure and deterministic for a given seed: it sees only the reply's `Signals`, never audio or models.

Beyond the file's branches, the engine applies the persona's rules:
- silence (`no_answer`) at a node with no `no_answer` branch: the customer asks if you are there,
  grows more upset and waits at the same node;
- an interruption at a node with no `interrupted` branch: the mood rises and the next line starts
  with a retort ("Let me finish");
- patience: after `persona.patience` poor replies in a row (silence, a poor move, or none of the
  expected moves) the customer hangs up;
- the turn cap: at `max_turns` the call ends (resolved when calm, else escalated).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from rehearse.constants import ANTI_MOVES
from rehearse.scenarios import conditions
from rehearse.scenarios.schema import MOOD_BANDS, Node, Scenario

SILENCE_MOOD = 0.1
"""Mood rise when the learner says nothing and the node has no `no_answer` branch."""
INTERRUPT_MOOD = 0.1
"""Mood rise when the learner cuts in and the node has no `interrupted` branch."""
GOOD_ENOUGH_EMPATHY = 60.0
"""A reply the coach scores this empathetic is never poor, whatever moves it used."""


@dataclass(frozen=True)
class Signals:
    """What the engine needs to know about a reply."""

    moves: frozenset[str] = frozenset()
    numbers: Mapping[str, float | None] = field(default_factory=dict)
    """Scores and metrics by name: empathy, clarity, pace, calm, wpm, ..."""
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
    """Index of the branch taken in the node's list; -1 when the engine stayed (silence)."""
    condition: str
    """Why: the branch's condition, "otherwise", or the rule that overrode the branches."""
    goto: str
    mood_before: float
    mood_after: float
    facts: str = ""
    """The values the decision read, e.g. "acknowledge=yes, blame=no, empathy=70"."""
    poor_streak: int = 0
    """Poor replies in a row after this one (the persona hangs up at its patience)."""

    def to_dict(self) -> dict:
        """Every field, plus `why` (the one-line explanation), for storing with the turn."""
        return {**asdict(self), "why": self.explain()}

    def explain(self) -> str:
        facts = f" [{self.facts}]" if self.facts else ""
        return (
            f"turn {self.turn}: {self.node_id} -> {self.goto} because {self.condition}{facts}; "
            f"mood {self.mood_before:.2f} -> {self.mood_after:.2f}"
        )


def band(mood: float) -> str:
    """Mood band for line variants: calm below 0.35, furious from 0.7."""
    return MOOD_BANDS[0] if mood < 0.35 else MOOD_BANDS[1] if mood < 0.7 else MOOD_BANDS[2]


def is_poor(signals: Signals, node: Node) -> bool:
    """Silence, a poor move (blame, policy, dismiss, jargon, interrupt), or none of the moves the node
    expects in a reply that is not empathetic enough."""
    if signals.no_answer or signals.moves.intersection(ANTI_MOVES):
        return True
    empathy = signals.numbers.get("empathy")
    if empathy is not None and empathy >= GOOD_ENOUGH_EMPATHY:
        return False
    return bool(node.expect) and not signals.moves & set(node.expect)


def _facts(node: conditions.Node | None, flags: set[str], numbers: Mapping[str, float | None]) -> str:
    if node is None:
        return ""
    parts = []
    for name in sorted(conditions.names(node)):
        if name in numbers:
            value = numbers[name]
            parts.append(f"{name}={'unmeasured' if value is None else f'{float(value):g}'}")
        else:
            parts.append(f"{name}={'yes' if name in flags else 'no'}")
    return ", ".join(parts)


class Conversation:
    """A scenario in progress."""

    def __init__(self, scenario: Scenario, seed: int = 0):
        self.scenario = scenario
        self.node_id = scenario.start
        self.mood = scenario.persona.mood
        self.turn = 0
        self.poor_streak = 0
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

    def _pick(self, lines: dict[str, tuple[str, ...]]) -> str:
        return self._rng.choice(lines[band(self.mood)])

    def _choose_line(self, prefix: str = "", text: str | None = None) -> CustomerLine:
        text = self._pick(self.node.say) if text is None else text
        text = f"{prefix} {text}" if prefix else text
        return CustomerLine(self.node_id, text, self.mood, band(self.mood), self.node.outcome)

    def _move_mood(self, change: float) -> None:
        self.mood = round(min(1.0, max(0.0, self.mood + change)), 3)

    def respond(self, signals: Signals) -> Step:
        """Take the first branch whose condition holds (or apply a persona rule), move the mood, choose the line."""
        if self.finished:
            raise RuntimeError("the conversation has ended")
        self.turn += 1
        node, before = self.node, self.mood
        flags, numbers = signals.flags(), dict(signals.numbers)
        numbers.update(mood=self.mood, turn=self.turn)
        self.poor_streak = self.poor_streak + 1 if is_poor(signals, node) else 0
        prefix, line_text = "", None
        if signals.no_answer and not node.handles("no_answer"):
            index, goto, why, facts = -1, node.id, "no answer: they ask if you are there and wait at the same point", ""
            self._move_mood(SILENCE_MOOD)
            line_text = self._pick(self.scenario.prompts["no_answer"])
        else:
            index, branch = next(
                (i, b)
                for i, b in enumerate(node.branches)
                if b.condition is None or conditions.evaluate(b.condition, flags, numbers)
            )
            goto, why = branch.goto, branch.when or "otherwise"
            facts = _facts(branch.condition, flags, numbers)
            self._move_mood(branch.mood)
            if signals.interrupted and not node.handles("interrupted"):
                self._move_mood(INTERRUPT_MOOD)
                why += f"; interrupted (mood +{INTERRUPT_MOOD:g})"
                prefix = self._pick(self.scenario.prompts["interrupted"])
        patience = self.scenario.persona.patience
        if self.poor_streak >= patience and not self.scenario.nodes[goto].is_ending:
            goto = self._ending("hung_up", "escalated")
            why = f"patience ran out: {self.poor_streak} poor replies in a row (patience {patience})"
            prefix = line_text = None
        elif self.turn >= self.scenario.max_turns and not self.scenario.nodes[goto].is_ending:
            goto = self._ending("resolved" if self.mood < 0.35 else "escalated", "hung_up")
            why = f"turn limit {self.scenario.max_turns} reached"
            prefix = line_text = None
        step = Step(self.turn, node.id, index, why, goto, before, self.mood, facts, self.poor_streak)
        self.trace.append(step)
        self.node_id = goto
        self._line = self._choose_line(prefix or "", line_text)
        return step

    def snapshot(self) -> Conversation:
        """The conversation as it stands (for `restore`, when the learner retakes a turn)."""
        saved = copy.copy(self)
        saved.trace = list(self.trace)
        saved._rng = random.Random()
        saved._rng.setstate(self._rng.getstate())
        return saved

    def restore(self, saved: Conversation) -> None:
        """Go back to a `snapshot`: node, mood, turn count, patience, trace, line and the line chooser's state."""
        self.node_id, self.mood, self.turn, self.poor_streak = saved.node_id, saved.mood, saved.turn, saved.poor_streak
        self.trace = list(saved.trace)
        self._rng.setstate(saved._rng.getstate())
        self._line = saved._line

    def upcoming(self) -> list[CustomerLine]:
        """The line each branch of the current node would lead to (an uninterrupted reply), without moving.

        For synthesizing the likely next lines ahead while the learner talks; the line `respond`
        then chooses is one of these unless a persona rule (silence, interruption, patience, cap) applies.
        """
        out: list[CustomerLine] = []
        for branch in self.node.branches:
            ahead = copy.copy(self)
            ahead._rng = random.Random()
            ahead._rng.setstate(self._rng.getstate())
            ahead.node_id, ahead.mood = branch.goto, self.mood
            ahead._move_mood(branch.mood)
            line = ahead._choose_line()
            if line not in out:
                out.append(line)
        return out

    def _ending(self, *preferred: str) -> str:
        for outcome in preferred:
            found = self.scenario.endings(outcome)
            if found:
                return found[0].id
        return self.scenario.endings()[0].id
