"""A learned layer over the phrase rules: all-MiniLM-L6-v2 with its transformer layers fine-tuned to the moves.

The whole reply runs through the bundled MiniLM's token embeddings (and any layers below the top `k`,
from the model the example layer already loaded), then through copies of its top `k` layers (all 6 in
the shipped weights) fine-tuned offline on the labeled replies in tests/data
(`bench/train_wording_classifier.py`); a linear head on the mean-pooled, normalized result plus the
rules' hits (0/1 per move, so it learns how far to trust them) gives one probability per move, averaged
over two copies fine-tuned from different seeds. A move counts when the rules or the example layer find
it, or its probability reaches `THRESHOLD`. The fine-tuned weights (int8 with a scale per row, ~10 MB
per seed) are `data/wording_adapter.npz`, loaded lazily on the embedding model's device; nothing is
trained at run time. `coach.feedback` uses it wherever it uses the example layer, never in the live cue.
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
import time
from dataclasses import dataclass
from importlib import resources

import numpy as np

from rehearse.coach import examples, wording
from rehearse.constants import VOCABULARY

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()
WEIGHTS = "wording_adapter.npz"
THRESHOLD = 0.6
"""Chosen on replies the weights never saw (docs/coach.md): the rules already supply recall, so a
bar a little above 0.5 trades some of the layer's recall for precision (+0.004 micro F1)."""
MAX_TOKENS = 256
HIDDEN = 384
POOL_SCALE = 5.0
"""The pooled vector is unit length times this, so the head's inputs are on the scale of the rule hits."""


def _torch():
    import torch

    return torch


def _bert():
    """The bundled MiniLM (transformers BertModel) and its tokenizer, shared with the example layer."""
    model = examples.embeddings().load()
    return model[0].auto_model, model.tokenizer


def _additive_mask(mask):
    torch = _torch()
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def _run_layers(layers, states, mask):
    additive = _additive_mask(mask)
    for layer in layers:
        states = layer(states, attention_mask=additive)
        states = states[0] if isinstance(states, tuple) else states
    return states


def lower_states(texts: list[str], k: int) -> tuple:
    """Hidden states entering MiniLM's top `k` layers, and the attention mask, for a batch of replies."""
    torch = _torch()
    bert, tokenizer = _bert()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt").to(bert.device)
    mask = batch["attention_mask"]
    with torch.inference_mode():
        states = bert.embeddings(input_ids=batch["input_ids"], token_type_ids=batch.get("token_type_ids"))
        states = _run_layers(bert.encoder.layer[: len(bert.encoder.layer) - k], states, mask)
    return states, mask


def top_model(k: int):
    """A trainable copy of MiniLM's top `k` layers with a move head (a torch module, on MiniLM's device)."""
    torch = _torch()
    bert, _ = _bert()

    class TopLayers(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(copy.deepcopy(bert.encoder.layer[len(bert.encoder.layer) - k :]))
            self.head = torch.nn.Linear(HIDDEN + len(VOCABULARY), len(VOCABULARY))
            self.dropout = torch.nn.Dropout(0.1)

        def forward(self, states, mask, rules):
            states = _run_layers(self.layers, states, mask)
            weights = mask.unsqueeze(-1).float()
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=-1) * POOL_SCALE
            return self.head(torch.cat([self.dropout(pooled), rules], dim=-1))

    return TopLayers().to(bert.device)


@dataclass(frozen=True)
class Adapter:
    """The fitted top layers and heads, ready to run."""

    k: int
    models: tuple
    """One `top_model` per training seed; their probabilities are averaged."""
    fitted_on: tuple[str, ...]
    """The labeled sets (tests/data file names without .yaml) the layer was fitted on."""


def weights_path() -> str:
    """The shipped fitted layer."""
    return str(resources.files("rehearse.coach").joinpath("data", WEIGHTS))


@functools.cache
def _load(path: str, device: str) -> Adapter:
    """The weights at `path` in `top_model`s on `device`, the embedding model's (one copy per device)."""
    torch = _torch()
    started = time.perf_counter()
    with np.load(path) as data:
        if tuple(str(m) for m in data["moves"]) != VOCABULARY:
            raise ValueError(f"{path} was fitted on another move vocabulary; rerun bench/train_wording_classifier.py")
        k = int(data["k"])
        fitted_on = tuple(str(name) for name in data["fitted_on"])
        states: dict[int, dict] = {}
        for key in data.files:
            kind, _, param = key.partition(":")
            if kind not in ("q", "f"):  # "s:" scales are read with their "q:" weights; the rest is metadata
                continue
            member, _, name = param.partition("/")
            value = data[key].astype(np.float32)
            value = value * data[f"s:{param}"] if kind == "q" else value
            states.setdefault(int(member), {})[name] = torch.from_numpy(value)
    models = []
    for member in sorted(states):
        model = top_model(k)
        model.load_state_dict(states[member])
        models.append(model.eval())
    _LOGGER.info(
        "wording adapter (%d seeds) loaded on %s in %.2f s", len(models), device, time.perf_counter() - started
    )
    return Adapter(k, tuple(models), fitted_on)


def load_adapter(path: str | None = None, device: str | None = None) -> Adapter:
    """The fitted layer at `path` (default: the shipped one), with the embedding model it runs on (seconds, once).

    `device` ("auto", "cpu" or "cuda", as `--device`) loads the embedding model there first (see
    `examples.preload`); without it the layer runs where the coach's embedding model is.
    """
    if device is not None:
        examples.preload(device)
    embeddings = examples.embeddings()
    with _LOCK:
        return _load(path or weights_path(), embeddings.device)


def windows(text: str) -> list[str]:
    """The reply itself, or for one longer than `MAX_TOKENS`, runs of whole sentences that fit."""
    _, tokenizer = _bert()
    if len(tokenizer(text)["input_ids"]) <= MAX_TOKENS:
        return [text]
    out, current, size = [], [], 0
    for sentence in wording.sentences(text):
        length = len(tokenizer(sentence, add_special_tokens=False)["input_ids"])
        if current and size + length > MAX_TOKENS - 2:
            out.append(" ".join(current))
            current, size = [], 0
        current.append(sentence)
        size += length
    return out + [" ".join(current)] if current else out


def averaged(models, states, mask, rules) -> np.ndarray:
    """(rows, moves) probabilities of fitted `top_model`s on prepared inputs, averaged over the models."""
    torch = _torch()
    with torch.inference_mode():
        return torch.stack([torch.sigmoid(model(states, mask, rules)) for model in models]).mean(0).cpu().numpy()


def probabilities(texts: list[str], rule_moves: list[set[str]], path: str | None = None) -> np.ndarray:
    """(replies, moves) probabilities, in `VOCABULARY` order; a long reply's are the max over its windows.

    If the GPU fails on the way, the layer moves to the CPU with the embedding model (one warning) and
    runs again there.
    """
    model = examples.embeddings()
    device = model.device
    try:
        return _probabilities(texts, rule_moves, path)
    except Exception as exc:
        if not model.use_cpu(exc, device):
            raise
    return _probabilities(texts, rule_moves, path)


def _probabilities(texts: list[str], rule_moves: list[set[str]], path: str | None) -> np.ndarray:
    torch = _torch()
    adapter = load_adapter(path)
    parts = [windows(text) for text in texts]
    owner = np.repeat(np.arange(len(texts)), [len(p) for p in parts])
    states, mask = lower_states([w for p in parts for w in p], adapter.k)
    rules = torch.tensor(
        [[m in rule_moves[i] for m in VOCABULARY] for i in owner], dtype=torch.float32, device=states.device
    )
    per_window = averaged(adapter.models, states, mask, rules)
    return np.stack([per_window[owner == i].max(axis=0) for i in range(len(texts))])


def learned(p: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """Which moves the learned layer finds from its (replies, moves) probabilities: those reaching `threshold`."""
    return np.asarray(p) >= threshold


def detect(text: str, customer_name: str | None = None) -> tuple[wording.MoveHit, ...]:
    """`wording.detect` with the example layer, plus the moves the learned layer adds.

    Its hits have source "classifier" and the whole reply as evidence.
    """
    hits = {h.move: h for h in wording.detect(text, True, customer_name)}
    if not text.strip():
        return tuple(hits.values())
    rules = {m for m, h in hits.items() if h.source == "rule"}
    for move, found in zip(VOCABULARY, learned(probabilities([text], [rules])[0]), strict=True):
        if found and move not in hits:
            hits[move] = wording.MoveHit(move, text, "classifier")
    return tuple(hits[m] for m in VOCABULARY if m in hits)
