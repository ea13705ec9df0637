"""Fuzzing the scenario parser in-process: thousands of seeded mutations of the library's files (byte flips,
truncation, duplicated, deleted and swapped lines, re-indenting, type swaps, tags, anchors and aliases).
Every one must load or fail with a `ScenarioError`; any other exception is a crash."""

from __future__ import annotations

import random
import time
import traceback

from rehearse.scenarios.library import library_dir
from rehearse.scenarios.schema import Scenario, ScenarioError, load

SEED = 12
MUTATIONS = 3_000
BUDGET_S = 60.0
"""Stop early (after at least `MINIMUM`) on a slow machine, so the suite stays quick."""
MINIMUM = 600

VALUES = [
    "[resolved]",
    "{a: 1}",
    "!!int history",
    "!!float lots",
    "!!timestamp soon",
    "!!bool maybe",
    "~",
    "",
    "1e999",
    "-7",
    "*nowhere",
    "&x [*x]",
    '"\\0"',
    ".nan",
    "2024-01-01",
    "!!binary '@@@'",
    "~nosuchuser/v.onnx",
    "[[[]]]",
    "9" * 60,
    "x" * 5_000,
    "!!set {a}",
    "!!omap [a: 1]",
    "{[a]: 1}",
    "'",
    '"',
    "|",
    ">",
    "? a",
    "not " * 50 + "blamed",
    "(" * 40 + "x" + ")" * 40,
    "empathy >= " + "9" * 40,
    "!!str",
    "!!map",
    "!!seq",
    "<<: *nowhere",
    "- a",
    "a: b: c",
    "\t",
    "@x",
    "%YAML 1.1",
    "---",
    "...",
    "&a",
    "*a",
    "!custom x",
]
BYTES = b":-[]{}&*!|>'\"#%@`,?\n\t \x00\xff\xc3~.0123456789aZ"


def _mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(9)
    lines = data.split(b"\n")
    if kind == 0:  # flip bytes
        out = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(len(out))] = rng.choice(BYTES)
        return bytes(out)
    if kind == 1:  # truncate
        return data[: rng.randrange(len(data))]
    if kind == 2:  # duplicate a line
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == 3:  # delete lines
        del lines[rng.randrange(len(lines)) :][: rng.randint(1, 3)]
    elif kind == 4:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 5:  # re-indent a line
        i = rng.randrange(len(lines))
        lines[i] = b" " * rng.choice((0, 1, 3, 8)) + lines[i].lstrip()
    elif kind in (6, 7):  # swap a value for another type, tag or alias
        candidates = [i for i, line in enumerate(lines) if b": " in line or line.lstrip().startswith(b"- ")]
        if not candidates:
            return data
        i = rng.choice(candidates)
        cut = lines[i].index(b": ") + 2 if b": " in lines[i] else lines[i].index(b"- ") + 2
        lines[i] = lines[i][:cut] + rng.choice(VALUES).encode()
    else:  # an anchor on one value, an alias to it on another
        candidates = [i for i, line in enumerate(lines) if line.rstrip().endswith(b":") or b": " in line]
        if not candidates:
            return data
        i, j = rng.choice(candidates), rng.choice(candidates)
        cut = lines[i].index(b":") + 1
        lines[i] = lines[i][:cut] + b" &x" + lines[i][cut:]
        cut = lines[j].index(b":") + 1
        lines[j] = lines[j][:cut] + b" *x"
    return b"\n".join(lines)


def fuzz(tmp_path, mutations: int = MUTATIONS, budget_s: float = BUDGET_S, seed: int = SEED):
    """(mutations tried, how many loaded, crashes as (mutation number, traceback))."""
    rng = random.Random(seed)
    originals = [path.read_bytes() for path in sorted(library_dir().glob("*.yaml"))]
    path = tmp_path / "fuzzed.yaml"
    start, tried, valid, crashes = time.perf_counter(), 0, 0, []
    for n in range(mutations):
        if time.perf_counter() - start > budget_s and tried >= MINIMUM:
            break
        data = rng.choice(originals)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            data = _mutate(data, rng) or b"x"
        path.write_bytes(data)
        tried += 1
        try:
            valid += isinstance(load(path), Scenario)
        except ScenarioError as exc:
            assert exc.problems and all(p.startswith(f"{path}:") for p in exc.problems), exc.problems
        except Exception:  # noqa: BLE001 - exactly what the fuzzer looks for
            crashes.append((n, traceback.format_exc(limit=-3)))
    return tried, valid, crashes


def test_mutated_library_files_load_or_fail_with_a_scenario_error(tmp_path):
    tried, valid, crashes = fuzz(tmp_path)
    assert tried >= MINIMUM
    assert 0 < valid < tried  # the mutations reach past YAML into validation, and some survive it
    assert not crashes, f"{len(crashes)} crashes in {tried} mutations; first:\n{crashes[0][1]}"
