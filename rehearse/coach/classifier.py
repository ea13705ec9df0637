"""A learned layer over the phrase rules: one logistic regression per move on reply-level features.

Features of a reply (`feature_layout()`): the mean and the max over its sentences (`wording.sentences`)
of their all-MiniLM-L6-v2 embeddings, the moves the phrase rules found (0/1), and per move of
`data/exemplars.yaml` the highest cosine similarity of a sentence to one of its `like` examples.
In training, each labeled set's rule hits come from the rules as they were before they saw it, so the
model learns how far to trust the rules on fresh replies.
Weights and per-move thresholds are fitted offline by `bench/train_wording_classifier.py` and stored
in `data/wording_classifier.npz` (loaded lazily, ~0.1 MB); nothing is trained at run time. A move
counts when the rules (or the example layer) find it or its probability passes its threshold (an infinite
threshold: never added). `coach.feedback` uses it wherever it uses the example layer, never in the live cue.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from importlib import resources

import numpy as np

from rehearse.coach import examples, wording

_LOGGER = logging.getLogger(__name__)
WEIGHTS = "wording_classifier.npz"
"""Fitted on all labeled sets: the shipped weights."""
WEIGHTS_WITHOUT_BLIND7 = "wording_classifier_without_blind7.npz"
"""Fitted without tests/data/coach_replies_blind7.yaml, so that a test can score that set honestly."""
EMBEDDING_DIM = 384


def feature_layout() -> tuple[str, ...]:
    """Names of the feature columns, in order."""
    return (tuple(f"mean{i}" for i in range(EMBEDDING_DIM)) + tuple(f"max{i}" for i in range(EMBEDDING_DIM))
            + tuple(f"rule:{m}" for m in wording.VOCABULARY)
            + tuple(f"example:{m}" for m in sorted(examples.load_examples().like)))


@dataclass(frozen=True)
class Weights:
    """Per-move linear models on the raw (unscaled) features, and their probability thresholds."""

    moves: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray
    layout: tuple[str, ...]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(replies, moves) probabilities for a (replies, features) matrix."""
        logits = np.atleast_2d(features) @ self.coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -50.0, 50.0)))


@functools.lru_cache(maxsize=None)
def load_weights(name: str = WEIGHTS) -> Weights:
    """The fitted weights in `data/<name>`."""
    started = time.perf_counter()
    with resources.files("rehearse.coach").joinpath(f"data/{name}").open("rb") as handle, np.load(handle) as data:
        weights = Weights(tuple(str(m) for m in data["moves"]), data["coef"].astype(np.float32),
                          data["intercept"].astype(np.float32), data["thresholds"].astype(np.float32),
                          tuple(str(f) for f in data["layout"]))
    if weights.layout != feature_layout():
        raise ValueError(f"{name} was fitted on other features; rerun bench/train_wording_classifier.py")
    _LOGGER.info("wording classifier loaded in %.3f s", time.perf_counter() - started)
    return weights


def features(sentence_vectors: list[np.ndarray], rule_moves: list[set[str]]) -> np.ndarray:
    """Feature rows from each reply's normalized sentence embeddings and the moves its rules found."""
    like = examples.like_vectors()
    rows = []
    for vectors, found in zip(sentence_vectors, rule_moves):
        if not len(vectors):
            vectors = np.zeros((1, EMBEDDING_DIM), dtype=np.float32)
        similar = [float(np.max(vectors @ like[m].T)) for m in sorted(like)]
        rows.append(np.concatenate([vectors.mean(axis=0), vectors.max(axis=0),
                                    [m in found for m in wording.VOCABULARY], similar]))
    return np.asarray(rows, dtype=np.float32)


def reply_features(texts: list[str], rule_moves: list[set[str]]) -> np.ndarray:
    """Feature rows of replies (loads the embedding model if needed; sentences encoded in one batch)."""
    split = [wording.sentences(t) for t in texts]
    flat = [s for parts in split for s in parts]
    encoded = examples.encode(flat) if flat else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vectors, start = [], 0
    for parts in split:
        vectors.append(encoded[start:start + len(parts)])
        start += len(parts)
    return features(vectors, rule_moves)


def detect(text: str, semantic: bool = True, customer_name: str | None = None,
           weights: str = WEIGHTS) -> tuple[wording.MoveHit, ...]:
    """`wording.detect` (with the example layer when `semantic`) plus the moves the classifier adds.

    Classifier hits have source "classifier" and the whole reply as evidence. Loads the embedding
    model if needed (seconds, once per process).
    """
    hits = {h.move: h for h in wording.detect(text, semantic, customer_name)}
    model = load_weights(weights)
    rules = {m for m, h in hits.items() if h.source == "rule"}
    probabilities = model.probabilities(reply_features([text], [rules]))[0]
    for move, p, threshold in zip(model.moves, probabilities, model.thresholds):
        if move not in hits and p >= threshold:
            hits[move] = wording.MoveHit(move, text, "classifier")
    return tuple(hits[m] for m in wording.VOCABULARY if m in hits)
