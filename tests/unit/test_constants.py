"""Shared facts live in `rehearse.constants` only, and the data, models and docs agree with them."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from rehearse import constants
from rehearse.constants import ANTI_MOVES, MOVES, SAMPLE_RATE, VOCABULARY

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "rehearse"
SHARED_NAMES = {"SAMPLE_RATE", "SENTENCE_GAP_S", "CLIP_LEVEL", "MOVES", "ANTI_MOVES", "VOCABULARY"}
MOVE_SETS = {frozenset(MOVES), frozenset(ANTI_MOVES), frozenset(VOCABULARY)}
PENDING = {
    "rehearse/app/gui/practice/feedback_card.py",
    "rehearse/app/gui/setup/monitor.py",
    "rehearse/app/gui/setup/page.py",
}
"""Modules being rewritten for issue 9 that still define a shared fact; remove each once it imports them."""


def _redefinitions(path: Path) -> list[int]:
    """Lines of `path` that define a shared fact again instead of importing it from `rehearse.constants`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        targets = [node.target] if isinstance(node, ast.AnnAssign) else targets
        if any(isinstance(t, ast.Name) and t.id in SHARED_NAMES for t in targets):
            found.append(node.lineno)
        elif isinstance(node, ast.Constant) and type(node.value) is int and node.value == SAMPLE_RATE:
            found.append(node.lineno)
        elif isinstance(node, (ast.Attribute, ast.Name)) and "user_data_dir" in (
            getattr(node, "attr", None),
            getattr(node, "id", None),
        ):
            found.append(node.lineno)
        elif (
            isinstance(node, (ast.Tuple, ast.List, ast.Set))
            and node.elts
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
            and frozenset(e.value for e in node.elts) in MOVE_SETS
        ):
            found.append(node.lineno)
    return sorted(set(found))


def test_no_module_defines_a_shared_fact_again():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "constants.py":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if redefined := _redefinitions(path):
            found[str(path.relative_to(ROOT))] = [f"{n}: {lines[n - 1].strip()}" for n in redefined]
    assert {p: lines for p, lines in found.items() if p not in PENDING} == {}, "import these from rehearse.constants"
    assert PENDING - found.keys() == set(), "these define no shared fact any more: remove them from PENDING"


def test_the_move_data_uses_the_vocabulary():
    data = resources.files("rehearse.coach").joinpath("data")
    rules = yaml.safe_load(data.joinpath("moves.yaml").read_text(encoding="utf-8"))
    assert set(rules["moves"]) == set(MOVES) and set(rules["anti_moves"]) == set(ANTI_MOVES)
    examples = yaml.safe_load(data.joinpath("exemplars.yaml").read_text(encoding="utf-8"))
    assert set(examples["moves"]) <= set(VOCABULARY)
    with np.load(str(data.joinpath("wording_adapter.npz"))) as weights:
        assert tuple(str(m) for m in weights["moves"]) == VOCABULARY


def test_the_readme_lists_the_vocabulary():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{' '.join(MOVES)}` and anti-moves `{' '.join(ANTI_MOVES)}`" in readme


def test_the_sample_rate_is_the_speech_models_rate():
    from faster_whisper.feature_extractor import FeatureExtractor

    assert FeatureExtractor().sampling_rate == SAMPLE_RATE


def test_the_data_folder_is_the_option_else_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_DATA_DIR", str(tmp_path / "env"))
    assert constants.data_dir() == tmp_path / "env"
    assert constants.data_dir(tmp_path / "option") == tmp_path / "option"
    monkeypatch.delenv("REHEARSE_DATA_DIR")
    assert constants.data_dir().name.lower() == "rehearse"
