"""The built-in scenario library (YAML files in `scenarios/library/`) plus user folders."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rehearse.scenarios.schema import Scenario, ScenarioError, load

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
    except Exception as exc:  # a bug in validation must not take the library down with it
        _LOGGER.exception("validating %s failed", path)
        return Entry(path, None, (f"{path}:1: (file): could not be checked: {type(exc).__name__}: {exc}",))


def user_dirs() -> list[Path]:
    """Folders of the user's own scenarios, from `REHEARSE_SCENARIOS` (separated like PATH)."""
    return [Path(p) for p in os.environ.get("REHEARSE_SCENARIOS", "").split(os.pathsep) if p]


def entries(folders: list[Path] | None = None) -> list[Entry]:
    """Every scenario file of the library, `user_dirs()` and `folders`, valid or not.

    A second file with an id already taken is listed as invalid."""
    out: list[Entry] = []
    seen: dict[str, Path] = {}
    for folder in [library_dir(), *user_dirs(), *(folders or [])]:
        for path in sorted([*Path(folder).glob("*.yaml"), *Path(folder).glob("*.yml")]):
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
    available = entries()
    for entry in available:
        if entry.id == scenario_id:
            if entry.scenario is None:
                raise ScenarioError(list(entry.problems))
            return entry.scenario
    names = ", ".join(e.id for e in available if e.scenario)
    raise UnknownScenario(f"unknown scenario '{scenario_id}'; available: {names}")
