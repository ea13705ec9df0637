"""Untrusted scenario files (a user folder in REHEARSE_SCENARIOS): every hostile or clumsy file is a
'file:line: field: what' `ScenarioError`, found quickly and in little memory, never another exception."""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pytest

from rehearse.scenarios import conditions
from rehearse.scenarios.schema import ScenarioError, load, parse

TINY = (Path(__file__).resolve().parents[1] / "data" / "scenarios" / "tiny.yaml").read_text()
PROBLEM = re.compile(r"^.+:\d+: [^:]+: .+")

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def _variant(old: str, new: str) -> str:
    assert old in TINY, old
    return TINY.replace(old, new, 1)


HOSTILE = {
    "alias bomb": (ALIAS_BOMB, "aliases"),
    "self-referencing alias": ("a: &a [1, *a]\n", "loop"),
    "self-referencing mapping": ("a: &a {b: *a}\n", "loop"),
    "merge bomb": (
        "a: &a {x: 1, y: 2}\n"
        + "".join(
            f"{c}: &{c} {{<<: [{', '.join(['*' + p] * 8)}]}}\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "aliases",
    ),
    "lists nested 10,000 deep (flow)": ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", "levels deep|nesting depth"),
    "lists nested 1,000 deep (block)": ("".join(" " * i + "-\n" for i in range(1_000)), "levels deep"),
    "aliases nesting 50 deep": (
        "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 50)),
        "levels deep",
    ),
    "outcome as a list": (_variant("outcome: escalated", "outcome: [resolved]"), "outcome: must be one of"),
    "outcome as a mapping": (_variant("outcome: escalated", "outcome: {resolved: 1}"), "outcome: must be one of"),
    "goto tagged !!int": (_variant("goto: done", "goto: !!int history"), "!!int"),
    "mood tagged !!float": (_variant("mood: -0.2", "mood: !!float lots"), "!!float"),
    "goto tagged !!timestamp": (_variant("goto: done", "goto: !!timestamp soon"), "!!timestamp"),
    "goto tagged !!bool": (_variant("goto: done", "goto: !!bool maybe"), "!!bool"),
    "bad !!binary": (_variant("goto: done", "goto: !!binary '@@@'"), "goto"),
    "python tag": (_variant("goto: done", "goto: !!python/object:os.system ls"), "not valid YAML"),
    "voice of an unknown user": (_variant("voice: joe", "voice: ~nosuchuser/v.onnx"), "persona.voice"),
    "5,000-character voice name": (_variant("voice: joe", "voice: " + "v" * 5_000 + ".onnx"), "characters long"),
    "4,000-character voice path": (_variant("voice: joe", "voice: " + "/d" * 1_500 + ".onnx"), "persona.voice"),
    "escaped NUL in a voice": (_variant("voice: joe", 'voice: "v\\0.onnx"'), "NUL"),
    "raw NUL byte": (_variant("voice: joe", "voice: jo\x00e"), "not allowed"),
    "NUL in a key": (_variant("voice: joe", '"vo\\0ice": joe'), "NUL"),
    "5,000-digit threshold": (_variant("when: empathy >= 60", "when: empathy >= " + "6" * 5_000), "characters long"),
    "900-digit threshold": (_variant("when: empathy >= 60", "when: empathy >= " + "6" * 900), "too long"),
    "5,000-digit number": (_variant("max_turns: 6", "max_turns: " + "6" * 5_000), "too long"),
    "thousands of nested nots": (_variant("when: empathy >= 60", "when: " + "not " * 5_000 + "blamed"), "when"),
    "thousands of brackets": (_variant("when: empathy >= 60", "when: " + "(" * 5_000 + "blamed" + ")" * 5_000), "when"),
    "a list as a key": ("? [a, b]\n: 1\n", "key"),
    "a mapping as a node key": (
        _variant("  done:\n", "  ? {x: 1}\n  : {say: hi, outcome: resolved}\n  done:\n"),
        "key",
    ),
    "expect as a list of lists": (_variant("expect: [next_step]", "expect: [[next_step]]"), "expect"),
    "rubric of mappings": (_variant("rubric:", "rubric: [{a: 1}]\nx_rubric:"), "rubric"),
    "focus of lists": (_variant("max_turns: 6", "max_turns: 6\nfocus: [[empathy]]"), "focus"),
    "say of lists": (_variant('    say: "What now?"', "    say: [[a]]"), "say"),
    "mood band of lists": (_variant('furious: ["Furious one."]', "furious: [[a]]"), "furious"),
    "nodes as a list": (_variant("nodes:", "nodes: []\nx_nodes:"), "nodes"),
    "a document stream": ("id: a\n---\nid: b\n", "not valid YAML"),
    "not UTF-8": ("id: \udcff\n", None),
    "empty": ("", "mapping"),
    "only a comment": ("# nothing\n", "mapping"),
    "a bare number": ("12\n", "mapping"),
    "undefined alias": ("a: *nothing\n", "not valid YAML"),
    "a huge float": (_variant("mood: -0.2", "mood: 1e999999"), "mood"),
    "nan mood": (_variant("mood: -0.2", "mood: .nan"), "mood"),
    "a date as id": (_variant("id: tiny", "id: 2024-01-01"), "id"),
    "a condition of 5,000 ands": (_variant("when: empathy >= 60", "when: " + " and ".join(["blamed"] * 2_000)), "when"),
    "a 2,000-node chain": (
        "id: x\nnodes:\n"
        + "".join(f"  n{i}: {{say: hi, branches: [{{goto: n{i + 1}}}]}}\n" for i in range(2_000))
        + "  n2000: {say: bye, outcome: resolved}",
        None,
    ),
}


def _memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("name", HOSTILE)
def test_each_hostile_file_is_a_precise_scenario_error_found_fast(name, tmp_path):
    text, words = HOSTILE[name]
    path = tmp_path / "hostile.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    before, start = _memory_mb(), time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert time.perf_counter() - start < 3.0
    assert _memory_mb() - before < 200
    problems = caught.value.problems
    assert problems and all(PROBLEM.match(p) and p.startswith(f"{path}:") for p in problems), problems
    assert all(len(p) < 1_000 for p in problems)
    if words:
        assert any(re.search(words, p) for p in problems), problems


def test_the_alias_bomb_is_small_and_refused_at_its_line(tmp_path):
    assert len(ALIAS_BOMB) < 600
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: \(file\): holds more than 20,000 values", caught.value.problems[0])


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: 50 MB that cost nothing to make
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"big.yaml:1: \(file\): too large \(50,000,000 bytes\)"):
        load(path)
    assert time.perf_counter() - start < 0.5


def test_a_folder_or_a_fifo_named_yaml_is_not_read(tmp_path):
    import os

    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ScenarioError, match="not a plain file"):
        load(tmp_path / "dir.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(ScenarioError, match="not a plain file"):
        load(tmp_path / "pipe.yaml")


def test_text_given_directly_is_bounded_too():
    with pytest.raises(ScenarioError, match="too large"):
        parse("x" * 2_000_000)


def test_modest_aliases_still_work():
    text = _variant('    say: "What now?"', "    say: *opening_line").replace("say:\n", "say: &opening_line\n", 1)
    scenario = parse(text)
    assert scenario.nodes["middle"].say == scenario.nodes["opening"].say


@pytest.mark.parametrize(
    "condition",
    [
        "not " * 5_000 + "blamed",
        "(" * 5_000 + "blamed" + ")" * 5_000,
        "empathy >= " + "9" * 5_000,
        "blamed and " * 400 + "blamed",
    ],
)
def test_conditions_are_bounded(condition):
    with pytest.raises(conditions.ConditionError):
        conditions.parse(condition)


def test_reasonable_conditions_still_parse():
    node = conditions.parse("not not (acknowledged and (empathy >= 60.5 or not blamed))")
    assert conditions.evaluate(node, {"acknowledge"}, {"empathy": 70})
