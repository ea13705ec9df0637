"""The store as a clumsy user and a hostile machine meet it: killed programs, damaged databases, odd umasks,
read-only and full disks, and several programs opening a fresh folder at once. Real files, real SQLite."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rehearse.store import SessionStore

TONE = (0.1 * np.sin(np.linspace(0, 200, 16_000))).astype(np.float32)


def cli(*args: str, data: Path, umask: int | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "REHEARSE_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "rehearse.app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


def one_clear_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stderr.startswith("rehearse: error:") and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stderr


def add_turn(store, session_id, index, **audio):
    return store.add_turn(
        session_id,
        index,
        node_id="opening",
        customer_line="Third call!",
        customer_mood=0.7,
        transcript="I'm sorry",
        verdict={"scores": {"empathy": 50.0}},
        step={"goto": "history"},
        next_line="Okay.",
        outcome=None,
        customer_audio=audio.get("customer"),
        learner_audio=audio.get("learner"),
    )


KILLED_MID_SESSION = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from rehearse.store import SessionStore
    store = SessionStore(folder=sys.argv[1])
    sid = store.start_session("sam", "internet-outage", seed=0)
    tone = np.zeros(16000, np.float32)
    store.add_turn(sid, 1, node_id="opening", customer_line="Hi", customer_mood=0.5, transcript="sorry",
                   verdict={"scores": {}}, step={"goto": "history"}, next_line="Ok.", outcome=None,
                   customer_audio=(tone, 22050), learner_audio=(tone, 16000))
    folder = store.folder / "audio" / sid
    (folder / "turn-02-customer.flac.partial").write_bytes(b"half a file")
    (folder / "turn-02-customer.flac").write_bytes(b"written before its row failed")
    (folder / "microphone.flac").write_bytes(b"the live track")
    print(sid, flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.read()  # runs until its input closes
""")


def test_a_killed_session_is_closed_as_unfinished_and_its_stray_audio_removed(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MID_SESSION, str(tmp_path), "kill"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -signal.SIGKILL
    sid = done.stdout.strip()
    assert sqlite3.connect(tmp_path / "rehearse.db").execute(
        "SELECT status FROM sessions WHERE id = ?", (sid,)
    ).fetchone() == ("in_progress",)

    store = SessionStore(folder=tmp_path)
    session = store.session(sid)
    assert session["status"] == "unfinished" and "stopped before the session was closed" in session["note"]
    [turn] = store.turns(sid)
    assert Path(turn["learner_audio"]).is_file() and Path(turn["customer_audio"]).is_file()
    left = sorted(p.name for p in (tmp_path / "audio" / sid).iterdir())
    assert left == ["microphone.flac", "turn-01-customer.flac", "turn-01-learner.flac"]


def test_a_session_still_running_in_another_program_is_left_alone(tmp_path):
    running = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_SESSION, str(tmp_path), "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sid = running.stdout.readline().strip()
        assert SessionStore(folder=tmp_path).session(sid)["status"] == "in_progress"
    finally:
        running.kill()
        running.wait(30)
    assert SessionStore(folder=tmp_path).session(sid)["status"] == "unfinished"


def test_recordings_are_private_whatever_the_umask(tmp_path):
    data = tmp_path / "data"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rehearse.app.cli",
            "practice",
            "--scenario",
            "internet-outage",
            "--type",
            "--rules-only",
        ],
        input="I'm sorry, I'll book a technician.\n\n",
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0),
        env={**os.environ, "REHEARSE_DATA_DIR": str(data)},
    )
    assert done.returncode == 0, done.stderr
    paths = [data, *data.rglob("*")]
    assert any(p.suffix == ".flac" for p in paths) and any(p.name == "rehearse.db" for p in paths)
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is {oct(path.stat().st_mode)}"


def _saved_session(folder: Path) -> str:
    store = SessionStore(folder=folder)
    sid = store.start_session("sam", "internet-outage", seed=0)
    add_turn(store, sid, 1, learner=(TONE, 16_000))
    store.end_session(sid, "unfinished", note="test")
    store.close()
    return sid


def test_a_damaged_database_is_one_clear_message_for_every_reader(tmp_path):
    _saved_session(tmp_path)
    with sqlite3.connect(tmp_path / "rehearse.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database = tmp_path / "rehearse.db"
    data = bytearray(database.read_bytes())
    data[4096:8192] = os.urandom(4096)  # garbage in page 2
    database.write_bytes(bytes(data))
    for command in (["replay", "last"], ["replay"], ["next", "--learner", "sam"]):
        message = one_clear_line(cli(*command, data=tmp_path))
        assert "damaged" in message or "malformed" in message, message


def test_a_damaged_turn_or_timestamp_spoils_only_itself(tmp_path):
    sid = _saved_session(tmp_path)
    with sqlite3.connect(tmp_path / "rehearse.db") as db:
        db.execute("UPDATE turns SET feedback = '{not json' WHERE session_id = ?", (sid,))
        db.execute("UPDATE sessions SET ended_at = 'yesterday-ish' WHERE id = ?", (sid,))
    done = cli("replay", sid[:8], data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Turn 1" in done.stdout and "damaged" in done.stdout


def test_a_database_with_other_tables_or_from_a_newer_version_says_so(tmp_path):
    _saved_session(tmp_path / "renamed")
    with sqlite3.connect(tmp_path / "renamed" / "rehearse.db") as db:
        db.execute("ALTER TABLE sessions RENAME COLUMN learner TO person")
    assert "do not match this version" in one_clear_line(cli("replay", data=tmp_path / "renamed"))

    _saved_session(tmp_path / "newer")
    with sqlite3.connect(tmp_path / "newer" / "rehearse.db") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    assert "newer version of Rehearse" in one_clear_line(cli("replay", data=tmp_path / "newer"))


def test_four_programs_opening_a_fresh_folder_at_once_all_succeed(tmp_path):
    for attempt in range(6):
        data = tmp_path / f"fresh{attempt}"
        env = {**os.environ, "REHEARSE_DATA_DIR": str(data)}
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "rehearse.app.cli", "replay"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        for process in started:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err


@pytest.fixture()
def small_disk(tmp_path):
    """A real, tiny filesystem (tmpfs); needs root, as on CI and the developers' machines."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_folder_still_replays_and_says_why_it_cannot_save(small_disk):
    sid = _saved_session(small_disk)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = cli("replay", sid[:8], data=small_disk)
    assert done.returncode == 0 and "Turn 1" in done.stdout, done.stderr
    assert cli("next", "--learner", "sam", data=small_disk).returncode == 0
    message = one_clear_line(
        cli("practice", "--scenario", "internet-outage", "--type", "--rules-only", data=small_disk)
    )
    assert "read-only" in message


@pytest.mark.slow
def test_a_full_disk_keeps_every_saved_turn_and_leaves_no_stray_file(small_disk, tmp_path, synth_reply):
    replies = []
    for i in range(8):
        replies.append(tmp_path / f"reply{i}.wav")
        sf.write(replies[-1], synth_reply("I'm so sorry about this, I'll book a technician for tomorrow."), 16_000)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 180_000)  # leaves room for the database and a turn or two
    done = cli(
        "practice", "--scenario", "internet-outage", "--rules-only", "--replies", *map(str, replies), data=small_disk
    )
    message = one_clear_line(done)
    assert "disk is full" in message, message
    filler.unlink()
    store = SessionStore(folder=small_disk)
    [session] = store.sessions()
    assert session["status"] == "unfinished"
    rows = store.turns(session["id"])
    audio = sorted((small_disk / "audio" / session["id"]).iterdir())
    referenced = {Path(r[k]) for r in rows for k in ("customer_audio", "learner_audio") if r[k]}
    assert set(audio) == referenced  # no .partial, no track without its row
    assert all(sf.info(str(p)).frames > 0 for p in audio)
