"""Smart Turn v3.2: the file found in the installed pipecat-ai wheel, its features, and the fallback when it is not."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from rehearse.audio import turn_end
from rehearse.constants import SAMPLE_RATE


def test_the_model_file_is_found_in_the_installed_package_and_verified():
    path = turn_end.bundled_path()
    assert path is not None and path.name == "smart-turn-v3.2-cpu.onnx"
    assert turn_end.verified_path() == path
    assert "Smart Turn v3.2" in turn_end.describe()


def test_finding_the_file_does_not_import_the_framework():
    import subprocess
    import sys

    code = "import sys; from rehearse.audio import turn_end; turn_end.verified_path(); print('pipecat' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_features_match_pipecats_own_extractor():
    reference = pytest.importorskip("pipecat.audio.turn.smart_turn._whisper_features")
    audio = turn_end.last_seconds(np.random.default_rng(1).normal(0, 0.1, 3 * SAMPLE_RATE))
    assert audio.size == 8 * SAMPLE_RATE and not audio[: 5 * SAMPLE_RATE].any()  # zero-padded at the start
    ours = turn_end.log_mel(audio)
    assert ours.shape == (80, 800)
    np.testing.assert_allclose(ours, reference.compute_whisper_log_mel_features(audio), atol=1e-5)


@pytest.mark.slow
def test_a_finished_sentence_scores_higher_than_one_cut_after_and(synth_reply):
    model = turn_end.SmartTurn()
    finished = model.probability(
        np.concatenate([synth_reply("Yes, I can do that for you today."), np.zeros(SAMPLE_RATE // 5, np.float32)])
    )
    unfinished = model.probability(
        np.concatenate([synth_reply("I can see your account, and"), np.zeros(SAMPLE_RATE // 5, np.float32)])
    )
    assert finished > 0.5 > unfinished or finished - unfinished > 0.3, (finished, unfinished)


@pytest.fixture()
def fresh_warning(monkeypatch):
    monkeypatch.setattr(turn_end, "_warned_once", [])


def test_a_missing_file_falls_back_with_one_warning(tmp_path, caplog, fresh_warning):
    caplog.set_level(logging.WARNING, logger="rehearse.audio.turn_end")
    assert turn_end.load(tmp_path / "nothing.onnx") is None
    assert turn_end.load(tmp_path / "nothing.onnx") is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "silence alone" in warnings[0].getMessage()
    assert "missing" in warnings[0].getMessage()


def test_a_corrupt_file_falls_back_with_one_warning(tmp_path, caplog, fresh_warning):
    caplog.set_level(logging.WARNING, logger="rehearse.audio.turn_end")
    damaged = tmp_path / "smart-turn-v3.2-cpu.onnx"
    damaged.write_bytes(turn_end.verified_path().read_bytes()[:100_000])
    assert turn_end.load(damaged) is None
    assert turn_end.load(damaged, sha256=None) is None  # not even onnxruntime can read it
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "sha256" in warnings[0].getMessage()


def test_doctor_says_silence_alone_when_pipecat_is_not_installed(monkeypatch):
    monkeypatch.setattr(turn_end.importlib.util, "find_spec", lambda name: None)
    assert turn_end.describe().startswith("silence alone")
