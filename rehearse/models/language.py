"""Is a reply English? Asked of the bundled multilingual Whisper when an English-only model's words look doubtful.

An English-only Whisper (tiny.en) writes English words for any speech; only their probabilities hint that the
speech was another language, and those overlap: German read speech gave a mean word probability of 0.30-0.60
over 280 decodes (faster-whisper's fallback samples, so decodes differ), a far-field English meeting 0.60-0.68.
Whisper's language ID tells them apart, so it decides for the doubtful ones. It is not asked for confident words.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import numpy as np

from rehearse.constants import SAMPLE_RATE
from rehearse.models.errors import ModelLoadError

_LOGGER = logging.getLogger(__name__)

LANGUAGE_MODEL = "base"
"""The bundled multilingual Whisper that identifies the language."""
DOUBTFUL_MEAN_P = 0.7
"""Below this mean word probability an English-only model's words are checked: real English clips gave 0.71-0.99
(the far-field meeting 0.60-0.68), German 0.30-0.60."""
NOT_ENGLISH_P = 0.05
"""Speech the language ID gives a probability of English below this is another language: German clips of 1.4-2 s
gave 0.000-0.013 (one 0.14), English clips 0.10 (6 s of the far-field meeting, heard as German 0.86) to 0.999."""
SURE_P = 0.5
"""...and the language it heard must have at least this probability (German clips: 0.98-1.0): without speech
Whisper still names a language, such as "nn" for noise."""
SPEECH_S = 5.9
"""The language is identified from the first seconds of the reply, which fit Whisper's short window (~0.3 s on
2 CPU cores, against ~1.5 s for the whole 30 s window)."""

_NAMES = {
    "ar": "Arabic", "de": "German", "es": "Spanish", "fr": "French", "hi": "Hindi", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
    "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def language_name(code: str) -> str:
    """A language's English name for a message ("German"), or its Whisper code where it is not one of the common."""
    return _NAMES.get(code, f"language code '{code}'")


class LanguageCheck:
    """Sets a doubtful English-only transcript's `language` to what the multilingual Whisper hears.

    `load(name)` returns a faster-whisper model (the caller's loader, so device and threads match); it is
    called once, on the first doubtful reply. `fitted` is the loader's thread-local switch to its short window.
    Without that model (not installed, failed to load) transcripts are left as they are, with one warning, and
    the coach's word-probability check still applies."""

    def __init__(self, load, fitted):
        self._load = load
        self._fitted = fitted
        self._model = None
        self._unavailable = False
        self._lock = threading.Lock()

    def confirm(self, transcript, audio: np.ndarray):
        """`transcript`, with the language the model hears when its words were doubtful and that is not English."""
        probabilities = [w.probability for w in transcript.words]
        if not probabilities or float(np.mean(probabilities)) >= DOUBTFUL_MEAN_P:
            return transcript
        heard = self._identify(np.asarray(audio, dtype=np.float32)[: int(SPEECH_S * SAMPLE_RATE)])
        if heard is None:
            return transcript
        language, language_p, english_p = heard
        _LOGGER.info("doubtful words; language ID heard %s %.3f (English %.3f)", language, language_p, english_p)
        other = english_p < NOT_ENGLISH_P and language_p >= SURE_P
        return replace(transcript, language=language) if other else transcript

    def _identify(self, audio: np.ndarray) -> tuple[str, float, float] | None:
        """The language heard, its probability and the probability of English; None without the model."""
        model = self._loaded()
        if model is None:
            return None
        self._fitted.active = True
        try:
            language, language_p, probabilities = model.detect_language(audio, vad_filter=True)
        except Exception as exc:  # a failed check must not lose the reply; the word check still applies
            _LOGGER.warning("could not identify the reply's language (%s: %s)", type(exc).__name__, exc)
            return None
        finally:
            self._fitted.active = False
        return language, language_p, dict(probabilities).get("en", 0.0)

    def _loaded(self):
        with self._lock:
            if self._model is None and not self._unavailable:
                try:
                    self._model = self._load(LANGUAGE_MODEL)
                except ModelLoadError as exc:
                    self._unavailable = True
                    _LOGGER.warning("replies in other languages are told only by their word probabilities: %s", exc)
            return self._model
