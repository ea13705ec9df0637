"""How the customer's mood sounds: mood (0 calm .. 1 furious) to Piper voice controls.

Piper's own controls carry the rate (length_scale) and liveliness (noise_scale); pitch and level
are applied to its output by `models.tts`. A persona shifts the pitch and rate of its voice on top.
"""

from __future__ import annotations

from dataclasses import replace

from rehearse.models.tts import VoiceStyle
from rehearse.scenarios.persona import Persona


def mood_style(mood: float) -> VoiceStyle:
    """Calm is slower, lower and softer; furious is faster, higher, louder and less even."""
    mood = min(1.0, max(0.0, float(mood)))
    return VoiceStyle(
        rate=0.9 + 0.35 * mood,
        pitch_semitones=-1.0 + 4.0 * mood,
        level_db=-14.0 + 12.0 * mood,
        expressiveness=0.5 + 0.4 * mood,
    )


def persona_style(persona: Persona, mood: float) -> VoiceStyle:
    """The mood's style in this persona's voice: its pitch offset added, its rate factor applied."""
    style = mood_style(mood)
    return replace(style, rate=style.rate * persona.rate, pitch_semitones=style.pitch_semitones + persona.pitch)
