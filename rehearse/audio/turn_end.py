"""End of turn from the sound: Smart Turn v3.2 (BSD-2-Clause), the ONNX model bundled in the `pipecat-ai` wheel.

Only the file is used: it is found with `importlib.util.find_spec("pipecat")` (which does not run the
framework's code), checked against its sha256, and run with onnxruntime on one thread. Its input is the
last 8 s of 16 kHz audio (zero-padded at the start) as Whisper-style 80x800 log-mel features, computed
here with numpy exactly as pipecat's `_whisper_features.py` does (itself a copy of transformers'
`WhisperFeatureExtractor(chunk_length=8)` with `do_normalize=True`); the output is the probability that
the speaker has finished their turn.

A missing or damaged file is not an error: `load()` returns None with one warning, and the endpointer
falls back to ending turns on silence alone (`rehearse doctor` says which detector is in use).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from rehearse.audio.worker import NewestRequestWorker
from rehearse.constants import SAMPLE_RATE

_LOGGER = logging.getLogger(__name__)

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
MODEL_PACKAGE_PATH = ("audio", "turn", "smart_turn", "data")
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
"""sha256 of smart-turn-v3.2-cpu.onnx as shipped in pipecat-ai 1.14.0 (8,679,182 bytes)."""
SECONDS = 8
PRE_SPEECH_S = 0.5
"""Audio before the speech start given to the model (pipecat's pre_speech_ms)."""
N_FFT, HOP, N_MELS = 400, 160, 80


class ModelFileError(RuntimeError):
    """The Smart Turn file is missing or is not the expected model."""


def bundled_path() -> Path | None:
    """Where the installed pipecat-ai wheel keeps the model, or None when pipecat-ai is not installed."""
    spec = importlib.util.find_spec("pipecat")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder).joinpath(*MODEL_PACKAGE_PATH, MODEL_FILE)
        if path.exists():
            return path
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*MODEL_PACKAGE_PATH, MODEL_FILE)


@cache
def _sha256(path: Path, size: int, mtime: float) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_path(path: Path | None = None, sha256: str | None = MODEL_SHA256) -> Path:
    """The model file, checked; raises `ModelFileError` saying what is wrong."""
    path = bundled_path() if path is None else Path(path)
    if path is None:
        raise ModelFileError("pipecat-ai is not installed (pip install pipecat-ai): it carries the Smart Turn model")
    if not path.is_file():
        raise ModelFileError(f"{path} is missing")
    stat = path.stat()
    if sha256 is not None and _sha256(path, stat.st_size, stat.st_mtime) != sha256:
        raise ModelFileError(f"{path} is not Smart Turn v3.2 (sha256 differs: damaged or replaced)")
    return path


# -- features (numpy, after pipecat's _whisper_features.py / transformers' WhisperFeatureExtractor) -----------


def _hz_to_mel(freq: np.ndarray) -> np.ndarray:
    freq = np.atleast_1d(np.asarray(freq, dtype=np.float64))
    mels = 3.0 * freq / 200.0
    log = freq >= 1000.0
    mels[log] = 15.0 + np.log(freq[log] / 1000.0) * (27.0 / np.log(6.4))
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    mels = np.atleast_1d(np.asarray(mels, dtype=np.float64))
    freq = 200.0 * mels / 3.0
    log = mels >= 15.0
    freq[log] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mels[log] - 15.0))
    return freq


def _mel_filters() -> np.ndarray:
    """Slaney-normalised triangular filters, (201 frequency bins, 80 mels)."""
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0)[0], _hz_to_mel(SAMPLE_RATE / 2)[0], N_MELS + 2))
    bins = np.linspace(0, SAMPLE_RATE // 2, N_FFT // 2 + 1)
    slopes = edges[None, :] - bins[:, None]
    widths = np.diff(edges)
    filters = np.maximum(0.0, np.minimum(-slopes[:, :-2] / widths[:-1], slopes[:, 2:] / widths[1:]))
    return filters * (2.0 / (edges[2 : N_MELS + 2] - edges[:N_MELS]))[None, :]


_FILTERS_T = _mel_filters().T
_WINDOW = np.hanning(N_FFT + 1)[:-1]  # periodic Hann, as torch.hann_window


def last_seconds(audio: np.ndarray, seconds: float = SECONDS) -> np.ndarray:
    """The last `seconds` of `audio`, zero-padded at the start to exactly that length."""
    n = int(seconds * SAMPLE_RATE)
    audio = np.asarray(audio, dtype=np.float32)[-n:]
    return np.pad(audio, (n - audio.size, 0)) if audio.size < n else audio


def log_mel(audio: np.ndarray) -> np.ndarray:
    """Whisper-style log-mel features (80, 800) of exactly 8 s of 16 kHz audio, normalised as the model expects."""
    x = np.asarray(audio, dtype=np.float32)
    if x.size != SECONDS * SAMPLE_RATE:
        raise ValueError(f"expected {SECONDS * SAMPLE_RATE} samples, got {x.size}")
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), (N_FFT // 2, N_FFT // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=-1)) ** 2
    mel = np.log10(np.maximum(1e-10, _FILTERS_T @ power.T))[:, :-1]
    mel = np.maximum(mel, mel.max() - 8.0)
    return ((mel + 4.0) / 4.0).astype(np.float32)


# -- the model ----------------------------------------------------------------------------------------------


class SmartTurn:
    """Probability that the turn is finished, from the audio up to now (the last 8 s are used)."""

    def __init__(self, path: Path | None = None, sha256: str | None = MODEL_SHA256):
        import onnxruntime as ort

        self.path = verified_path(path, sha256)
        options = ort.SessionOptions()
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.inter_op_num_threads = options.intra_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(
                str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a damaged graph
            raise ModelFileError(f"{self.path} does not load: {type(exc).__name__}: {exc}") from exc
        self._input = self._session.get_inputs()[0].name  # "input_features"

    def probability(self, audio: np.ndarray) -> float:
        features = log_mel(last_seconds(audio))[None]
        return float(np.ravel(self._session.run(None, {self._input: features})[0])[0])


_warned = threading.Lock()
_warned_once: list[str] = []


def load(path: Path | None = None, sha256: str | None = MODEL_SHA256) -> SmartTurn | None:
    """Smart Turn, or None (with one warning per process) when its file is missing or damaged."""
    try:
        return SmartTurn(path, sha256)
    except (ModelFileError, ImportError) as exc:
        with _warned:
            if not _warned_once:
                _warned_once.append(str(exc))
                _LOGGER.warning("end-of-turn model unavailable, turns end on silence alone: %s", exc)
        return None


@cache
def bundled() -> SmartTurn | None:
    """The bundled model, loaded once per process (as `load()`): a session's listener and the window's
    warm-up share it (creating an onnxruntime session holds Python's GIL; running one is thread-safe)."""
    return load()


def describe() -> str:
    """What ends a turn on this installation, for `rehearse doctor`."""
    try:
        path = verified_path()
    except ModelFileError as exc:
        return f"silence alone (300 ms; 1.1 s after an unfinished clause): {exc}"
    return f"Smart Turn v3.2 + words + silence (sha256 verified): {path}"


@dataclass(frozen=True)
class Estimate:
    """One Smart Turn answer for the audio up to `end` (an absolute sample index)."""

    probability: float
    end: int
    took_ms: float


class TurnEndWorker(NewestRequestWorker):
    """Runs Smart Turn on its own thread so the listener's loop never waits for it.

    `request(begin, end)` asks for the probability of the audio [begin, end) (its last 8 s are used; a newer
    request replaces one not started); the answer comes back through `on_result` on the worker thread."""

    def __init__(
        self, model: SmartTurn, audio: Callable[[int, int], np.ndarray], on_result: Callable[[Estimate], None]
    ):
        super().__init__("rehearse-turn-end")
        self.model, self._audio, self._on_result = model, audio, on_result
        self._wanted: tuple[int, int] | None = None
        self._start()

    def request(self, begin: int, end: int) -> None:
        with self._lock:
            self._wanted = (max(begin, end - SECONDS * SAMPLE_RATE), end)
        self._wake()

    def cancel(self) -> None:
        with self._lock:
            self._wanted = None

    def _take(self) -> tuple[int, int] | None:
        wanted, self._wanted = self._wanted, None
        return wanted

    def _handle(self, request: tuple[int, int]) -> None:
        begin, end = request
        began = time.perf_counter()
        try:
            probability = self.model.probability(self._audio(begin, end))
        except Exception:  # the endpointer falls back to silence for this pause
            _LOGGER.exception("end-of-turn model failed")
            return
        self._on_result(Estimate(probability, end, 1000.0 * (time.perf_counter() - began)))
