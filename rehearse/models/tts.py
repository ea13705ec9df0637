"""Text-to-speech with Piper: sentence-by-sentence synthesis with rate, pitch and level controls."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import soxr

from rehearse.constants import SENTENCE_GAP_S
from rehearse.models.errors import ModelLoadError
from rehearse.models.registry import DEFAULT_VOICE, voice_paths

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceStyle:
    """How a line is spoken. The neutral style reproduces the voice as trained."""

    rate: float = 1.0
    """Speaking-rate factor: 1.2 is 20 % faster."""
    pitch_semitones: float = 0.0
    """Pitch shift in semitones (positive is higher)."""
    level_db: float = -6.0
    """Peak level in dBFS of each sentence."""
    expressiveness: float = 0.667
    """Piper generator noise (noise_scale): more gives a livelier, less even voice."""
    duration_noise: float = 0.8
    """Piper duration noise (noise_w_scale): more varies how long each sound lasts. With both noises at 0 the
    same text always gives the same audio (the tests' learner voice)."""

    @classmethod
    def from_dict(cls, data: dict) -> VoiceStyle:
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class SpokenSentence:
    """One synthesized sentence."""

    audio: np.ndarray
    """Mono float32 samples in [-1, 1]."""
    sample_rate: int


class TextToSpeech:
    """A Piper voice: "joe" (bundled) or a path to any Piper `.onnx` voice."""

    def __init__(self, voice: str = DEFAULT_VOICE, use_cuda: bool = False):
        from piper import PiperVoice

        model, config = voice_paths(voice)
        self.name = voice
        try:
            self._voice = PiperVoice.load(model, config_path=config, use_cuda=use_cuda)
        except Exception as exc:
            raise ModelLoadError(f"cannot load Piper voice {model}: {type(exc).__name__}: {exc}") from exc
        self.sample_rate: int = self._voice.config.sample_rate

    def sentences(self, text: str, style: VoiceStyle = VoiceStyle()) -> Iterator[SpokenSentence]:
        """Synthesize `text` one sentence at a time, so playback can start after the first."""
        from piper import SynthesisConfig

        # Pitch is shifted by resampling, which also changes duration by the same ratio; Piper
        # stretches the phonemes by that ratio first so the final rate is exactly `style.rate`.
        pitch_ratio = 2.0 ** (style.pitch_semitones / 12.0)
        config = SynthesisConfig(
            length_scale=pitch_ratio / max(style.rate, 0.1),
            noise_scale=style.expressiveness,
            noise_w_scale=style.duration_noise,
            normalize_audio=True,
            volume=10.0 ** (style.level_db / 20.0),
        )
        for chunk in self._voice.synthesize(text, syn_config=config):
            audio = chunk.audio_float_array
            if abs(pitch_ratio - 1.0) > 1e-3:
                audio = soxr.resample(audio, self.sample_rate * pitch_ratio, self.sample_rate, quality="HQ")
            yield SpokenSentence(audio.astype(np.float32), self.sample_rate)

    def synthesize(self, text: str, style: VoiceStyle = VoiceStyle()) -> tuple[np.ndarray, int]:
        """The whole text as one array, with `SENTENCE_GAP_S` between sentences."""
        return join_sentences(list(self.sentences(text, style)), self.sample_rate)


def join_sentences(sentences: list[SpokenSentence], sample_rate: int) -> tuple[np.ndarray, int]:
    """Sentences as one array with `SENTENCE_GAP_S` of silence between them."""
    gap = np.zeros(int(SENTENCE_GAP_S * sample_rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    for sentence in sentences:
        parts += [gap, sentence.audio] if parts else [sentence.audio]
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)), sample_rate
