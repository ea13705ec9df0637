"""Agreement measures between the coach and a trainer's labels (tests and `bench/coach_eval.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MoveAgreement:
    """Precision, recall and F1 of one move (None where undefined)."""

    move: str
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float | None:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else None

    @property
    def recall(self) -> float | None:
        labeled = self.true_pos + self.false_neg
        return self.true_pos / labeled if labeled else None

    @property
    def f1(self) -> float | None:
        total = 2 * self.true_pos + self.false_pos + self.false_neg
        return 2 * self.true_pos / total if total else None


def move_agreement(
    pairs: Iterable[tuple[Iterable[str], Iterable[str]]], vocabulary: Sequence[str]
) -> tuple[list[MoveAgreement], MoveAgreement]:
    """Per-move counts and the micro-averaged total over (labeled, detected) pairs."""
    counts = {m: [0, 0, 0] for m in vocabulary}
    for labeled, detected in pairs:
        labeled, detected = set(labeled), set(detected)
        for move in vocabulary:
            c = counts[move]
            c[0] += move in labeled and move in detected
            c[1] += move in detected and move not in labeled
            c[2] += move in labeled and move not in detected
    per_move = [MoveAgreement(m, *counts[m]) for m in vocabulary]
    total = MoveAgreement("all", *(sum(c[i] for c in counts.values()) for i in range(3)))
    return per_move, total


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Probability that a positive scores higher than a negative (ties count half)."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))
