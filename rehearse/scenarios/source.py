"""Reading a scenario file as YAML while remembering the line of every field, for precise errors.

Scenario files in a user folder are untrusted input, so reading one is bounded: a size limit, a nesting
limit, a limit on what aliases (`*name`) may expand to (an alias bomb is refused before anything walks
it), and limits on the length of any text or number. Every way a file can be wrong ends as a
`ScenarioError` listing 'file:line: field: what is wrong', never as another exception.
"""

from __future__ import annotations

import stat
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

MAX_BYTES = 1_000_000
"""Largest scenario file read (the library's largest is under 20 kB)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists, counting what aliases bring in (the format needs 7)."""
MAX_VALUES = 20_000
"""Most values (keys, texts, lists, mappings) a file may hold once its aliases are expanded."""
MAX_TEXT = 4_000
"""Longest single text (a line, a name, a path)."""
MAX_NUMBER = 30
"""Longest number, in characters."""
MAX_MESSAGE = 400
"""Longest problem message; longer ones (quoting a huge value) are cut."""

_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class ScenarioError(ValueError):
    """A scenario file is broken; `problems` lists each as 'file:line: field: what is wrong'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class Problems:
    """Collects 'file:line: field: message' strings."""

    def __init__(self, source: str):
        self.source, self.lines, self.items = source, {}, []

    def add_at(self, path: tuple, line: int, message: str) -> None:
        where = ".".join(str(p) for p in path) or "(file)"
        if len(where) > 120:
            where = where[:117] + "..."
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        self.items.append(f"{self.source}:{line}: {where}: {message}")

    def add(self, path: tuple, message: str) -> None:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        self.add_at(path, self.lines.get(probe, 1), message)


def _refuse(source: str, node_or_mark, message: str, where: str = "(file)") -> ScenarioError:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    line = mark.line + 1 if mark is not None else 1
    return ScenarioError([f"{source}:{line}: {where}: {message}"])


class _TooDeep(Exception):
    def __init__(self, mark):
        super().__init__("too deep")
        self.mark = mark


class _BadValue(Exception):
    def __init__(self, node, exc: Exception):
        super().__init__(str(exc))
        self.node, self.exc = node, exc


class _Bounded:
    """A nesting limit while composing, and no stray exceptions while constructing."""

    def _start_bounds(self) -> None:
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, _BadValue):
            raise
        except Exception as exc:  # e.g. `!!int history`, `!!timestamp soon`, `!!bool maybe`
            raise _BadValue(node, exc) from exc


class _PyLoader(_Bounded, yaml.SafeLoader):
    def __init__(self, text: str):
        super().__init__(text)
        self._start_bounds()


try:  # libyaml reads the events six times faster; composing stays in Python, where the limits are
    from yaml._yaml import CParser

    class _CLoader(_Bounded, Composer, CParser, SafeConstructor, Resolver):
        def __init__(self, text: str):
            CParser.__init__(self, text)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_bounds()

    _Loader = _CLoader
except ImportError:  # PyYAML built without libyaml
    _Loader = _PyLoader


def _measure(root: yaml.Node, source: str) -> None:
    """Refuse a document that refers to itself or whose aliases expand past the limits, without expanding it."""
    memo: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def measure(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in active:
            raise _refuse(
                source,
                node,
                "an alias (*name) refers to a value that contains it (a loop); write the value out instead",
            )
        if key not in memo:
            if depth > MAX_DEPTH:
                raise _refuse(source, node, f"nested more than {MAX_DEPTH} levels deep (aliases included)")
            active.add(key)
            if isinstance(node, MappingNode):
                children = [part for pair in node.value for part in pair]
            elif isinstance(node, SequenceNode):
                children = node.value
            else:
                children = []
            size, height = 1, 0
            for child in children:
                child_size, child_height = measure(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_VALUES:
                    raise _refuse(
                        source,
                        node,
                        f"holds more than {MAX_VALUES:,} values once its aliases (*name) are "
                        "expanded; write the values out or use fewer aliases",
                    )
            active.discard(key)
            memo[key] = (size, height)
        size, height = memo[key]
        if depth + height > MAX_DEPTH:
            raise _refuse(source, node, f"nested more than {MAX_DEPTH} levels deep (aliases included)")
        return size, height

    measure(root, 0)


def _scalar_problem(node: ScalarNode) -> str | None:
    value = node.value
    if "\x00" in value:
        return "contains a NUL character (\\0); remove it"
    if node.tag in (_INT, _FLOAT) and len(value) > MAX_NUMBER:
        return f"a number of {len(value):,} characters is too long (at most {MAX_NUMBER})"
    if len(value) > MAX_TEXT:
        return f"is {len(value):,} characters long; at most {MAX_TEXT:,} are allowed"
    return None


def _line_index(root: yaml.Node | None, problems: Problems) -> tuple[dict[tuple, int], dict[int, tuple]]:
    """Map each path (tuple of keys/indices) to its 1-based line, and each node to its first path; report keys
    given twice. Texts that are too long or hold NUL characters are refused (the walk is bounded by `_measure`)."""
    index: dict[tuple, int] = {}
    paths: dict[int, tuple] = {}
    fatal: list[str] = []

    def scalar(node: ScalarNode, path: tuple, line: int) -> None:
        message = _scalar_problem(node)
        if message:
            where = ".".join(str(p)[:40] for p in path) or "(file)"
            fatal.append(f"{problems.source}:{line}: {where}: {message}")

    def walk(node: yaml.Node, path: tuple) -> None:
        index[path] = node.start_mark.line + 1
        paths.setdefault(id(node), path)
        if isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if not isinstance(key, ScalarNode):
                    fatal.append(
                        f"{problems.source}:{line}: {'.'.join(map(str, path)) or '(file)'}: "
                        "a key must be a plain name, not a list or mapping"
                    )
                    continue
                scalar(key, path + (key.value[:40],), line)
                name = key.value
                if name in seen and key.tag != "tag:yaml.org,2002:merge":
                    problems.add_at(
                        path + (name,),
                        line,
                        f"given twice (first on line {seen[name]}); the later one would silently win",
                    )
                seen.setdefault(name, line)
                walk(value, path + (name,))
                index[path + (name,)] = line
                paths.setdefault(id(value), path + (name,))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))
        elif isinstance(node, ScalarNode):
            scalar(node, path, node.start_mark.line + 1)

    if root is not None:
        walk(root, ())
    if fatal:
        raise ScenarioError(
            fatal[:20] + ([f"{problems.source}: ... and {len(fatal) - 20} more"] if len(fatal) > 20 else [])
        )
    return index, paths


def read_file(path: str | Path) -> str:
    """The file's text; raises `ScenarioError` if it cannot be read, is not a plain file or is over `MAX_BYTES`."""

    def refuse(what: str) -> ScenarioError:
        return ScenarioError([f"{path}:1: (file): {what}"])

    try:
        info = Path(path).stat()
        if not stat.S_ISREG(info.st_mode):
            raise refuse("not a plain file")
        too_big = f"too large ({{:,}} bytes); a scenario file may hold at most {MAX_BYTES:,} bytes"
        if info.st_size > MAX_BYTES:
            raise refuse(too_big.format(info.st_size))
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise refuse(too_big.format(len(data)) + " (it grew while being read)")
        return data.decode("utf-8")
    except (OSError, ValueError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise refuse(f"cannot read: {reason}") from exc


def parse_yaml(text: str, source: str) -> tuple[object, Problems]:
    """The parsed document and a `Problems` that knows its lines; raises `ScenarioError` if not YAML or
    beyond the limits (size, nesting, alias expansion, text length)."""
    problems = Problems(source)
    if len(text) > MAX_BYTES:
        raise _refuse(
            source, None, f"too large ({len(text):,} characters); a scenario file may hold at most {MAX_BYTES:,}"
        )
    try:
        loader = _Loader(text)  # checks every character first
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, text) from None
    try:
        try:
            root = loader.get_single_node()
        except _TooDeep as exc:
            raise _refuse(source, exc.mark, f"nested more than {MAX_DEPTH} levels deep") from None
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, source, text) from None
        except RecursionError:
            raise _refuse(source, None, "nested too deep to read") from None
        if root is None:
            return None, problems
        _measure(root, source)
        problems.lines, paths = _line_index(root, problems)
        try:
            data = loader.construct_document(root)
        except _BadValue as exc:
            where = ".".join(str(p) for p in paths.get(id(exc.node), ())) or "(file)"
            tag = exc.node.tag.rsplit(":", 1)[-1]
            value = str(exc.node.value)[:60] if isinstance(exc.node, ScalarNode) else "this value"
            raise _refuse(
                source,
                exc.node,
                f"cannot read {value!r} as !!{tag} ({type(exc.exc).__name__}); remove the tag or fix the value",
                where,
            ) from None
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, source, text) from None
    finally:
        loader.dispose()
    return data, problems


def _yaml_error(exc: yaml.YAMLError, source: str, text: str) -> ScenarioError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, e.g. NUL
        line = text.count("\n", 0, max(0, exc.position)) + 1
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return ScenarioError([f"{source}:{line}: (file): not valid YAML: character {what} is not allowed"])
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else 1
    reason = getattr(exc, "problem", None) or exc
    return ScenarioError([f"{source}:{line}: (file): not valid YAML: {reason}"])
