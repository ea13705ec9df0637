"""The models on a real NVIDIA GPU: Whisper through CTranslate2 with the wheels' CUDA 12 libraries, the
wording model and diarization through torch. CI and most developer machines have no GPU: these skip, saying so."""

from __future__ import annotations

import ctranslate2
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        ctranslate2.get_cuda_device_count() == 0, reason="needs an NVIDIA GPU that CTranslate2 sees (none here)"
    ),
]


def test_whisper_transcribes_on_the_gpu_in_float16(synth_reply):
    from rehearse.models.stt import SpeechToText

    stt = SpeechToText("auto", device="cuda")
    assert (stt.name, stt.choice.device, stt.choice.compute_type) == ("base", "cuda", "float16"), stt.choice.reason
    text = stt.transcribe(synth_reply("I am sorry about the outage, I will fix it today.")).text.lower()
    assert "sorry" in text and "outage" in text
    assert stt.choice.device == "cuda", stt.choice.reason  # no fallback happened on the way


def test_the_wording_model_runs_on_the_gpu(monkeypatch):
    from rehearse.coach import classifier, examples

    monkeypatch.setattr(examples, "_current", examples._current)  # later tests get the model they had
    classifier.load_adapter(device="cuda")
    hits = {h.move for h in classifier.detect("I'm so sorry about that, I'll send a technician tomorrow.")}
    assert examples.embeddings().device == "cuda" and {"apologize", "next_step"} <= hits
