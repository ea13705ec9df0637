"""The built-in scenario library (YAML files in `scenarios/library/`) plus user folders."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rehearse.scenarios.schema import Scenario, ScenarioError, load


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


def entries(folders: list[Path] | None = None) -> list[Entry]:
    """Every scenario file, valid or not; a broken file never stops the others from loading."""
    out = []
    for folder in [library_dir(), *(folders or [])]:
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                out.append(Entry(path, load(path)))
            except ScenarioError as exc:
                out.append(Entry(path, None, tuple(exc.problems)))
    return out


class UnknownScenario(LookupError):
    """No scenario has that id."""


def find(scenario_id: str) -> Scenario:
    """A scenario by id or by path to a YAML file."""
    if scenario_id.endswith((".yaml", ".yml")):
        return load(scenario_id)
    available = entries()
    for entry in available:
        if entry.id == scenario_id:
            if entry.scenario is None:
                raise ScenarioError(list(entry.problems))
            return entry.scenario
    names = ", ".join(e.id for e in available if e.scenario)
    raise UnknownScenario(f"unknown scenario '{scenario_id}'; available: {names}")
