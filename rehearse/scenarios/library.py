"""The built-in scenario library (YAML files in `scenarios/library/`) plus user folders."""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rehearse.scenarios.schema import Scenario, ScenarioError, load, parse

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One scenario file: the scenario when valid, the problems when not."""

    path: Path
    scenario: Scenario | None
    problems: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.scenario.id if self.scenario else self.path.stem


def library_dir() -> Path:
    return Path(str(resources.files("rehearse.scenarios").joinpath("library")))


_CACHE: dict[tuple[Path, Path], tuple[tuple[int, int], Entry]] = {}
"""Checked files by path: ((mtime_ns, size), Entry). A file is parsed again only when it changed."""
_CACHE_LOCK = threading.Lock()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def check_file(path: Path) -> Entry:
    """Load one file; any failure, even an unexpected one, becomes a listed problem rather than a crash.

    Parsed once per process: the result is cached by path, modification time and size."""
    path = Path(path)
    key = (path, path.absolute())
    stamp = _stamp(path)
    if stamp is not None:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    entry = _check_file(path)
    if stamp is not None:
        with _CACHE_LOCK:
            _CACHE[key] = (stamp, entry)
    return entry


def clear_cache() -> None:
    """Forget every parsed file (tests that rewrite a file within the clock's resolution)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _check_file(path: Path) -> Entry:
    try:
        return Entry(path, load(path))
    except ScenarioError as exc:
        return Entry(path, None, tuple(exc.problems))
    except Exception as exc:  # a bug in validation must not take the library down with it, nor print a traceback
        _LOGGER.debug("validating %s failed", path, exc_info=True)
        reason = str(exc).splitlines()[0][:200] if str(exc) else ""
        return Entry(path, None, (f"{path}:1: (file): could not be checked: {type(exc).__name__}: {reason}",))


def user_dirs() -> list[Path]:
    """Folders of the user's own scenarios, from `REHEARSE_SCENARIOS` (separated like PATH)."""
    return [Path(p) for p in os.environ.get("REHEARSE_SCENARIOS", "").split(os.pathsep) if p]


def _files(folder: Path) -> list[Path]:
    try:
        return sorted([*Path(folder).glob("*.yaml"), *Path(folder).glob("*.yml")])
    except OSError:  # an unreadable user folder holds no scenarios
        return []


_ID_LINE = re.compile(r"^id:[ \t]*(?P<q>[\"']?)(?P<id>[A-Za-z0-9_.-]+)(?P=q)[ \t\r]*(?:#.*)?$", re.MULTILINE)
_ID_PEEK = 65_536


def declared_id(path: Path) -> str | None:
    """The id a file gives on a plain top-level `id:` line, read from its start without parsing it (None when
    there is no such line or the file cannot be read): looking up one id need not parse every file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_ID_PEEK).decode("utf-8", "replace")
    except OSError:
        return None
    found = _ID_LINE.findall(head)
    return found[0][1] if len(found) == 1 else None


def entries(folders: list[Path] | None = None) -> list[Entry]:
    """Every scenario file of the library, `user_dirs()` and `folders`, valid or not.

    A second file with an id already taken is listed as invalid."""
    out: list[Entry] = []
    seen: dict[str, Path] = {}
    for folder in [library_dir(), *user_dirs(), *(folders or [])]:
        for path in _files(folder):
            entry = check_file(path)
            if entry.scenario and entry.id in seen:
                entry = Entry(path, None, (f"{path}:1: id: {entry.id!r} is already used by {seen[entry.id]}",))
            elif entry.scenario:
                seen[entry.id] = path
            out.append(entry)
    return out


class UnknownScenario(LookupError):
    """No scenario has that id."""


def find(scenario_id: str) -> Scenario:
    """A scenario by id or by path to a YAML file."""
    if scenario_id.endswith((".yaml", ".yml")):
        if not Path(scenario_id).is_file():
            return load(scenario_id)
        entry = check_file(Path(scenario_id))
        if entry.scenario is None:
            raise ScenarioError(list(entry.problems))
        return entry.scenario
    # Only files that may hold the id are parsed: those named after it, those that declare it on an `id:` line,
    # and those whose id cannot be seen without parsing. The first one whose id it is wins, as in `entries()`.
    for folder in [library_dir(), *user_dirs()]:
        for path in _files(folder):
            if path.stem != scenario_id and declared_id(path) not in (scenario_id, None):
                continue
            entry = check_file(path)
            if entry.id == scenario_id:
                if entry.scenario is None:
                    raise ScenarioError(list(entry.problems))
                return entry.scenario
    available = entries()
    names = ", ".join(e.id for e in available if e.scenario)
    raise UnknownScenario(f"unknown scenario '{scenario_id}'; available: {names}")


def played(scenario_id: str, text: str | None, difficulty: int | None = None) -> Scenario | None:
    """The scenario as a session played it: the `text` the store kept for it, else today's scenario with that
    id (older sessions); at the session's `difficulty`. None when neither can be read."""
    from rehearse.scenarios.adaptive import with_difficulty

    scenario = None
    if text:
        try:
            scenario = parse(text, f"<scenario {scenario_id} as played>")
        except ScenarioError as exc:  # e.g. a voice file that this machine does not have
            _LOGGER.info("the scenario %s as played cannot be read: %s", scenario_id, exc)
    if scenario is None:
        try:
            scenario = find(scenario_id)
        except (ScenarioError, UnknownScenario):
            return None
    return scenario if difficulty is None else with_difficulty(scenario, difficulty)
