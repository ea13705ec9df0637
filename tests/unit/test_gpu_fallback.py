"""A GPU that fails mid-session: the model moves to the CPU with one warning and the call is retried there.

The failing GPU is a collaborator that raises what CTranslate2 / torch raise (a CUDA-like RuntimeError);
the retry runs the real bundled models on the CPU, and its result is checked.
"""

import logging

import numpy as np
import pytest

from rehearse.coach import classifier, examples
from rehearse.models import embeddings
from rehearse.models.device import DeviceChoice
from rehearse.models.embeddings import SentenceEmbeddings
from rehearse.models.stt import SpeechToText

pytestmark = pytest.mark.slow

OUT_OF_MEMORY = "CUDA failed with error out of memory"


class _FailingGpu:
    """Stands in for a model on a GPU that has just failed: every call raises the GPU's error."""

    def __init__(self, error: Exception):
        self.error = error
        self.calls = 0

    def _fail(self, *args, **kwargs):
        self.calls += 1
        raise self.error

    transcribe = encode = __getitem__ = _fail


def _gpu_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "GPU failed" in r.getMessage()]


@pytest.fixture()
def whisper_on_failing_gpu():
    stt = SpeechToText("tiny.en", device="cpu")
    stt.choice = DeviceChoice("cuda", "float16", 0, "CUDA GPU found (1)")
    stt._model = _FailingGpu(RuntimeError(OUT_OF_MEMORY))
    return stt


def test_speech_to_text_retries_on_the_cpu_with_one_warning(whisper_on_failing_gpu, synth_reply, caplog):
    failing = whisper_on_failing_gpu._model
    reply = synth_reply("I am sorry about the outage, I will fix it today.")
    with caplog.at_level(logging.WARNING):
        first = whisper_on_failing_gpu.transcribe(reply)
        second = whisper_on_failing_gpu.transcribe(reply)
    assert failing.calls == 1
    assert "sorry" in first.text.lower() and "outage" in first.text.lower() and first.words
    assert second.text == first.text
    assert whisper_on_failing_gpu.choice.device == "cpu" and OUT_OF_MEMORY in whisper_on_failing_gpu.choice.reason
    assert len(_gpu_warnings(caplog)) == 1 and OUT_OF_MEMORY in _gpu_warnings(caplog)[0]


def test_speech_to_text_raises_errors_that_are_not_the_gpu(whisper_on_failing_gpu, caplog):
    whisper_on_failing_gpu._model = _FailingGpu(ValueError("audio must be 16 kHz"))
    with caplog.at_level(logging.WARNING), pytest.raises(ValueError, match="16 kHz"):
        whisper_on_failing_gpu.transcribe(np.zeros(16_000, np.float32))
    assert whisper_on_failing_gpu.choice.device == "cuda" and not _gpu_warnings(caplog)


@pytest.fixture()
def embeddings_on_failing_gpu(monkeypatch):
    """The bundled sentence model, chosen for "cuda", whose GPU copy fails; the CPU copy is the real one."""
    failing = _FailingGpu(RuntimeError("CUDA error: an illegal memory access was encountered"))
    real_load = embeddings._load
    monkeypatch.setattr(
        embeddings, "_load", lambda path, device: failing if device == "cuda" else real_load(path, device)
    )
    model = SentenceEmbeddings(device="cpu")
    model._device = "cuda"
    return model, failing


def test_sentence_embeddings_retry_on_the_cpu_with_one_warning(embeddings_on_failing_gpu, caplog):
    model, failing = embeddings_on_failing_gpu
    sentences = ["I'm so sorry about the delay.", "Apologies for the long wait."]
    with caplog.at_level(logging.WARNING):
        vectors = model.encode(sentences)
        again = model.encode(sentences)
    assert failing.calls == 1 and model.device == "cpu"
    assert vectors.shape == (2, 384) and vectors[0] @ vectors[1] > 0.5
    assert (again == vectors).all()
    assert len(_gpu_warnings(caplog)) == 1


def test_the_wording_layer_carries_on_on_the_cpu(embeddings_on_failing_gpu, monkeypatch, caplog):
    model, failing = embeddings_on_failing_gpu
    monkeypatch.setattr(examples, "_current", model)
    text = "I'm really sorry, that must be so frustrating. I'll send a technician tomorrow morning."
    with caplog.at_level(logging.WARNING):
        p = classifier.probabilities([text], [set()])
    assert failing.calls == 1 and model.device == "cpu"
    assert p.shape == (1, len(classifier.VOCABULARY))
    assert classifier.learned(p)[0][classifier.VOCABULARY.index("apologize")]
    assert len(_gpu_warnings(caplog)) == 1


def test_model_auto_falls_back_to_the_cpu_choice(synth_reply, caplog):
    """`--model auto` chose base for the GPU; on the CPU it keeps the live target with tiny.en instead."""
    stt = SpeechToText("auto", device="cpu")
    assert (stt.name, stt.auto) == ("tiny.en", True)
    stt.name, stt.choice = "base", DeviceChoice("cuda", "float16", 0, "CUDA GPU found (1)")
    stt._model = _FailingGpu(RuntimeError("cuBLAS failed with status CUBLAS_STATUS_EXECUTION_FAILED"))
    with caplog.at_level(logging.WARNING):
        transcript = stt.transcribe(synth_reply("Let me check your account right now."))
    assert stt.name == "tiny.en" and stt.english_only and stt.choice.device == "cpu"
    assert "account" in transcript.text.lower()
    assert len(_gpu_warnings(caplog)) == 1


def test_a_session_loses_no_turn_when_the_gpu_fails(whisper_on_failing_gpu, synth_reply, tts, tmp_path, caplog):
    """Two recorded replies through the engine; the GPU fails on the first: both turns are judged and saved."""
    from rehearse.app import events
    from rehearse.app.engine import build_engine
    from rehearse.app.options import PracticeOptions
    from rehearse.app.replies import RecordedReplies

    replies = [synth_reply("I'm so sorry about the outage."), synth_reply("I will send a technician tomorrow.")]
    options = PracticeOptions(scenario="internet-outage", device="cpu", data_dir=tmp_path, rules_only=True)
    engine = build_engine(options, RecordedReplies(replies), stt=whisper_on_failing_gpu, tts=tts)
    verdicts = []
    engine.subscribe(lambda event: verdicts.append(event) if isinstance(event, events.Verdict) else None)
    with caplog.at_level(logging.WARNING):
        engine.start()
        engine.wait()
    assert engine.error is None
    said = [v.turn.feedback.transcript.lower() for v in verdicts]
    assert len(said) == 2 and "outage" in said[0] and "technician" in said[1]
    assert engine.ended is not None and engine.ended.turns == 2
    assert len(_gpu_warnings(caplog)) == 1
