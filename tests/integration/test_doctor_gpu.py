"""`rehearse doctor` says where each model runs and why; `--device cuda` without a usable GPU is one clear error.

These run the real program on this machine. CI has no GPU: the cases that need one skip with the reason.
"""

from __future__ import annotations

import json

import ctranslate2
import pytest

from tests.integration.test_cli_messages import rehearse

pytestmark = pytest.mark.slow

HAS_GPU = ctranslate2.get_cuda_device_count() > 0


def _doctor(*argv) -> dict[str, dict]:
    done = rehearse("doctor", "--json", *argv, timeout=300)
    return {c["check"]: c for c in json.loads(done.stdout)}


def test_doctor_says_where_each_model_runs_and_why():
    checks = _doctor("--model", "auto")
    stt = checks["speech-to-text"]
    assert stt["ok"] and (" on cpu (int8)" in stt["detail"] or " on cuda (float16)" in stt["detail"])
    assert "--model auto:" in stt["detail"]
    assert checks["wording model"]["ok"] and " on " in checks["wording model"]["detail"]
    assert "libcublas.so.12" in checks["CUDA 12 libs"]["detail"]
    if not HAS_GPU:
        assert "Whisper tiny.en" in stt["detail"] and "no CUDA GPU visible" in stt["detail"]
        assert "torch sees no CUDA GPU" in checks["wording model"]["detail"]
        assert checks["CUDA 12 libs"]["detail"].startswith("not needed without a CUDA GPU")


@pytest.mark.skipif(HAS_GPU, reason="this machine has a CUDA GPU, so --device cuda is usable here")
def test_device_cuda_without_a_gpu_is_one_clear_error(tmp_path):
    checks = _doctor("--device", "cuda")
    for name in ("speech-to-text", "wording model"):
        assert not checks[name]["ok"] and "--device cuda was asked for but" in checks[name]["detail"]
    reply = tmp_path / "reply.wav"
    done = rehearse("say", "Sorry about that.", "--out", reply)
    assert done.returncode == 0, done.stderr
    done = rehearse("score", reply, "--device", "cuda")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert (
        done.stderr.startswith("rehearse: error: --device cuda was asked for but")
        and "use --device auto or cpu" in done.stderr
    )


@pytest.mark.skipif(not HAS_GPU, reason="needs an NVIDIA GPU that CTranslate2 sees (none on this machine)")
def test_whisper_runs_on_the_gpu_with_the_wheel_libraries():
    stt = _doctor("--device", "cuda")["speech-to-text"]
    assert stt["ok"] and " on cuda (float16)" in stt["detail"], stt["detail"]
