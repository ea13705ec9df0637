"""Scenario files: the data model, loading from YAML, and validation with file:line errors.

The format is documented in docs/scenarios.md with an annotated example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from rehearse.constants import MOVES, VOCABULARY
from rehearse.scenarios import conditions, graph
from rehearse.scenarios.persona import ContextCard, Persona, parse_context, parse_persona
from rehearse.scenarios.source import Problems, ScenarioError, parse_yaml, read_file

__all__ = ["Branch", "Node", "Persona", "ContextCard", "Scenario", "ScenarioError", "load", "parse"]

MOOD_BANDS = ("calm", "upset", "furious")
OUTCOMES = ("resolved", "escalated", "hung_up")
AUDIENCES = ("service", "manager")
DIMENSIONS = ("empathy", "clarity", "pace", "calm")
"""What the coach scores 0-100; `focus` names the ones a scenario trains."""
FLAGS = {"interrupted", "no_answer"}
NUMBERS = {*DIMENSIONS, "wpm", "pitch_median_hz", "loudness_db", "mood", "turn"}
PROMPTS = ("no_answer", "interrupted")
DEFAULT_PROMPTS = {
    "no_answer": {
        "calm": ("Hello? Are you still there?",),
        "upset": ("Hello? Are you even listening?",),
        "furious": ("Hello?! Are you still there or not?",),
    },
    "interrupted": {
        "calm": ("Sorry, can I just finish?",),
        "upset": ("Let me finish, please.",),
        "furious": ("Don't cut me off!",),
    },
}
_TOP = (
    "id",
    "title",
    "audience",
    "difficulty",
    "focus",
    "persona",
    "context",
    "start",
    "max_turns",
    "rubric",
    "prompts",
    "nodes",
)

Lines = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Branch:
    """Where the conversation goes after a reply, if `when` holds (no `when`: otherwise)."""

    goto: str
    when: str | None = None
    mood: float = 0.0
    """Change of the customer's mood (-1..1) when this branch is taken."""
    condition: conditions.Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Node:
    """One customer turn: what they may say per mood band, what a good reply does, where it leads."""

    id: str
    say: Lines
    expect: tuple[str, ...] = ()
    branches: tuple[Branch, ...] = ()
    outcome: str | None = None
    """Set on endings: "resolved", "escalated" or "hung_up"; an ending has no branches."""

    @property
    def is_ending(self) -> bool:
        return self.outcome is not None

    def handles(self, flag: str) -> bool:
        """True when one of the branches names `flag` (so the engine leaves it to the file)."""
        return any(b.condition is not None and flag in conditions.names(b.condition) for b in self.branches)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    audience: str
    difficulty: int
    persona: Persona
    card: ContextCard
    start: str
    nodes: dict[str, Node]
    max_turns: int = 12
    rubric: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    """Coach dimensions this scenario trains most (empathy, clarity, pace, calm)."""
    prompts: dict[str, Lines] = field(default_factory=lambda: dict(DEFAULT_PROMPTS))
    """What the persona says on silence ("no_answer") and when cut off ("interrupted"), per band."""
    source: str = "<memory>"
    text: str = field(default="", repr=False, compare=False)
    """The YAML it was parsed from ("" when built in code): what the store keeps as the version played."""

    @property
    def context(self) -> str:
        """The context card as text for the learner."""
        return self.card.text()

    def endings(self, outcome: str | None = None) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_ending and outcome in (None, n.outcome)]


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raises `ScenarioError` listing every problem."""
    return parse(read_file(path), str(path), Path(path).resolve().parent)


def parse(text: str, source: str = "<text>", folder: Path | None = None) -> Scenario:
    """Parse and validate scenario YAML text; `folder` resolves relative voice paths."""
    data, problems = parse_yaml(text, source)
    if not isinstance(data, dict):
        problems.add((), "a scenario file must be a mapping of fields (id, title, persona, nodes, ...)")
        raise ScenarioError(problems.items)
    scenario = _build(data, problems, source, folder or Path.cwd())
    if problems.items:
        raise ScenarioError(problems.items)
    return replace(scenario, text=text)


def _quote_hint(value) -> str:
    if isinstance(value, dict):
        return "; a ': ' inside unquoted text makes YAML read a mapping, so put the text in quotes"
    return f", not {type(value).__name__}" if value is not None else ""


def _require(data: dict, key: str, kind, problems: Problems):
    value = data.get(key)
    if value is None:
        problems.add((key,), "missing required field")
    elif not isinstance(value, kind) or isinstance(value, bool):
        problems.add((key,), f"must be {kind.__name__}, not {type(value).__name__}")
        return None
    return value


def _build(data: dict, problems: Problems, source: str, folder: Path) -> Scenario:
    for key in data:
        if key not in _TOP:
            problems.add((key,), f"unknown field (known: {', '.join(_TOP)})")
    sid = _require(data, "id", str, problems)
    sid = "?" if sid is None else sid
    if sid != "?" and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid):
        problems.add(("id",), f"must be lower-case words joined by '-', e.g. lost-luggage, not {sid!r}")
    title = _require(data, "title", str, problems) or sid
    audience = _require(data, "audience", str, problems)
    if audience is not None and audience not in AUDIENCES:
        problems.add(("audience",), f"must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    difficulty = _require(data, "difficulty", int, problems)
    difficulty = 1 if difficulty is None else difficulty
    if not 1 <= difficulty <= 5:
        problems.add(("difficulty",), "must be from 1 (easy) to 5 (hard)")
    max_turns = data.get("max_turns", 12)
    if isinstance(max_turns, bool) or not isinstance(max_turns, int) or not 2 <= max_turns <= 50:
        problems.add(("max_turns",), "must be a whole number of turns from 2 to 50")
        max_turns = 12
    focus = data.get("focus") or []
    if not isinstance(focus, list) or any(f not in DIMENSIONS for f in focus):
        problems.add(("focus",), f"must be a list of coach dimensions: {', '.join(DIMENSIONS)}")
        focus = []
    persona = parse_persona(_require(data, "persona", dict, problems) or {}, folder, problems)
    card = parse_context(data.get("context"), problems)
    raw_nodes = _require(data, "nodes", dict, problems) or {}
    nodes = {str(nid): _node(str(nid), raw, problems) for nid, raw in raw_nodes.items()}
    start = _require(data, "start", str, problems)
    if start is not None and raw_nodes and start not in nodes:
        problems.add(("start",), f"names no node: {start!r}")
    rubric = data.get("rubric") or []
    if not isinstance(rubric, list):
        problems.add(("rubric",), "must be a list of sentences")
        rubric = []
    for i, item in enumerate(rubric):
        if not isinstance(item, str):
            problems.add(("rubric", i), f"must be a sentence{_quote_hint(item)}")
    rubric = [r for r in rubric if isinstance(r, str)]
    prompts = _prompts(data.get("prompts") or {}, problems)
    scenario = Scenario(
        sid,
        title,
        audience or "service",
        difficulty,
        persona,
        card,
        start or "",
        nodes,
        max_turns,
        tuple(rubric),
        tuple(focus),
        prompts,
        source,
    )
    if nodes and start in nodes:
        graph.check(scenario, problems)
    return scenario


def _prompts(raw, problems: Problems) -> dict[str, Lines]:
    out = dict(DEFAULT_PROMPTS)
    if not isinstance(raw, dict):
        problems.add(("prompts",), f"must be a mapping with {' and/or '.join(PROMPTS)}")
        return out
    for key, lines in raw.items():
        if key not in PROMPTS:
            problems.add(("prompts", key), f"unknown prompt (known: {', '.join(PROMPTS)})")
            continue
        out[key] = _say(lines, ("prompts", key), problems) or out[key]
    return out


def _node(nid: str, raw, problems: Problems) -> Node:
    path = ("nodes", nid)
    if not isinstance(raw, dict):
        problems.add(path, "a node must be a mapping with 'say' and 'branches' (or 'outcome')")
        return Node(nid, {})
    for key in raw:
        if key not in ("say", "expect", "branches", "outcome"):
            problems.add(path + (key,), "unknown field (known: say, expect, branches, outcome)")
    say = _say(raw.get("say"), path + ("say",), problems)
    expect = raw.get("expect") or []
    if not isinstance(expect, list):
        problems.add(path + ("expect",), "must be a list of move names")
        expect = []
    for i, move in enumerate(expect):
        if not isinstance(move, str) or move not in MOVES:
            problems.add(path + ("expect", i), f"unknown or poor move {move!r} (expected moves: {', '.join(MOVES)})")
    outcome = raw.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        problems.add(path + ("outcome",), f"must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        outcome = "invalid"  # still an ending for the checks that follow, and hashable whatever was written
    raw_branches = raw.get("branches") or []
    if not isinstance(raw_branches, list):
        problems.add(path + ("branches",), "must be a list of branches (when, goto, mood)")
        raw_branches = []
    branches = tuple(_branch(b, path + ("branches", i), problems) for i, b in enumerate(raw_branches))
    if outcome is None and not branches:
        problems.add(path, "a node needs 'branches' (where the talk goes next) or an 'outcome' (it ends the call)")
    if outcome is not None and branches:
        problems.add(path + ("branches",), "an ending (with 'outcome') cannot have branches")
    return Node(nid, say, tuple(m for m in expect if isinstance(m, str) and m in MOVES), branches, outcome)


def _say(raw, path: tuple, problems: Problems) -> Lines:
    if isinstance(raw, str) and raw.strip():
        return {band: (raw.strip(),) for band in MOOD_BANDS}
    if isinstance(raw, list) and raw and all(isinstance(s, str) and s.strip() for s in raw):
        return {band: tuple(s.strip() for s in raw) for band in MOOD_BANDS}
    if isinstance(raw, list) and any(not isinstance(s, str) for s in raw):
        i = next(i for i, s in enumerate(raw) if not isinstance(s, str))
        problems.add(path + (i,), f"must be a line of text{_quote_hint(raw[i])}")
        return {}
    if not isinstance(raw, dict) or not raw:
        problems.add(
            path,
            "missing: a line, a list of line variants, or variants per mood band (calm, upset, furious)"
            if raw is None
            else "must be a line, a list of line variants, or variants per mood band",
        )
        return {}
    out: Lines = {}
    for band, lines in raw.items():
        if band not in MOOD_BANDS:
            problems.add(path + (band,), f"unknown mood band (use {', '.join(MOOD_BANDS)})")
            continue
        lines = [lines] if isinstance(lines, str) else lines
        if not isinstance(lines, list) or not lines or not all(isinstance(s, str) and s.strip() for s in lines):
            odd = next((s for s in (lines if isinstance(lines, list) else [lines]) if not isinstance(s, str)), None)
            problems.add(path + (band,), f"must be a line or a non-empty list of lines{_quote_hint(odd)}")
            continue
        out[band] = tuple(s.strip() for s in lines)
    # A missing band borrows the nearest one, so every mood has something to say.
    for i, band in enumerate(MOOD_BANDS):
        if band not in out and out:
            nearest = min(out, key=lambda b: abs(MOOD_BANDS.index(b) - i))
            out[band] = out[nearest]
    return out


def _branch(raw, path: tuple, problems: Problems) -> Branch:
    if not isinstance(raw, dict):
        problems.add(path, "a branch must be a mapping with 'goto' (and usually 'when' and 'mood')")
        return Branch("")
    for key in raw:
        if key not in ("goto", "when", "mood"):
            problems.add(path + (key,), "unknown field (known: when, goto, mood)")
    goto = raw.get("goto")
    if not isinstance(goto, str):
        problems.add(
            path + ("goto",),
            "missing: the node this branch leads to" if goto is None else f"must be a node name, not {goto!r}",
        )
        goto = ""
    when = raw.get("when")
    node = None
    if when is not None:
        try:
            node = conditions.parse(when if isinstance(when, str) else "")
        except conditions.ConditionError as exc:
            problems.add(path + ("when",), f"bad condition: {exc}")
        else:
            unknown = conditions.names(node) - FLAGS - set(VOCABULARY) - NUMBERS
            if unknown:
                problems.add(
                    path + ("when",),
                    f"unknown name(s) {', '.join(sorted(unknown))} in {when!r} "
                    "(use moves, interrupted, no_answer, or scores such as empathy >= 60)",
                )
            for name, compared in sorted(conditions.uses(node)):
                if compared and name not in NUMBERS:
                    problems.add(path + ("when",), f"{name!r} is a move or flag, not a number: write it alone")
                elif not compared and name in NUMBERS:
                    problems.add(path + ("when",), f"{name!r} is a number: compare it, e.g. {name} >= 60")
    mood = raw.get("mood", 0.0)
    if isinstance(mood, bool) or not isinstance(mood, (int, float)) or not -1 <= mood <= 1:
        problems.add(path + ("mood",), f"must be a mood change from -1 to 1, not {mood!r}")
        mood = 0.0
    return Branch(goto, None if when is None else str(when), float(mood), node)
