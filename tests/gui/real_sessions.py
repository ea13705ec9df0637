"""Saved sessions made by the real engine pieces (Piper voices, Whisper, the coach) for the window's tests
and screenshots: nothing here is a fabricated verdict."""

from __future__ import annotations

from pathlib import Path

LEARNER = "sam"
LEARNER_VOICE = {"rate": 0.7, "pitch_semitones": -2.0, "level_db": -8.0, "expressiveness": 0.0, "duration_noise": 0.0}
"""A calm learner voice (Piper's joe, slowed, as `rehearse demo` uses), without Piper's noises so that every run
records the same sessions."""

GOOD = (
    "I'm really sorry, I can hear how frustrating this is. I'll take care of this myself, "
    "and I'll book a technician for tomorrow morning."
)
POOR = "Calm down. You should have restarted the router like we told you."
SESSIONS = (
    # (scenario, seed, replies; "retake" takes turn 1 again with the next reply)
    (
        "billing-double-charge",
        1,
        [POOR, "I understand. I'll refund the second charge today and email you the receipt."],
    ),
    (
        "late-gift-delivery",
        2,
        [
            "I'm sorry the gift is late. Let me check where it is and I'll send you the tracking now.",
            "I will call the courier myself and make sure it arrives tomorrow.",
        ],
    ),
    (
        "internet-outage",
        0,
        [
            POOR,
            "retake",
            GOOD,
            "Thank you for your patience. The technician will arrive at nine, "
            "and I'll call you this afternoon to confirm.",
        ],
    ),
)


def record_sessions(folder: Path, stt, tts, learner: str = LEARNER) -> list[str]:
    """Play the `SESSIONS` through `Session` into a store at `folder`; returns the session ids, oldest first."""
    import soxr

    from rehearse.app.session import Session
    from rehearse.models.tts import VoiceStyle
    from rehearse.scenarios.library import find
    from rehearse.store import SessionStore

    store = SessionStore(folder=Path(folder))
    style = VoiceStyle.from_dict(LEARNER_VOICE)
    ids = []
    for scenario_id, seed, replies in SESSIONS:
        session = Session(find(scenario_id), stt, tts, store, learner=learner, seed=seed)
        session.start()
        for text in replies:
            if session.finished:
                break
            if text == "retake":
                session.rewind(session.turn_index - 1)
                continue
            audio, rate = tts.synthesize(text, style)
            session.answer(soxr.resample(audio, rate, 16_000))
        session.close()
        ids.append(session.id)
    return ids


if __name__ == "__main__":  # python -m tests.gui.real_sessions FOLDER
    import sys

    from rehearse.models.stt import SpeechToText
    from rehearse.models.tts import TextToSpeech

    print(record_sessions(Path(sys.argv[1]), SpeechToText("tiny.en", device="cpu"), TextToSpeech()))
