"""Sentence embeddings with sentence-transformers: all-MiniLM-L6-v2 (bundled) or any local model folder.

torch and sentence-transformers cost ~5 s to import on a 2-core CPU, so nothing is imported or loaded
until a model is first used; a loaded model is shared by every `SentenceEmbeddings` of the same folder
and device. Encoding then costs ~4 ms per short sentence on the CPU.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

import numpy as np

from rehearse.models.device import is_gpu_failure, torch_device
from rehearse.models.errors import ModelLoadError
from rehearse.models.registry import DEFAULT_SENTENCE_MODEL, sentence_model_path

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()


@functools.cache
def _load(path: str, device: str):
    started = time.perf_counter()
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        model = SentenceTransformer(path, device=device, local_files_only=True)
    except Exception as exc:  # torch / transformers raise many kinds for a broken install or model
        raise ModelLoadError(
            f"cannot load the sentence-embedding model {path} on {device} ({type(exc).__name__}: {exc})"
        ) from exc
    _LOGGER.info("sentence-embedding model loaded on %s in %.1f s", device, time.perf_counter() - started)
    return model


class SentenceEmbeddings:
    """A sentence-transformers model behind a small interface, mirroring `SpeechToText(model, device="auto")`.

    `model` is the bundled name ("all-MiniLM-L6-v2") or a local sentence-transformers folder; `device`
    is "auto" (CUDA when torch sees a GPU), "cpu" or "cuda". Creating one checks the model exists and
    loads nothing. If the GPU fails mid-session, `encode` moves to the CPU with one warning and retries.
    """

    def __init__(self, model: str = DEFAULT_SENTENCE_MODEL, device: str = "auto"):
        self.name = model
        self.path = sentence_model_path(model)
        self.requested = device
        self._device: str | None = None

    @property
    def device(self) -> str:
        """ "cuda" or "cpu" (choosing it imports torch)."""
        if self._device is None:
            self._device, reason = torch_device(self.requested)
            _LOGGER.debug("sentence embeddings on %s: %s", self._device, reason)
        return self._device

    def load(self):
        """The `SentenceTransformer`, loaded the first time for this folder and device (seconds)."""
        with _LOCK:
            try:
                return _load(self.path, self.device)
            except ModelLoadError as exc:
                if self.device == "cpu" or self.requested != "auto":
                    raise
                _LOGGER.warning("%s; using the CPU", exc)
                self._device = "cpu"
                return _load(self.path, "cpu")

    def use_cpu(self, exc: BaseException, failed_on: str) -> bool:
        """After `exc` from a computation on `failed_on`: True (with one warning) when it was the GPU failing, and
        from now on this model runs on the CPU; False when it is some other error, for the caller to raise."""
        if failed_on != "cuda" or not is_gpu_failure(exc):
            return False
        with _LOCK:
            if self._device == "cpu":
                return True  # another thread already moved it
            _LOGGER.warning(
                "the GPU failed while running the sentence-embedding model (%s: %s); continuing on the CPU",
                type(exc).__name__,
                exc,
            )
            self._device = "cpu"
            return True

    def encode(self, sentences: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per sentence."""
        device = self.device
        try:
            vectors = self._encode(sentences)
        except Exception as exc:
            if not self.use_cpu(exc, device):
                raise
            vectors = self._encode(sentences)
        return np.asarray(vectors, dtype=np.float32)

    def _encode(self, sentences: list[str]):
        return self.load().encode(sentences, normalize_embeddings=True, batch_size=32, show_progress_bar=False)
