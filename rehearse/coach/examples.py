"""Paraphrase detection with sentence embeddings (`models.embeddings`, all-MiniLM-L6-v2 by default).

The model needs torch and sentence-transformers, whose import costs ~5 s on a 2-core CPU, so it is
loaded lazily, once per device; encoding then costs ~4 ms per short sentence. `rehearse score`
uses it; the live path uses it only when something has called `preload()` beforehand (for example
on a worker thread at session start), which also chooses the device (`--device`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from rehearse.models.embeddings import SentenceEmbeddings

_current: SentenceEmbeddings | None = None


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


@functools.cache
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


def loaded() -> bool:
    """True once an embedding model is loaded for the coach (matching is then cheap)."""
    return _current is not None


def preload(device: str = "auto") -> SentenceEmbeddings:
    """Load the bundled sentence-embedding model on `device` ("auto", "cpu", "cuda") now (seconds, once
    per device) and judge with it from then on; returns it."""
    global _current
    model = SentenceEmbeddings(device=device)
    model.load()
    _current = model
    return model


def embeddings() -> SentenceEmbeddings:
    """The model the coach judges with: the one last preloaded, else the bundled one on "auto" (loads it)."""
    return _current if _current is not None else preload()


@functools.cache
def _example_vectors(path: str, device: str) -> dict[str, tuple[np.ndarray, np.ndarray, tuple[str, ...]]]:
    """The examples' vectors from the model at `path` on `device`."""
    model = SentenceEmbeddings(path, device)
    examples = load_examples()
    out = {}
    for move, like in examples.like.items():
        unlike = examples.unlike.get(move, ())
        vectors = model.encode(list(like) + list(unlike))
        out[move] = (vectors[: len(like)], vectors[len(like) :], like)
    return out


def match(sentences: list[str]) -> list[ExampleMatch]:
    """Moves each sentence resembles, judged against the examples (loads the model if needed)."""
    sentences = [s for s in sentences if s.strip()]
    if not sentences:
        return []
    examples = load_examples()
    model = embeddings()
    vectors = model.encode(sentences)
    found: list[ExampleMatch] = []
    for move, (like, unlike, texts) in _example_vectors(model.path, model.device).items():
        threshold = examples.thresholds.get(move, examples.threshold)
        sim_like = vectors @ like.T
        sim_unlike = vectors @ unlike.T if unlike.size else np.full((len(sentences), 1), -1.0)
        for i, sentence in enumerate(sentences):
            best = int(np.argmax(sim_like[i]))
            score = float(sim_like[i, best])
            if score >= threshold and score > float(np.max(sim_unlike[i])):
                found.append(ExampleMatch(move, sentence, texts[best], score))
    return found
