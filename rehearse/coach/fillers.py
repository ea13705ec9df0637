"""Filled pauses ("um", "uh") that speech-to-text tends to drop, found two ways.

1. `FILLER_PROMPT`: an initial prompt written with disfluencies, which makes Whisper keep them.
2. `filled_pauses()`: an acoustic detector for sustained, steady voicing: a voiced stretch of
   0.25-1.5 s whose pitch stays within a semitone or two and whose spectrum barely changes,
   which words rarely do (their vowels glide and their consonants interrupt the voicing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehearse.audio.prosody import HOP, SAMPLE_RATE, ProsodyTrack, semitones
from rehearse.models.stt import Word

FILLER_PROMPT = "Umm, let me think like, hmm... Okay, so, uh, here's what I, you know, I think."
"""Passed to Whisper as `initial_prompt` so that it writes fillers instead of smoothing them away."""

MIN_S, MAX_S = 0.25, 1.5
MAX_PITCH_SPREAD_ST = 2.0
MAX_SPECTRAL_CHANGE = 0.17
"""Mean frame-to-frame change of the normalised log spectrum (0 = identical frames)."""


@dataclass(frozen=True)
class FilledPause:
    """A stretch of audio that sounds like "um" or "uh"."""

    start: float
    end: float
    pitch_spread_st: float
    spectral_change: float


def _spectral_change(audio: np.ndarray, n_frames: int) -> np.ndarray:
    """Per-frame change of the normalised log-magnitude spectrum relative to the previous frame."""
    frame = 512
    audio = np.asarray(audio, dtype=np.float32)
    needed = HOP * (n_frames - 1) + frame  # the prosody track may cover more than the audio (padding)
    padded = np.pad(audio, (frame // 2, max(0, needed - audio.size - frame // 2)))
    idx = np.arange(frame)[None, :] + HOP * np.arange(n_frames)[:, None]
    spectrum = np.log(np.abs(np.fft.rfft(padded[idx] * np.hanning(frame), axis=1))[:, 3:128] + 1e-6)
    spectrum -= spectrum.mean(axis=1, keepdims=True)
    spectrum /= np.linalg.norm(spectrum, axis=1, keepdims=True) + 1e-9
    change = np.ones(n_frames)
    change[1:] = 1.0 - np.sum(spectrum[1:] * spectrum[:-1], axis=1)
    return change


def filled_pauses(audio: np.ndarray, prosody: ProsodyTrack, words: Sequence[Word] = ()) -> list[FilledPause]:
    """Steady voiced stretches that are not inside a recognised word (other than a filler)."""
    voiced = np.isfinite(prosody.f0_hz)
    change = _spectral_change(audio, voiced.size)
    covered = np.zeros(voiced.size, dtype=bool)
    for word in words:
        if word.text.strip(" ,.?!").lower() in ("um", "uh", "umm", "uhm", "erm", "er", "hmm", "mm", "ah"):
            continue
        a, b = int(word.start * SAMPLE_RATE / HOP) + 2, int(word.end * SAMPLE_RATE / HOP) - 2
        covered[max(a, 0) : max(b, 0)] = True
    found: list[FilledPause] = []
    run_start = None
    for i in range(voiced.size + 1):
        inside = i < voiced.size and voiced[i]
        if inside and run_start is None:
            run_start = i
        elif not inside and run_start is not None:
            found += _judge_run(prosody, change, covered, run_start, i)
            run_start = None
    return found


def _judge_run(prosody: ProsodyTrack, change: np.ndarray, covered: np.ndarray, a: int, b: int) -> list[FilledPause]:
    length = (b - a) * prosody.frame_s
    if not MIN_S <= length <= MAX_S or covered[a:b].mean() > 0.5:
        return []
    f0 = prosody.f0_hz[a:b]
    st = semitones(f0, float(np.median(f0)))
    spread = float(np.percentile(st, 90) - np.percentile(st, 10))
    steady = float(np.mean(change[a + 1 : b])) if b - a > 1 else 1.0
    if spread > MAX_PITCH_SPREAD_ST or steady > MAX_SPECTRAL_CHANGE:
        return []
    return [FilledPause(float(prosody.times[a]), float(prosody.times[b - 1] + prosody.frame_s), spread, steady)]
