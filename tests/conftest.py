"""Shared fixtures: the real packaged models (loaded once), the realspeech set, a fresh store."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

REALSPEECH = Path(os.environ.get("REHEARSE_REALSPEECH", Path(__file__).resolve().parents[2] / "shared" / "realspeech"))


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Every test writes sessions into its own folder, never the user's."""
    monkeypatch.setenv("REHEARSE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def realspeech() -> Path:
    if not (REALSPEECH / "manifest.csv").is_file():
        pytest.skip(f"real speech set not found at {REALSPEECH} (it sits in ../shared/realspeech beside the checkout)")
    return REALSPEECH


@pytest.fixture(scope="session")
def manifest(realspeech) -> list[dict]:
    with (realspeech / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def stt():
    from rehearse.models.stt import SpeechToText

    return SpeechToText("tiny.en", device="cpu")


@pytest.fixture(scope="session")
def tts():
    from rehearse.models.tts import TextToSpeech

    return TextToSpeech()


@pytest.fixture()
def store(tmp_path):
    from rehearse.store import SessionStore

    return SessionStore(folder=tmp_path / "store")


@pytest.fixture(scope="session")
def synth_reply(tts):
    """Synthesize a learner reply with Piper as 16 kHz mono audio (a deeper voice than the customer's).

    Without Piper's noises, so a reply is the same audio in every run: a test that depends on what tiny.en or
    Smart Turn make of it passes or fails the same way each time (its pitch varies as much: 2.1 semitones sd)."""
    import soxr

    from rehearse.models.tts import VoiceStyle

    def make(text: str, **style) -> np.ndarray:
        audio, rate = tts.synthesize(
            text,
            VoiceStyle(
                **{"pitch_semitones": -2.0, "level_db": -8.0, "expressiveness": 0.0, "duration_noise": 0.0, **style}
            ),
        )
        return soxr.resample(audio, rate, 16_000)

    return make
