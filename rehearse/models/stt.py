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
from rehearse.models.language import LanguageCheck
from rehearse.models.registry import AUTO_WHISPER, DEFAULT_WHISPER, choose_whisper, whisper_model_path

_LOGGER = logging.getLogger(__name__)


SHORT_WINDOW_FRAMES = 1000
"""The window (10 ms frames: 10 s) encoded for short live audio instead of Whisper's whole 30 s. The encoder's
cost grows with the window, so a 2 s tail cost as much as 30 s of speech (tiny.en: ~1.1-1.4 s on this 2-core
CPU). Shorter windows failed: speech plus no padding looped ("Go forward 10 meters." ten times), speech
plus 4 s often heard nothing in 1-2 s tails that the whole window heard. Longer speech keeps the whole
window: on 9-10 s tails a 14 s window was no faster (Whisper stopped early and decoded the rest again)."""
SHORT_SPEECH_FRAMES = SHORT_WINDOW_FRAMES - 400
"""Speech up to 6 s gets the short window (at least 4 s of Whisper's padding after it)."""

LIVE_TOKENS_PER_S = 7
"""A live decode may write this many tokens per second of audio, plus `LIVE_TOKENS_EXTRA` (fast speech is ~5):
a decode of a 1-2 s tail after a prompt sometimes ran on ("a little bit of a little bit of...") for 8-12 s."""
LIVE_TOKENS_EXTRA = 12

LIVE_DECODING = {"temperature": 0.0}
"""Live decodes are greedy once: faster-whisper's fallback (decoding again at temperatures 0.2-1.0 when the text
looks unlikely) took 2.1-2.5 s instead of 0.4 s on 1.7-2.1 s tails after a prompt ("4 of close, 7 of hearts.",
the same words), and a failed decode is tried again here without the prompt instead (`whisper_failure`)."""

LOOP_REPEATS = 3
"""A phrase of two or more words said this many times in a row is Whisper looping, not the speaker."""
LOOP_PHRASE_WORDS = 12
"""The longest looping phrase looked for (the loops seen were one short sentence)."""
FITTED_REPEAT_WORDS = 3
"""A fitted window that says a phrase of this many words twice in a row ("Don't take it so seriously. Don't
take it so seriously.") is decoded again on the whole window; a speaker who did repeat it costs only time."""
MAX_WORDS_PER_S = 6.0
"""Faster than any speaker: a transcript this dense is a loop."""

_fitted = threading.local()
"""`active` while this thread's call encodes a fitted window (`SpeechToText.transcribe(..., fitted=True)`)."""


def fitted_window(features: np.ndarray) -> np.ndarray:
    """Whisper's padded log-mel window (..., mels, 3000) cut to `SHORT_WINDOW_FRAMES` when its speech is short.

    faster-whisper pads the features with zeros after the log-mel (`audio.pad_or_trim`); a frame of
    speech or recorded silence is never exactly zero in every band."""
    frames = features.shape[-1]
    content = np.flatnonzero(np.any(features != 0, axis=-2).reshape(-1, frames).any(axis=0))
    speech = int(content[-1]) + 1 if content.size else 0
    if speech > SHORT_SPEECH_FRAMES or frames <= SHORT_WINDOW_FRAMES:
        return features
    return np.ascontiguousarray(features[..., :SHORT_WINDOW_FRAMES])


HEARD_NOTHING_SPEECH_S = 0.6
"""A decode with no words for at least this much speech (as VAD measured it, padding included) failed."""


def whisper_failure(heard: Transcript, speech_s: float, fitted: bool = False) -> str | None:
    """Why a decode is not to be trusted (it looped, or heard no words in audible speech), or None."""
    words = [w.text for w in heard.words]
    said_twice = fitted and looks_like_a_loop(words, 0, repeats=2, shortest=FITTED_REPEAT_WORDS)
    if said_twice or looks_like_a_loop(words, heard.duration):
        return f"looped ({heard.text[:80]!r})"
    if not heard.words and speech_s >= HEARD_NOTHING_SPEECH_S:
        return f"heard no words in {speech_s:.1f} s of speech"
    return None


UNSURE_WORD_P = 0.15
"""Whisper's own cut-off for a word it probably invented (faster-whisper's hallucination check)."""
INSTANT_WORD_S = 0.03
"""No spoken word is this short: Whisper gives its invented endings (".", "you.") no time."""


LONE_FUNCTION_WORDS = {"of", "the", "a", "an", "and", "to", "in", "for"}
"""Not a sentence on their own: "He might even have been made amiable himself. of." ends on an invented word."""


def without_invented_ending(words: list[Word]) -> list[Word]:
    """The words minus what Whisper invents after the speech ends ("Thank you.", "of.", "Okay.", "."):
    a trailing run of words it was unsure of, took no time to say, or that hold no letter or digit, and a
    function word standing alone as the last sentence."""
    keep = len(words)
    while keep:
        word = words[keep - 1]
        spoken = any(c.isalnum() for c in word.text) and word.end - word.start >= INSTANT_WORD_S
        if spoken and word.probability >= UNSURE_WORD_P:
            break
        keep -= 1
    lone = keep >= 2 and words[keep - 2].text.endswith((".", "?", "!"))
    if lone and words[keep - 1].text.lower().strip(".,!?") in LONE_FUNCTION_WORDS:
        keep -= 1
    return words[:keep]


def looks_like_a_loop(words: list[str], seconds: float, repeats: int = LOOP_REPEATS, shortest: int = 2) -> bool:
    """Whisper's failure mode on a short window: the same phrase (of `shortest` words or more) `repeats` times
    in a row, or impossibly many words for `seconds` of audio."""
    if seconds > 0 and len(words) > MAX_WORDS_PER_S * max(seconds, 1.0):
        return True
    tokens = [w.lower().strip(".,!?;:") for w in words]
    for size in range(shortest, min(LOOP_PHRASE_WORDS, len(tokens) // repeats) + 1):
        for start in range(len(tokens) - size * repeats + 1):
            phrase = tokens[start : start + size]
            if all(tokens[start + k * size : start + (k + 1) * size] == phrase for k in range(1, repeats)):
                return True
    return False


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
        self._language = LanguageCheck(lambda name: self._load(whisper_model_path(name), self.choice, False), _fitted)
        if self.choice.device == "cuda":
            self._verify_cuda()

    def _open(self, name: str) -> None:
        self._path = whisper_model_path(name)
        self._model = self._load(self._path, self.choice, self._allow_download)
        self.english_only = name.endswith(".en") or self._model.model.is_multilingual is False

    @staticmethod
    def _load(path: str, choice: DeviceChoice, allow_download: bool):
        from faster_whisper import WhisperModel

        class FittedWindowWhisper(WhisperModel):
            """Encodes the speech plus some padding instead of the whole 30 s window when the call asks for it."""

            def encode(self, features: np.ndarray):
                return super().encode(fitted_window(features) if getattr(_fitted, "active", False) else features)

        try:
            return FittedWindowWhisper(
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

    def confirm_language(self, transcript: Transcript, audio: np.ndarray) -> Transcript:
        """`transcript` with the language of `audio` as heard: an English-only model's doubtful words are checked
        by the bundled multilingual Whisper (`models.language`); a multilingual model identified it already."""
        return self._language.confirm(transcript, audio) if self.english_only else transcript

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
        self,
        audio: np.ndarray,
        prompt: str | None = None,
        offset: float = 0.0,
        vad: bool = True,
        on_progress=None,
        fitted: bool = False,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 audio; word times are shifted by `offset` seconds.

        With `vad` (the default), Silero VAD skips non-speech first: silence and noise give an empty
        transcript instead of Whisper's invented words, for ~3 ms per second of audio. Pass
        `vad=False` for audio an endpointer has already cut to speech. `on_progress(done_s, total_s)` is
        called as each segment is transcribed (for long files).
        `fitted`: the live path, where the learner waits: speech up to 6 s is encoded in a 10 s window
        instead of Whisper's whole 30 s (`fitted_window`), and a decode writes no more tokens than the audio
        can hold (`LIVE_TOKENS_PER_S`).
        A decode that failed (`whisper_failure`: no words for audible speech, or a loop) is tried again without
        the prompt, then on the whole window; what Whisper invents after the speech ends is dropped.
        """
        model, device = self._model, self.choice.device
        try:
            return self._transcribe(audio, prompt, offset, vad, on_progress, fitted)
        except Exception as exc:
            if device != "cuda" or not is_gpu_failure(exc):
                raise
            why = f"the GPU failed while transcribing ({type(exc).__name__}: {exc}); continuing on the CPU"
            self._use_cpu(model, why)
        return self._transcribe(audio, prompt, offset, vad, on_progress, fitted)

    def _transcribe(
        self, audio: np.ndarray, prompt: str | None, offset: float, vad: bool, on_progress, fitted: bool = False
    ) -> Transcript:
        """Decode, and decode again where Whisper failed: no words for audible speech, or a loop.

        Attempts in order: as asked; without the prompt (a 1-2 s tail after a prompt sometimes came
        back empty, in either window); the whole window without the prompt (a fitted window looped)."""
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        started = time.perf_counter()
        attempts = [(prompt, fitted)]
        attempts += [(None, fitted)] if prompt else []
        attempts += [(None, False)] if fitted else []
        for number, (attempt_prompt, attempt_fitted) in enumerate(attempts, 1):
            heard, speech_s = self._decode(audio, attempt_prompt, offset, vad, on_progress, attempt_fitted, fitted)
            failure = whisper_failure(heard, speech_s, attempt_fitted)
            if failure is None or number == len(attempts):
                break
            _LOGGER.info(
                "Whisper %s (prompt %s, fitted %s); decoding again", failure, bool(attempt_prompt), attempt_fitted
            )
        _LOGGER.debug("transcribed %.2f s in %.0f ms", heard.duration, 1000 * (time.perf_counter() - started))
        return heard

    def _decode(
        self, audio: np.ndarray, prompt: str | None, offset: float, vad: bool, on_progress, fitted: bool, live: bool
    ) -> tuple[Transcript, float]:
        """One decode: the transcript and the seconds of speech Whisper was given (after VAD)."""
        seconds = len(audio) / SAMPLE_RATE
        limit = LIVE_TOKENS_EXTRA + int(LIVE_TOKENS_PER_S * seconds) if live and seconds <= 30 else None
        _fitted.active = fitted
        try:
            segments, info = self._model.transcribe(
                audio,
                language="en" if self.english_only else None,
                beam_size=1,
                word_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                vad_filter=vad,
                max_new_tokens=limit,
                **LIVE_DECODING if live else {},
            )
            words: list[Word] = []
            texts: list[str] = []
            for segment in segments:  # the generator does the work only while it is consumed
                texts.append(segment.text.strip())
                for word in segment.words or ():
                    words.append(Word(word.word.strip(), word.start + offset, word.end + offset, word.probability))
                if on_progress is not None:
                    on_progress(segment.end, seconds)
        finally:
            _fitted.active = False
        text = " ".join(t for t in texts if t)
        kept = without_invented_ending(words)
        if len(kept) < len(words):
            _LOGGER.debug("dropped an invented ending: %r", " ".join(w.text for w in words[len(kept) :]))
            text = " ".join(w.text for w in kept)
        return Transcript(text, tuple(kept), info.language, seconds), info.duration_after_vad
