"""How the customer's mood sounds: mood (0 calm .. 1 furious) to Piper voice controls."""

from __future__ import annotations

from rehearse.models.tts import VoiceStyle


def mood_style(mood: float) -> VoiceStyle:
    """Calm is slower, lower and softer; furious is faster, higher, louder and less even."""
    mood = min(1.0, max(0.0, float(mood)))
    return VoiceStyle(
        rate=0.95 + 0.25 * mood,
        pitch_semitones=-0.5 + 3.0 * mood,
        level_db=-12.0 + 10.0 * mood,
        expressiveness=0.5 + 0.4 * mood,
    )
