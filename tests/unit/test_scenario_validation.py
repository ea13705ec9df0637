"""Broken scenario files give precise errors (file, line, field, what), and never crash the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.app.cli import main
from rehearse.scenarios.library import entries
from rehearse.scenarios.schema import ScenarioError, load

TINY = (Path(__file__).resolve().parents[1] / "data" / "scenarios" / "tiny.yaml").read_text()

# (kind of breakage, text replaced, replacement, text on the reported line, field, words in the message)
BREAKAGES = [
    ("yaml syntax", "  role: test customer\n", "  role: [test customer\n", None, "(file)", "not valid YAML"),
    ("missing field", "title: Tiny test call\n", "", None, "title", "missing required field"),
    ("unknown field", "max_turns: 6\n", "max_turns: 6\nmax_turn: 8\n", "max_turn: 8", "max_turn", "unknown field"),
    ("unknown voice", "voice: joe", "voice: jo", "voice: jo", "persona.voice", "unknown voice 'jo'"),
    (
        "voice file missing",
        "voice: joe",
        "voice: voices/amy.onnx",
        "voice: voices/amy.onnx",
        "persona.voice",
        "voice file not found",
    ),
    (
        "bad voice pitch",
        "voice: joe",
        "voice: {base: joe, pitch: 12}",
        "voice: {base",
        "persona.voice.pitch",
        "semitones from -6 to 6",
    ),
    (
        "dangling branch",
        "goto: done",
        "goto: dnoe",
        "goto: dnoe",
        "nodes.middle.branches.1.goto",
        "dangling branch: no node named 'dnoe'",
    ),
    (
        "unreachable node",
        "  done:\n",
        "  orphan:\n    say: Lost.\n    branches: [{goto: done}]\n  done:\n",
        "  orphan:",
        "nodes.orphan",
        "unreachable",
    ),
    ("missing endings", TINY[TINY.index("  done:") :], "", None, "nodes", "missing endings"),
    (
        "dead end",
        "      - goto: opening\n        mood: 0.05\n",
        "      - goto: limbo\n  limbo:\n    say: Hmm.\n    branches: [{goto: limbo}]\n",
        "  limbo:",
        "nodes.limbo",
        "dead end: no path from here reaches an ending",
    ),
    (
        "bad condition",
        "when: empathy >= 60",
        "when: empathy >=",
        "when: empathy >=",
        "nodes.opening.branches.1.when",
        "bad condition",
    ),
    (
        "unknown condition name",
        "when: empathy >= 60",
        "when: empaty >= 60",
        "when: empaty",
        "nodes.opening.branches.1.when",
        "unknown name(s) empaty",
    ),
    (
        "no otherwise branch",
        "      - goto: middle\n        mood: 0.1\n",
        "      - when: asked\n        goto: middle\n",
        "      - when: asked",
        "nodes.middle.branches.2",
        "last branch must have no 'when'",
    ),
    (
        "never-taken branch",
        "      - when: empathy >= 60\n",
        "      - goto: done\n      - when: empathy >= 60\n",
        "      - when: empathy >= 60",
        "nodes.opening.branches.2",
        "never taken",
    ),
    (
        "duplicate node",
        "  gone:\n",
        "  done:\n    outcome: resolved\n    say: Again.\n  gone:\n",
        None,
        "nodes.done",
        "given twice (first on line",
    ),
    (
        "unknown mood band",
        'furious: ["Furious one."]',
        'angry: ["Furious one."]',
        "angry:",
        "nodes.opening.say.angry",
        "unknown mood band",
    ),
    (
        "ending with branches",
        "    outcome: hung_up\n",
        "    outcome: hung_up\n    branches: [{goto: opening}]\n",
        "branches: [{goto: opening}]",
        "nodes.gone.branches",
        "cannot have branches",
    ),
    ("mood out of range", "mood: -0.2", "mood: -2", "mood: -2", "nodes.opening.branches.0.mood", "from -1 to 1"),
    (
        "unquoted colon",
        '    say: "What now?"',
        "    say:\n      - Well: what now?",
        "      - Well",
        "nodes.middle.say.0",
        "put the text in quotes",
    ),
    (
        "unknown expected move",
        "expect: [next_step]",
        "expect: [next_steps]",
        "expect: [next_steps]",
        "nodes.middle.expect.0",
        "unknown or poor move 'next_steps'",
    ),
    (
        "bad outcome",
        "outcome: escalated",
        "outcome: transferred",
        "outcome: transferred",
        "nodes.boss.outcome",
        "must be one of resolved, escalated, hung_up",
    ),
    (
        "score used as a flag",
        "when: empathy >= 60",
        "when: empathy and not blamed",
        "when: empathy and",
        "nodes.opening.branches.1.when",
        "'empathy' is a number: compare it",
    ),
    (
        "move compared",
        "when: empathy >= 60",
        "when: acknowledged > 1",
        "when: acknowledged > 1",
        "nodes.opening.branches.1.when",
        "'acknowledge' is a move or flag, not a number",
    ),
    ("bad id", "id: tiny", "id: Tiny Call", "id: Tiny Call", "id", "lower-case words joined by '-'"),
    ("start names no node", "start: opening", "start: opener", "start: opener", "start", "names no node"),
    ("context without goal", "  goal: Reach the end.\n", "", None, "context.goal", "missing"),
    ("bad audience", "audience: service", "audience: sales", "audience: sales", "audience", "service, manager"),
]


def _line(text: str, needle: str | None) -> int | None:
    if needle is None:
        return None
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith(needle) or needle.strip() in line]
    return hits[-1]


@pytest.mark.parametrize("kind, old, new, needle, field, words", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_each_breakage_is_reported_with_file_line_field_and_reason(tmp_path, kind, old, new, needle, field, words):
    assert old in TINY, kind
    text = TINY.replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    problems = caught.value.problems
    matching = [p for p in problems if f": {field}: " in p and words in p]
    assert matching, problems
    file, line, _ = matching[0].split(":", 2)
    assert file == str(path)
    expected = _line(text, needle)
    if expected is not None:
        assert int(line) == expected, matching[0]


def test_the_unchanged_file_is_valid():
    assert load(Path(__file__).resolve().parents[1] / "data" / "scenarios" / "tiny.yaml").id == "tiny"


def test_a_broken_file_is_listed_invalid_with_its_reason_and_check_fails(tmp_path, capsys):
    (tmp_path / "good.yaml").write_text(TINY.replace("id: tiny", "id: tiny-good"))
    (tmp_path / "broken.yaml").write_text(TINY.replace("goto: done", "goto: nowhere"))
    (tmp_path / "junk.yaml").write_bytes(b"\xff\xfe not text")
    (tmp_path / "list.yaml").write_text("- just\n- a list\n")
    (tmp_path / "dup.yaml").write_text(TINY.replace("id: tiny", "id: billing-double-charge"))
    by_name = {e.path.name: e for e in entries([tmp_path])}
    assert by_name["good.yaml"].scenario is not None
    for name in ("broken.yaml", "junk.yaml", "list.yaml", "dup.yaml"):
        assert by_name[name].scenario is None and by_name[name].problems[0].startswith(str(tmp_path / name))
    assert "already used by" in by_name["dup.yaml"].problems[0]

    assert main(["scenarios", "list", "--json", "--dir", str(tmp_path)]) == 0
    rows = {Path(r["path"]).name: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good.yaml"]["valid"] and not rows["broken.yaml"]["valid"]
    assert "dangling branch" in rows["broken.yaml"]["problems"][0]
    assert main(["scenarios", "list", "--dir", str(tmp_path)]) == 0
    assert "INVALID" in capsys.readouterr().out

    assert main(["scenarios", "check", str(tmp_path / "good.yaml")]) == 0
    assert main(["scenarios", "check", str(tmp_path / "good.yaml"), str(tmp_path / "broken.yaml")]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'broken.yaml'}:" in out and "nodes.middle.branches.1.goto: dangling branch" in out
    assert main(["scenarios", "check", str(tmp_path / "missing.yaml")]) == 1


def test_user_folders_join_the_library_by_id(tmp_path, monkeypatch):
    from rehearse.scenarios.library import find

    (tmp_path / "mine.yaml").write_text(TINY.replace("id: tiny", "id: my-call"))
    monkeypatch.setenv("REHEARSE_SCENARIOS", str(tmp_path))
    assert find("my-call").title == "Tiny test call"


def test_the_annotated_example_in_the_docs_is_valid_and_plays(tmp_path):
    from rehearse.scenarios.engine import Conversation, Signals

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = load_text(example, tmp_path)
    assert scenario.id == "lost-luggage" and len(scenario.endings()) == 3
    talk = Conversation(scenario)
    for moves in (("acknowledge",), ("explain",), ("next_step",)):
        talk.respond(Signals(frozenset(moves), {"clarity": 70.0}))
    assert talk.outcome == "resolved"


def load_text(text: str, folder: Path):
    path = folder / "example.yaml"
    path.write_text(text)
    return load(path)
