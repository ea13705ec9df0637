"""Scenario files: the data model, loading from YAML, and validation with file:line errors.

The format is documented in docs/scenarios.md with an annotated example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rehearse.scenarios import conditions

MOOD_BANDS = ("calm", "upset", "furious")
OUTCOMES = ("resolved", "escalated", "hung_up")
AUDIENCES = ("service", "manager")
FLAGS = {"interrupted", "no_answer"}
MOVE_NAMES = {
    "acknowledge", "apologize", "own", "reassure", "explain", "next_step", "ask", "use_name",
    "blame", "policy", "dismiss", "jargon", "interrupt",
}
NUMBERS = {"empathy", "clarity", "pace", "calm", "wpm", "pitch_median_hz", "loudness_db", "mood", "turn"}
KNOWN_VOICES = {"joe"}


class ScenarioError(ValueError):
    """A scenario file is broken; `problems` lists each as 'file:line: field: what is wrong'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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
    say: dict[str, tuple[str, ...]]
    expect: tuple[str, ...] = ()
    branches: tuple[Branch, ...] = ()
    outcome: str | None = None
    """Set on endings: "resolved", "escalated" or "hung_up"; an ending has no branches."""

    @property
    def is_ending(self) -> bool:
        return self.outcome is not None


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    voice: str = "joe"
    mood: float = 0.5
    """Starting mood, 0 calm to 1 furious."""
    patience: int = 3
    """Poor replies in a row the persona tolerates before hanging up (used by endings)."""


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    audience: str
    difficulty: int
    persona: Persona
    context: str
    start: str
    nodes: dict[str, Node]
    max_turns: int = 12
    rubric: tuple[str, ...] = ()
    source: str = "<memory>"


def _line_index(root: yaml.Node | None) -> dict[tuple, int]:
    """Map each path (tuple of keys/indices) in the YAML document to its 1-based line."""
    index: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        index[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                index[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))
                index[path + (key.value,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return index


class _Problems:
    def __init__(self, source: str, lines: dict[tuple, int]):
        self.source, self.lines, self.items = source, lines, []

    def add(self, path: tuple, message: str) -> None:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe, 1)
        where = ".".join(str(p) for p in path) or "(file)"
        self.items.append(f"{self.source}:{line}: {where}: {message}")


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raises `ScenarioError` listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}:1: (file): cannot read: {exc}"]) from exc
    return parse(text, str(path))


def parse(text: str, source: str = "<text>") -> Scenario:
    """Parse and validate scenario YAML text."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ScenarioError([f"{source}:{line}: (file): not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    problems = _Problems(source, _line_index(root))
    if not isinstance(data, dict):
        problems.add((), "a scenario file must be a mapping of fields (id, title, persona, nodes, ...)")
        raise ScenarioError(problems.items)
    scenario = _build(data, problems, source)
    if problems.items:
        raise ScenarioError(problems.items)
    return scenario


def _require(data: dict, key: str, kind, problems: _Problems, path: tuple = ()):
    value = data.get(key)
    if value is None:
        problems.add(path + (key,), "missing required field")
    elif not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        problems.add(path + (key,), f"must be {name}, not {type(value).__name__}")
        return None
    return value


def _build(data: dict, problems: _Problems, source: str) -> Scenario:
    sid = _require(data, "id", str, problems) or "?"
    title = _require(data, "title", str, problems) or sid
    audience = _require(data, "audience", str, problems)
    if audience is not None and audience not in AUDIENCES:
        problems.add(("audience",), f"must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    difficulty = _require(data, "difficulty", int, problems) or 1
    if not 1 <= difficulty <= 5:
        problems.add(("difficulty",), "must be from 1 (easy) to 5 (hard)")
    context = _require(data, "context", str, problems) or ""
    max_turns = data.get("max_turns", 12)
    if not isinstance(max_turns, int) or max_turns < 1:
        problems.add(("max_turns",), "must be a whole number of turns, 1 or more")
        max_turns = 12
    persona = _persona(_require(data, "persona", dict, problems) or {}, problems)
    raw_nodes = _require(data, "nodes", dict, problems) or {}
    nodes = {nid: _node(str(nid), raw, problems) for nid, raw in raw_nodes.items()}
    start = _require(data, "start", str, problems)
    if start is not None and raw_nodes and start not in nodes:
        problems.add(("start",), f"names no node: {start!r}")
    rubric = data.get("rubric") or ()
    if not isinstance(rubric, list) or not all(isinstance(r, str) for r in rubric):
        problems.add(("rubric",), "must be a list of sentences")
        rubric = ()
    scenario = Scenario(sid, title, audience or "service", difficulty, persona, context, start or "",
                        nodes, max_turns, tuple(rubric), source)
    if nodes and start in nodes:
        _check_graph(scenario, problems)
    return scenario


def _persona(raw: dict, problems: _Problems) -> Persona:
    path = ("persona",)
    name = _require(raw, "name", str, problems, path) or "Customer"
    role = _require(raw, "role", str, problems, path) or "customer"
    voice = raw.get("voice", "joe")
    if not isinstance(voice, str) or (voice not in KNOWN_VOICES and not voice.endswith(".onnx")):
        problems.add(path + ("voice",), f"unknown voice {voice!r}: use {', '.join(sorted(KNOWN_VOICES))} or a path to a Piper .onnx voice")
        voice = "joe"
    mood = raw.get("mood", 0.5)
    if not isinstance(mood, (int, float)) or not 0 <= mood <= 1:
        problems.add(path + ("mood",), "must be a number from 0 (calm) to 1 (furious)")
        mood = 0.5
    patience = raw.get("patience", 3)
    if not isinstance(patience, int) or patience < 1:
        problems.add(path + ("patience",), "must be a whole number, 1 or more")
        patience = 3
    return Persona(name, role, voice, float(mood), patience)


def _node(nid: str, raw, problems: _Problems) -> Node:
    path = ("nodes", nid)
    if not isinstance(raw, dict):
        problems.add(path, "a node must be a mapping with 'say' and 'branches' (or 'outcome')")
        return Node(nid, {})
    say = _say(raw.get("say"), path + ("say",), problems)
    expect = raw.get("expect") or []
    if not isinstance(expect, list):
        problems.add(path + ("expect",), "must be a list of move names")
        expect = []
    for i, move in enumerate(expect):
        if move not in MOVE_NAMES:
            problems.add(path + ("expect", i), f"unknown move {move!r} (known: {', '.join(sorted(MOVE_NAMES))})")
    outcome = raw.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        problems.add(path + ("outcome",), f"must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    branches = tuple(_branch(b, path + ("branches", i), problems) for i, b in enumerate(raw.get("branches") or []))
    if outcome is None and not branches:
        problems.add(path, "a node needs 'branches' (where the talk goes next) or an 'outcome' (it ends the call)")
    if outcome is not None and branches:
        problems.add(path + ("branches",), "an ending (with 'outcome') cannot have branches")
    if branches and branches[-1].when is not None:
        problems.add(path + ("branches",), "the last branch must have no 'when' (it is the otherwise case)")
    for key in raw:
        if key not in ("say", "expect", "branches", "outcome"):
            problems.add(path + (key,), "unknown field (known: say, expect, branches, outcome)")
    return Node(nid, say, tuple(expect), branches, outcome)


def _say(raw, path: tuple, problems: _Problems) -> dict[str, tuple[str, ...]]:
    if isinstance(raw, str):
        return {band: (raw,) for band in MOOD_BANDS}
    if isinstance(raw, list) and raw and all(isinstance(s, str) for s in raw):
        return {band: tuple(raw) for band in MOOD_BANDS}
    if not isinstance(raw, dict) or not raw:
        problems.add(path, "must be a line, a list of line variants, or variants per mood band (calm, upset, furious)")
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for band, lines in raw.items():
        if band not in MOOD_BANDS:
            problems.add(path + (band,), f"unknown mood band (use {', '.join(MOOD_BANDS)})")
            continue
        lines = [lines] if isinstance(lines, str) else lines
        if not isinstance(lines, list) or not lines or not all(isinstance(s, str) and s.strip() for s in lines):
            problems.add(path + (band,), "must be a line or a non-empty list of lines")
            continue
        out[band] = tuple(lines)
    # A missing band borrows the nearest one, so every mood has something to say.
    for i, band in enumerate(MOOD_BANDS):
        if band not in out and out:
            nearest = min(out, key=lambda b: abs(MOOD_BANDS.index(b) - i))
            out[band] = out[nearest]
    return out


def _branch(raw, path: tuple, problems: _Problems) -> Branch:
    if not isinstance(raw, dict):
        problems.add(path, "a branch must be a mapping with 'goto' (and usually 'when' and 'mood')")
        return Branch("")
    goto = raw.get("goto")
    if not isinstance(goto, str):
        problems.add(path + ("goto",), "missing: the node this branch leads to")
        goto = ""
    when = raw.get("when")
    node = None
    if when is not None:
        try:
            node = conditions.parse(str(when))
        except conditions.ConditionError as exc:
            problems.add(path + ("when",), f"bad condition: {exc}")
        else:
            unknown = conditions.names(node) - FLAGS - MOVE_NAMES - NUMBERS
            if unknown:
                problems.add(path + ("when",), f"unknown name(s) {', '.join(sorted(unknown))} in {when!r}")
    mood = raw.get("mood", 0.0)
    if not isinstance(mood, (int, float)) or not -1 <= mood <= 1:
        problems.add(path + ("mood",), "must be a mood change from -1 to 1")
        mood = 0.0
    for key in raw:
        if key not in ("goto", "when", "mood"):
            problems.add(path + (key,), "unknown field (known: when, goto, mood)")
    return Branch(goto, None if when is None else str(when), float(mood), node)


def _check_graph(scenario: Scenario, problems: _Problems) -> None:
    for node in scenario.nodes.values():
        for i, branch in enumerate(node.branches):
            if branch.goto and branch.goto not in scenario.nodes:
                problems.add(("nodes", node.id, "branches", i, "goto"), f"dangling branch: no node named {branch.goto!r}")
    seen, todo = set(), [scenario.start]
    while todo:
        nid = todo.pop()
        if nid in seen or nid not in scenario.nodes:
            continue
        seen.add(nid)
        todo.extend(b.goto for b in scenario.nodes[nid].branches)
    for nid in scenario.nodes:
        if nid not in seen:
            problems.add(("nodes", nid), f"unreachable: no branch from '{scenario.start}' leads here")
    if not any(scenario.nodes[n].is_ending for n in seen):
        problems.add(("nodes",), "no ending is reachable: add a node with 'outcome: resolved', 'escalated' or 'hung_up'")
