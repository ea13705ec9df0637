"""Every failure a user can fix is one `rehearse: error: ...` line (what happened, what to do) with exit status 2,
never a traceback; a failed write never damages the file that was there; a broken user scenario file does not
disturb commands about other scenarios. Each case runs the real program in a subprocess."""

from __future__ import annotations

import importlib.util
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.unit.test_scenario_hostile import ALIAS_BOMB

ROOT = Path(__file__).resolve().parents[2]


def rehearse(*argv, env=None, limit_file_bytes: int | None = None, timeout=120) -> subprocess.CompletedProcess:
    def limit():
        if limit_file_bytes is not None:  # like a full disk: writing past this size fails (EFBIG)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))

    return subprocess.run(
        [sys.executable, "-m", "rehearse.app.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        preexec_fn=limit,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def assert_user_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("rehearse: error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture()
def saved_session(tmp_path) -> tuple[Path, str]:
    """A data folder with one saved session of one turn (with a customer track)."""
    from rehearse.store import SessionStore

    store = SessionStore(folder=tmp_path / "data")
    session = store.start_session("kim", "internet-outage", seed=0)
    tone = (0.3 * np.sin(np.linspace(0, 2_000, 48_000))).astype(np.float32)
    store.add_turn(
        session,
        1,
        node_id="opening",
        customer_line="My internet is down.",
        customer_mood=0.6,
        transcript="I am sorry.",
        verdict={},
        step=None,
        next_line=None,
        outcome=None,
        customer_audio=(tone, 24_000),
        learner_audio=(tone[:16_000], 16_000),
    )
    store.end_session(session, "unfinished")
    return tmp_path / "data", session


FAILURES = {
    "say: unknown format": (["say", "hi", "--out", "{tmp}/keep.xyz"], ["unknown audio format '.xyz'", ".wav"]),
    "say: a folder": (["say", "hi", "--out", "{tmp}"], ["is a folder"]),
    "say: under a file": (["say", "hi", "--out", "{tmp}/file.txt/x.wav"], ["is a file, not a folder"]),
    "say: mood": (["say", "hi", "--mood", "3", "--out", "{tmp}/x.wav"], ["--mood must be from 0"]),
    "say: empty text": (["say", " ", "--out", "{tmp}/x.wav"], ["empty"]),
    "--db not a URL": (["replay", "--db", "notaurl"], ["not a database URL", "leave --db out"]),
    "--db unknown kind": (["replay", "--db", "foo://x/y"], ["unknown kind of database 'foo'"]),
    "--db without driver": (
        ["replay", "--db", "postgresql+psycopg2://kim:secret@localhost/rehearse"],
        ["module psycopg2", "not installed", "leave --db out"],
    ),
    "practice --db not a URL": (
        ["practice", "--scenario", "internet-outage", "--type", "--db", "notaurl"],
        ["not a database URL"],
    ),
    "practice without scenario": (["practice"], ["--scenario", "scenarios list"]),
    "practice unknown scenario": (["practice", "--scenario", "nope", "--type"], ["unknown scenario 'nope'"]),
    "score --texts missing": (["score", "--texts", "{tmp}/missing.txt"], ["cannot read", "missing.txt"]),
    "score --texts not text": (["score", "--texts", "{tmp}/file.bin"], ["not UTF-8"]),
    "score without replies": (["score"], ["--text"]),
    "score --baseline with text": (["score", "--text", "sorry", "--baseline", "x.wav"], ["--baseline needs"]),
    "score missing audio": (["score", "{tmp}/missing.wav", "--no-paraphrases"], ["no such file"]),
    "replay unknown session": (["replay", "nope", "--data-dir", "{tmp}/data"], ["no saved session"]),
    "replay --export unknown format": (
        ["replay", "last", "--export", "{tmp}/call.mp9", "--data-dir", "{tmp}/data"],
        ["unknown audio format"],
    ),
    "replay --export to a folder": (
        ["replay", "last", "--export", "{tmp}", "--data-dir", "{tmp}/data"],
        ["is a folder"],
    ),
    "replay --export under a file": (
        ["replay", "last", "--export", "{tmp}/file.txt/call.wav", "--data-dir", "{tmp}/data"],
        ["is a file, not a folder"],
    ),
    "scenarios show unknown": (["scenarios", "show", "nope"], ["unknown scenario 'nope'"]),
    "scenarios show broken file": (["scenarios", "show", "{tmp}/bomb.yaml"], ["bomb.yaml:", "aliases"]),
}


@pytest.mark.parametrize("name", FAILURES)
def test_each_user_failure_is_one_error_line_with_exit_2(name, tmp_path):
    if name == "--db without driver" and importlib.util.find_spec("psycopg2"):
        pytest.skip("psycopg2 is installed: the URL needs a driver that is not")
    (tmp_path / "file.txt").write_text("not a folder")
    (tmp_path / "file.bin").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    argv, words = FAILURES[name]
    result = rehearse(*(a.format(tmp=tmp_path) for a in argv))
    assert_user_error(result, *words)
    assert "secret" not in result.stderr


def test_replay_export_to_an_unwritable_place_is_an_error_line(tmp_path, saved_session):
    data, _ = saved_session
    result = rehearse("replay", "last", "--export", "/proc/call.wav", "--data-dir", data)
    assert_user_error(result, "/proc/call.wav")


def test_a_failed_export_leaves_the_old_file_intact_and_no_temporary_file(tmp_path, saved_session):
    data, session = saved_session
    out = tmp_path / "out" / "call.wav"
    out.parent.mkdir()
    out.write_bytes(b"the previous export")
    result = rehearse("replay", session[:8], "--export", out, "--data-dir", data, limit_file_bytes=20_000)
    assert_user_error(result, str(out), "unchanged", "disk space")
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in out.parent.iterdir()) == ["call.wav"]

    fresh = tmp_path / "out" / "new.wav"
    result = rehearse("replay", session[:8], "--export", fresh, "--data-dir", data, limit_file_bytes=20_000)
    assert_user_error(result, "nothing was written")
    assert sorted(p.name for p in out.parent.iterdir()) == ["call.wav"]

    result = rehearse("replay", session[:8], "--export", out, "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert sf.info(out).duration > 2.0
    assert sorted(p.name for p in out.parent.iterdir()) == ["call.wav"]


@pytest.mark.slow
def test_say_on_a_full_disk_keeps_the_old_file(tmp_path):
    out = tmp_path / "line.wav"
    out.write_bytes(b"old line")
    result = rehearse(
        "say", "I have been waiting for an hour and nobody called me back.", "--out", out, limit_file_bytes=20_000
    )
    assert_user_error(result, "unchanged")
    assert out.read_bytes() == b"old line"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["line.wav"]
    result = rehearse("say", "Fine.", "--out", out)
    assert result.returncode == 0, result.stderr
    assert sf.info(out).duration > 0.2


def test_a_broken_user_file_does_not_disturb_other_scenarios(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(ALIAS_BOMB)
    (folder / "deep.yaml").write_text("id: deep\nx: " + "[" * 10_000 + "]" * 10_000 + "\n")
    (folder / "outcome.yaml").write_text("id: outcome\nnodes: {a: {say: hi, outcome: [resolved]}}\n")
    env = {"REHEARSE_SCENARIOS": str(folder)}

    start = time.perf_counter()
    show = rehearse("scenarios", "show", "internet-outage", env=env)
    assert show.returncode == 0 and show.stderr == "", show.stderr
    assert "bomb" not in show.stdout and time.perf_counter() - start < 30

    listing = rehearse("scenarios", "list", env=env)
    assert listing.returncode == 0 and listing.stderr == "", listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == 13 and sum("INVALID" in line for line in lines) == 3, listing.stdout
    assert "Traceback" not in listing.stdout

    check = rehearse("scenarios", "check", env=env)
    assert check.returncode == 1 and check.stderr == "" and "Traceback" not in check.stdout
    assert "bomb.yaml:" in check.stdout and "deep.yaml:" in check.stdout and "outcome.yaml:" in check.stdout
    assert len(check.stdout.splitlines()) < 40


def test_looking_up_one_id_parses_only_the_files_that_may_hold_it(tmp_path, monkeypatch):
    from rehearse.scenarios import library

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "bomb.yaml").write_text(ALIAS_BOMB)
    (folder / "other.yaml").write_text("id: something-else\ntitle: x\n")
    (folder / "mine.yaml").write_text("title: no id line\n")
    monkeypatch.setenv("REHEARSE_SCENARIOS", str(folder))
    library.clear_cache()
    parsed = []
    real = library._check_file
    monkeypatch.setattr(library, "_check_file", lambda path: parsed.append(path.name) or real(path))

    assert library.find("internet-outage").id == "internet-outage"
    assert parsed == ["internet-outage.yaml"]
    parsed.clear()
    with pytest.raises(library.ScenarioError, match="mine.yaml"):
        library.find("mine")
    assert "other.yaml" not in parsed and "mine.yaml" in parsed
