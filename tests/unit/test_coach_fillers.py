"""The acoustic filled-pause detector on synthetic sounds: a held "uhh" versus a gliding word."""

import numpy as np

from rehearse.audio import prosody
from rehearse.coach.fillers import filled_pauses
from rehearse.models.stt import Word

SR = 16_000


def _tone(f0, seconds, formant_shift=0.0):
    t = np.arange(int(seconds * SR)) / SR
    freq = f0(t) if callable(f0) else np.full_like(t, f0)
    phase = 2 * np.pi * np.cumsum(freq) / SR
    weights = [1 / k * (1 + formant_shift * np.sin(2 * np.pi * 3 * t + k)) for k in range(1, 10)]
    wave = sum(w * np.sin(k * phase) for k, w in zip(range(1, 10), weights, strict=True))
    return (0.3 * wave / np.max(np.abs(wave))).astype(np.float32)


def _with_silence(*parts):
    gap = np.zeros(int(0.4 * SR), np.float32)
    return np.concatenate([gap] + [x for p in parts for x in (p, gap)])


def test_held_uh_is_found_and_changing_speech_is_not():
    uh = _tone(110.0, 0.6)
    word = _tone(lambda t: 110 * 2 ** (np.sin(2 * np.pi * 2.5 * t) * 4 / 12), 0.6, formant_shift=0.9)
    audio = _with_silence(uh, word)
    found = filled_pauses(audio, prosody.track(audio))
    assert len(found) == 1
    assert 0.3 <= found[0].start <= 0.5 and 0.9 <= found[0].end <= 1.1


def test_sound_inside_a_recognised_word_is_not_a_filler():
    uh = _tone(110.0, 0.6)
    audio = _with_silence(uh)
    track = prosody.track(audio)
    assert len(filled_pauses(audio, track)) == 1
    assert filled_pauses(audio, track, [Word("Well", 0.35, 1.05, 0.9)]) == []
    assert len(filled_pauses(audio, track, [Word("uh", 0.35, 1.05, 0.9)])) == 1
