"""Reading a scenario file as YAML while remembering the line of every field, for precise errors."""

from __future__ import annotations

from pathlib import Path

import yaml


class ScenarioError(ValueError):
    """A scenario file is broken; `problems` lists each as 'file:line: field: what is wrong'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _line_index(root: yaml.Node | None, problems: Problems) -> dict[tuple, int]:
    """Map each path (tuple of keys/indices) to its 1-based line; report keys given twice."""
    index: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        index[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if key.value in seen:
                    problems.add_at(path + (key.value,), line,
                                    f"given twice (first on line {seen[key.value]}); the later one would silently win")
                seen.setdefault(key.value, line)
                walk(value, path + (key.value,))
                index[path + (key.value,)] = line
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return index


class Problems:
    """Collects 'file:line: field: message' strings."""

    def __init__(self, source: str):
        self.source, self.lines, self.items = source, {}, []

    def add_at(self, path: tuple, line: int, message: str) -> None:
        where = ".".join(str(p) for p in path) or "(file)"
        self.items.append(f"{self.source}:{line}: {where}: {message}")

    def add(self, path: tuple, message: str) -> None:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        self.add_at(path, self.lines.get(probe, 1), message)


def read_file(path: str | Path) -> str:
    """The file's text; raises `ScenarioError` if it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}:1: (file): cannot read: {exc}"]) from exc


def parse_yaml(text: str, source: str) -> tuple[object, Problems]:
    """The parsed document and a `Problems` that knows its lines; raises `ScenarioError` if not YAML."""
    problems = Problems(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or exc
        raise ScenarioError([f"{source}:{line}: (file): not valid YAML: {reason}"]) from exc
    problems.lines = _line_index(root, problems)
    return data, problems
