"""How the customer's mood sounds: mood (0 calm .. 1 furious) to Piper voice controls and vocal effort.

Piper's own controls carry the rate (length_scale) and liveliness (noise_scale); pitch and level
are applied to its output by `models.tts`. A persona shifts the pitch and rate of its voice on top.
`emphasize` adds the effort of a raised voice (brighter, denser) that pitch and level alone lack;
`speak` does all of it for one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import butter, sosfilt

from rehearse.models.tts import SpokenSentence, TextToSpeech, VoiceStyle, join_sentences
from rehearse.scenarios.persona import Persona

EFFORT_FROM = 0.3
"""Moods up to this are spoken without added effort."""
PRESENCE_HZ = 1500.0
"""Corner of the high-shelf boost: the band a raised voice gains energy in."""
MAX_PRESENCE_DB = 6.0
"""High-shelf boost at mood 1."""
MAX_COMPRESSION = 0.35
"""At mood 1 the gain follows the 20 ms envelope to the power -this: quieter syllables come up."""
MAX_GAIN_DB = 12.0
"""The most the compression raises any part (so pauses stay quiet)."""
ENVELOPE_S = 0.02


def mood_style(mood: float) -> VoiceStyle:
    """Calm is slower, lower and softer; furious is faster, higher, louder and less even."""
    mood = min(1.0, max(0.0, float(mood)))
    return VoiceStyle(
        rate=0.88 + 0.4 * mood,
        pitch_semitones=-1.0 + 4.0 * mood,
        level_db=-14.0 + 12.0 * mood,
        expressiveness=0.5 + 0.4 * mood,
    )


def persona_style(persona: Persona, mood: float) -> VoiceStyle:
    """The mood's style in this persona's voice: its pitch offset added, its rate factor applied."""
    style = mood_style(mood)
    return replace(style, rate=style.rate * persona.rate, pitch_semitones=style.pitch_semitones + persona.pitch)


def effort(mood: float) -> float:
    """0 up to `EFFORT_FROM`, rising to 1 at mood 1."""
    return min(1.0, max(0.0, (float(mood) - EFFORT_FROM) / (1.0 - EFFORT_FROM)))


def emphasize(audio: np.ndarray, sample_rate: int, mood: float) -> np.ndarray:
    """Vocal effort for an upset voice: a presence boost and light compression, with the peak level kept."""
    amount = effort(mood)
    audio = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if amount == 0.0 or peak == 0.0:
        return audio
    highs = sosfilt(butter(2, PRESENCE_HZ, btype="highpass", fs=sample_rate, output="sos"), audio)
    boosted = audio + (10.0 ** (MAX_PRESENCE_DB * amount / 20.0) - 1.0) * highs
    power = uniform_filter1d(boosted.astype(np.float64) ** 2, max(1, int(ENVELOPE_S * sample_rate)))
    envelope = np.sqrt(np.maximum(power, 0.0))  # the running mean can dip a hair below zero
    relative = np.maximum(envelope / max(float(envelope.max()), 1e-12), 10.0 ** (-MAX_GAIN_DB / 20.0 / MAX_COMPRESSION))
    dense = boosted * relative ** (-MAX_COMPRESSION * amount)
    return (dense * (peak / float(np.max(np.abs(dense))))).astype(np.float32)


def spoken_sentences(tts: TextToSpeech, text: str, persona: Persona, mood: float) -> Iterator[SpokenSentence]:
    """One customer line in the persona's voice at this mood, sentence by sentence, each with the mood's effort
    (the one way a line is voiced: live practice streams it, `speak` joins it)."""
    for sentence in tts.sentences(text, persona_style(persona, mood)):
        yield SpokenSentence(emphasize(sentence.audio, sentence.sample_rate, mood), sentence.sample_rate)


def speak(tts: TextToSpeech, text: str, persona: Persona, mood: float) -> tuple[np.ndarray, int]:
    """The whole line as one array, sentences joined with the usual gap."""
    return join_sentences(list(spoken_sentences(tts, text, persona, mood)), tts.sample_rate)
