"""`rehearse import` with the real models on short real recordings: stereo split, mono diarization, the agent
by voice, refusals that leave the store untouched, reruns that skip, and a folder on a local Ray cluster."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from rehearse.app.cli import main
from rehearse.constants import SAMPLE_RATE
from tests.call_files import headset_call

pytestmark = pytest.mark.slow

SCORE_KEYS = {"transcript", "duration_s", "metrics", "moves", "labels", "tip", "evidence", "scores", "baseline"}
SCORE_KEYS |= {"not_judged", "words"}


def _store(data_dir):
    from rehearse.store import SessionStore

    return SessionStore(folder=data_dir)


def _run_json(capsys, *argv) -> dict:
    assert main(["import", *map(str, argv), "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_stereo_call_is_split_by_channel_scored_and_saved_once(realspeech, tmp_path, capsys):
    call = headset_call(realspeech, 28.0, 60.0, tmp_path / "call.wav")
    data = tmp_path / "data"
    result = _run_json(capsys, call, "--agent-channel", "right", "--data-dir", data, "--rules-only")
    assert result["method"] == "stereo split"
    assert result["agent"]["speaker"] == "right" and result["agent"]["method"] == "channel"
    roles = {s["speaker"]: s["role"] for s in result["segments"]}
    assert roles == {"right": "agent", "left": "customer"}
    for segment in result["segments"]:
        assert set(segment) == {"speaker", "role", "start", "end", "text"}
        assert 0 <= segment["start"] < segment["end"] <= 32.01
    assert result["turns"], "the agent speaks for ~15 s: at least one turn"
    for turn in result["turns"]:
        assert SCORE_KEYS <= set(turn)
    assert any(t["transcript"] for t in result["turns"])
    assert 0.0 < result["talk_ratio"] < 1.0
    assert {"agent_interrupted", "customer_interrupted", "events"} <= set(result["overtalk"])
    assert result["silences"]["longer_than_s"] == 3.0

    store = _store(data)
    [session] = store.sessions()
    assert session["kind"] == "real call" and session["id"] == result["session"]
    turns = store.turns(session["id"])
    assert [t["transcript"] for t in turns] == [t["transcript"] for t in result["turns"]]
    assert store.audio(turns[0], "learner") is not None

    assert main(["import", str(call), "--data-dir", str(data), "--json"]) == 0  # same bytes: skipped
    assert json.loads(capsys.readouterr().out)["skipped"] is True
    assert len(_store(data).sessions()) == 1


def test_a_mono_call_is_diarized_and_the_agent_found_by_their_voice(realspeech, tmp_path, capsys):
    call = realspeech / "conversation" / "conv_pyannote_sample_phonecall.wav"
    audio, rate = sf.read(call, dtype="float32")
    reference = [line.split() for line in call.with_suffix(".rttm").read_text().splitlines() if line.strip()]
    diane = [(float(f[3]), float(f[3]) + float(f[4])) for f in reference if f[7] == "speaker90"]
    sample = tmp_path / "diane.wav"
    sf.write(sample, np.concatenate([audio[int(a * rate) : int(b * rate)] for a, b in diane]), rate)

    result = _run_json(capsys, call, "--agent-sample", sample, "--data-dir", tmp_path / "data", "--rules-only")
    assert result["method"] == "diarized"
    assert len({s["speaker"] for s in result["segments"]}) == 2
    assert result["agent"]["method"] == "voice" and result["agent"]["confidence"] > 0.5
    agent_time = sum(
        max(0.0, min(b, s["end"]) - max(a, s["start"]))
        for s in result["segments"]
        if s["role"] == "agent"
        for a, b in diane
    )
    agent_total = sum(s["end"] - s["start"] for s in result["segments"] if s["role"] == "agent")
    assert agent_time > 0.7 * agent_total, "the agent's segments are Diane's speech"
    assert result["turns"] and all(SCORE_KEYS <= set(t) for t in result["turns"])


def _refused(capsys, path, data_dir, *words):
    assert main(["import", str(path), "--data-dir", str(data_dir)]) == 2
    message = capsys.readouterr().err
    assert str(path) in message
    for word in words:
        assert word in message
    assert _store(data_dir).sessions() == []
    assert not (data_dir / "audio").exists() or not any((data_dir / "audio").iterdir())


def test_one_voice_only_is_refused_and_nothing_is_saved(realspeech, tmp_path, capsys):
    clips = [realspeech / "asr" / f"asr_librivox_sense_{n}.wav" for n in ("0870", "0880", "0930")]
    path = tmp_path / "monologue.wav"
    sf.write(path, np.concatenate([sf.read(c, dtype="float32")[0] for c in clips]), SAMPLE_RATE)
    _refused(capsys, path, tmp_path / "data", "only one voice")


def test_music_only_is_refused_and_nothing_is_saved(tmp_path, capsys):
    t = np.arange(20 * SAMPLE_RATE) / SAMPLE_RATE
    notes = 220.0 * 2 ** (np.floor(t * 2) % 8 / 12)  # a new note every half second
    music = sum(0.1 / k * np.sin(2 * np.pi * k * notes * t) for k in (1, 2, 3, 4))
    path = tmp_path / "hold_music.wav"
    sf.write(path, music.astype(np.float32), SAMPLE_RATE)
    _refused(capsys, path, tmp_path / "data", "no speech")


def test_a_folder_runs_on_a_local_ray_cluster_one_session_per_call_failures_listed(realspeech, tmp_path):
    import ray

    from rehearse.app.calls.folder import import_folder
    from rehearse.app.calls.importer import ImportSettings

    folder = tmp_path / "calls"
    folder.mkdir()
    calls = [
        headset_call(realspeech, 0.0, 12.0, folder / "a.wav"),
        headset_call(realspeech, 28.0, 60.0, folder / "b.wav"),
    ]
    broken = folder / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt ")
    data = tmp_path / "data"
    settings = ImportSettings(data_dir=str(data), device="cpu", agent_channel="left", semantic=False)
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        outcomes = import_folder([*calls, broken], settings, workers=2, ray_address="auto")
        again = import_folder([*calls, broken], settings, workers=2, ray_address="auto")
    finally:
        ray.shutdown()
    status = {o["file"]: o["status"] for o in outcomes}
    assert status == {str(calls[0]): "imported", str(calls[1]): "imported", str(broken): "failed"}
    [failure] = [o for o in outcomes if o["status"] == "failed"]
    assert str(broken) in failure["error"]
    assert {o["file"]: o["status"] for o in again} == {**status, str(calls[0]): "skipped", str(calls[1]): "skipped"}
    sessions = _store(data).sessions()
    assert len(sessions) == 2 and all(s["kind"] == "real call" for s in sessions)
    assert sorted(o["session"] for o in outcomes if o["session"]) == sorted(s["id"] for s in sessions)


def test_the_learners_practice_voice_finds_them_in_a_call_and_is_kept_in_the_store(realspeech, tmp_path, capsys):
    from rehearse.store.calls import stored_voice_print
    from tests.store.helpers import add_turn

    call = realspeech / "conversation" / "conv_pyannote_sample_phonecall.wav"
    audio, rate = sf.read(call, dtype="float32")
    reference = [line.split() for line in call.with_suffix(".rttm").read_text().splitlines() if line.strip()]
    diane = [(float(f[3]), float(f[3]) + float(f[4])) for f in reference if f[7] == "speaker90"]
    data = tmp_path / "data"
    store = _store(data)
    practice = store.start_session("diane", "internet-outage", seed=1)
    for index, (a, b) in enumerate(diane[:6], 1):  # her replies in practice: her voice, another day
        add_turn(store, practice, index, learner_audio=(audio[int(a * rate) : int(b * rate)], rate))
    store.end_session(practice, "unfinished")

    result = _run_json(capsys, call, "--learner", "diane", "--data-dir", data, "--rules-only")
    assert result["agent"]["method"] == "voice"
    agent = [(s["start"], s["end"]) for s in result["segments"] if s["role"] == "agent"]
    mine = sum(max(0.0, min(b, e) - max(a, s)) for s, e in agent for a, b in diane)
    assert mine > 0.7 * sum(e - s for s, e in agent)
    kept = stored_voice_print(_store(data), "diane")
    assert kept is not None and kept[1] == 1 and kept[0].shape == (192,)
    sessions = _store(data).sessions("diane")
    assert sorted(s["kind"] or "practice" for s in sessions) == ["practice", "real call"]
