"""Word error rate, for checking that the speech-to-text pipeline keeps its accuracy."""

from __future__ import annotations

import re

_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def _spelled(number: re.Match) -> str:
    value = int(number.group(1))
    return _NUMBERS[value] if value < len(_NUMBERS) else number.group(1)


def normalize(text: str) -> list[str]:
    """Lower-case words without punctuation; small numbers spelled out ("8" -> "eight")."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"\b(\d+)\b", _spelled, text)
    text = re.sub(r"\bmr\b\.?", "mister", text)
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions + deletions + insertions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1]


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER: total edits over total reference words, after `normalize`."""
    edits = words = 0
    for ref, hyp in zip(references, hypotheses, strict=True):
        ref_words = normalize(ref)
        edits += edit_distance(ref_words, normalize(hyp))
        words += len(ref_words)
    return edits / max(words, 1)
