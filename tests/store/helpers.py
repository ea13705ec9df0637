"""A turn as the practice engine saves it."""

from __future__ import annotations

import numpy as np

TONE = (0.1 * np.sin(np.linspace(0, 200, 16_000))).astype(np.float32)


def add_turn(store, session_id: str, index: int, take: int = 1, audio: bool = True, **fields) -> int:
    """`fields` replace the defaults (customer_line, transcript, verdict, step, ...)."""
    return store.add_turn(
        session_id,
        index,
        take=take,
        **{
            "node_id": "opening",
            "customer_line": "Third call this week!",
            "customer_mood": 0.7,
            "transcript": "I'm sorry, let me fix this",
            "verdict": {"scores": {"empathy": 62.5}, "moves": ["apologize"]},
            "step": {"goto": "history"},
            "next_line": "Fine.",
            "outcome": None,
            "customer_audio": (TONE, 22_050) if audio else None,
            "learner_audio": (TONE, 16_000) if audio else None,
            **fields,
        },
    )
