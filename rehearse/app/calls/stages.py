"""The stages of importing one call, as `import_file` reports them to `on_stage`, and how far along each is."""

STAGE_SHARES = {"decode": (0.0, 0.03), "speakers": (0.03, 0.5), "transcribe": (0.5, 0.85), "score": (0.85, 0.97)}
"""Each stage's part of one call's import time (start, end); saving is the rest."""
STAGE_NAMES = {
    "decode": "decoding",
    "speakers": "finding the speakers",
    "transcribe": "transcribing",
    "score": "scoring",
    "save": "saving",
}


def call_done(stage: str, share: float) -> float:
    """How much of one call's import is done (0-1) when `stage` is `share` done (the `on_stage` report)."""
    low, high = STAGE_SHARES.get(stage, (0.97, 1.0))
    return low + (high - low) * min(max(share, 0.0), 1.0)
