"""Speech-to-text with faster-whisper: word timestamps, bundled weights, honest CPU/GPU choice."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np

from rehearse.constants import SAMPLE_RATE
from rehearse.models.device import DeviceChoice, ctranslate2_device, is_gpu_failure
from rehearse.models.errors import ModelLoadError
from rehearse.models.registry import AUTO_WHISPER, DEFAULT_WHISPER, choose_whisper, whisper_model_path

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in seconds from the start of the audio."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Transcript:
    """The recognised text of one stretch of speech."""

    text: str
    words: tuple[Word, ...]
    language: str
    duration: float
    """Length of the audio that was transcribed, in seconds."""


class SpeechToText:
    """faster-whisper behind a small interface, mirroring `WhisperModel(model, device="auto")`.

    `model` is a bundled name ("tiny.en", "base"), "auto" (the best bundled one for the device, see
    `registry.choose_whisper`), a CTranslate2 model folder, or a faster-whisper hub name that is already
    in the local cache (nothing is downloaded unless `allow_download`).
    If the GPU fails later (out of memory, a driver error), the model reloads on the CPU with one
    warning and the failed call is retried there, so no reply is lost.
    """

    def __init__(self, model: str = DEFAULT_WHISPER, device: str = "auto", allow_download: bool = False):
        self.choice: DeviceChoice = ctranslate2_device(device)
        self.auto = model == AUTO_WHISPER
        self.name, self.model_reason = choose_whisper(self.choice.device) if self.auto else (model, "as asked")
        self._allow_download = allow_download
        self._fallback_lock = threading.Lock()
        self._open(self.name)
        if self.choice.device == "cuda":
            self._verify_cuda()

    def _open(self, name: str) -> None:
        self._path = whisper_model_path(name)
        self._model = self._load(self._path, self.choice, self._allow_download)
        self.english_only = name.endswith(".en") or self._model.model.is_multilingual is False

    @staticmethod
    def _load(path: str, choice: DeviceChoice, allow_download: bool):
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(
                path,
                device=choice.device,
                compute_type=choice.compute_type,
                cpu_threads=choice.threads,
                local_files_only=not allow_download,
            )
        except Exception as exc:  # faster-whisper raises many kinds for a missing/bad model
            hint = (
                "it is not in the local model cache and downloads are off (offline by default); "
                "use a bundled model (tiny.en, base) or a local model folder"
                if not allow_download
                else "check the name and your network connection"
            )
            raise ModelLoadError(f"cannot load Whisper model '{path}': {hint} ({type(exc).__name__}: {exc})") from exc

    def _verify_cuda(self) -> None:
        """CTranslate2 can load on CUDA yet fail at the first computation; find out now, not mid-turn."""
        try:
            self._transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32), None, 0.0, False, None)
        except RuntimeError as exc:
            self._use_cpu(self._model, f"CUDA failed at the first computation ({exc}); using CPU")

    def _use_cpu(self, failed_model, reason: str) -> None:
        """Reload on the CPU with one warning, unless another thread already did since `failed_model` failed."""
        with self._fallback_lock:
            if self._model is not failed_model:
                return
            _LOGGER.warning(reason)
            cpu = ctranslate2_device("cpu")
            self.choice = DeviceChoice(cpu.device, cpu.compute_type, cpu.threads, reason)
            if self.auto:
                self.name, self.model_reason = choose_whisper("cpu")
            self._open(self.name)

    def transcribe(
        self, audio: np.ndarray, prompt: str | None = None, offset: float = 0.0, vad: bool = True, on_progress=None
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 audio; word times are shifted by `offset` seconds.

        With `vad` (the default), Silero VAD skips non-speech first: silence and noise give an empty
        transcript instead of Whisper's invented words, for ~3 ms per second of audio. Pass
        `vad=False` for audio an endpointer has already cut to speech. `on_progress(done_s, total_s)` is
        called as each segment is transcribed (for long files).
        """
        model, device = self._model, self.choice.device
        try:
            return self._transcribe(audio, prompt, offset, vad, on_progress)
        except Exception as exc:
            if device != "cuda" or not is_gpu_failure(exc):
                raise
            why = f"the GPU failed while transcribing ({type(exc).__name__}: {exc}); continuing on the CPU"
            self._use_cpu(model, why)
        return self._transcribe(audio, prompt, offset, vad, on_progress)

    def _transcribe(self, audio: np.ndarray, prompt: str | None, offset: float, vad: bool, on_progress) -> Transcript:
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        started = time.perf_counter()
        segments, info = self._model.transcribe(
            audio,
            language="en" if self.english_only else None,
            beam_size=1,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=prompt,
            vad_filter=vad,
        )
        words: list[Word] = []
        texts: list[str] = []
        for segment in segments:  # the generator does the work only while it is consumed
            texts.append(segment.text.strip())
            for word in segment.words or ():
                words.append(Word(word.word.strip(), word.start + offset, word.end + offset, word.probability))
            if on_progress is not None:
                on_progress(segment.end, len(audio) / SAMPLE_RATE)
        _LOGGER.debug("transcribed %.2f s in %.0f ms", len(audio) / SAMPLE_RATE, 1000 * (time.perf_counter() - started))
        return Transcript(" ".join(t for t in texts if t), tuple(words), info.language, len(audio) / SAMPLE_RATE)
