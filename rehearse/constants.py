"""Facts every package shares, defined once (`tests/unit/test_constants.py` fails when one is redefined).

Imports nothing from Rehearse, so any package may import it.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

SAMPLE_RATE = 16_000
"""Rate of all learner audio: capture, reply files, endpointing (Silero VAD), Whisper and prosody."""

MOVES = ("acknowledge", "apologize", "own", "reassure", "explain", "next_step", "ask", "use_name")
"""What a good reply does, in the order reports list them."""
ANTI_MOVES = ("blame", "policy", "dismiss", "jargon", "interrupt")
"""What a poor reply does."""
VOCABULARY = MOVES + ANTI_MOVES
"""Every move the coach detects; the learned wording layer's outputs are in this order."""

SENTENCE_GAP_S = 0.25
"""Silence between the sentences of one customer line."""

CLIP_LEVEL = 0.99
"""A sample at or above this magnitude is clipped. Not 0.999: clipped flat tops lose their flatness when
capture resamples them to 16 kHz (soxr ripple), and 0.999 then counts only about two thirds of the clipped
samples of a 48 kHz recording, where 0.99 counts them all; unclipped speech stays below it."""


def data_dir(folder: str | os.PathLike | None = None) -> Path:
    """Where sessions, turn audio and remembered devices live: `folder` (`--data-dir`), else
    `REHEARSE_DATA_DIR`, else the user data folder."""
    if folder:
        return Path(folder).expanduser()
    return Path(os.environ.get("REHEARSE_DATA_DIR") or platformdirs.user_data_dir("rehearse"))
