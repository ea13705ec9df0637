"""Pitch, loudness, pauses and speaking time from 16 kHz mono audio, fast enough for live use.

Pitch is YIN (de Cheveigné & Kawahara 2002) computed here with FFTs so that each frame's
aperiodicity (the depth of the chosen trough) is kept: a frame is voiced when it is active, clearly
periodic and not far below the loudest speech. Octave slips are folded back towards the reply's
median. About 5 ms per second of audio on a 2-core CPU, and within a few percent of librosa's pYIN
(~30-900 ms per second) on the median of real speech; see `bench/coach_eval.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np

from rehearse.constants import CLIP_LEVEL, SAMPLE_RATE

HOP = 320  # 20 ms: 50 frames a second, above the 20 Hz live-meter rate
FRAME = 1024  # 64 ms: two periods of the lowest pitch tracked
FMIN, FMAX = 60.0, 500.0
SILENCE_FLOOR_DB = -55.0
ACTIVE_BELOW_PEAK_DB = 35.0
VOICED_BELOW_PEAK_DB = 30.0
APERIODICITY_MAX = 0.3
"""A frame whose best YIN trough is deeper than this is periodic (voiced)."""
APERIODICITY_WEAK = 0.6
"""Rougher frames (a harsh or breathy voice) count as voiced when they continue a voiced run's pitch."""
CONTINUITY_ST = 2.0
MIN_PAUSE_S = 0.25
ENDING_S = 0.4
"""The last this-many seconds of voiced speech decide a rising or falling ending."""
ENDING_ST = 1.5
"""An ending moves at least this many semitones to count as rising or falling."""
BRIGHT_SPLIT_HZ = 1000.0

_MIN_LAG = int(SAMPLE_RATE / FMAX)
_MAX_LAG = int(np.ceil(SAMPLE_RATE / FMIN))


@dataclass(frozen=True)
class ProsodyTrack:
    """Frame-level measures, one value per `HOP` samples."""

    times: np.ndarray
    """Frame centres in seconds."""
    f0_hz: np.ndarray
    """Fundamental frequency; NaN where unvoiced."""
    level_db: np.ndarray
    """RMS level in dBFS."""
    active: np.ndarray
    """True where someone is speaking (energy above the adaptive floor)."""
    aperiodicity: np.ndarray
    """Depth of the best YIN trough, 0 (perfectly periodic) to 1 (noise)."""
    brightness_db: np.ndarray
    """Energy above 1 kHz relative to energy below, in dB (tense, pressed voices are brighter)."""

    @property
    def frame_s(self) -> float:
        return HOP / SAMPLE_RATE


@dataclass(frozen=True)
class ProsodySummary:
    """What the sound of one reply says, independent of the words."""

    duration_s: float
    speaking_s: float
    """Time with voice activity."""
    pitch_median_hz: float | None
    pitch_range_st: float | None
    """Spread of pitch (5th to 95th percentile) in semitones."""
    pitch_variability_st: float | None
    """Standard deviation of pitch in semitones."""
    loudness_db: float | None
    """Level of the active frames in dBFS (power average)."""
    loudness_range_db: float | None
    """Dynamics: 10th to 95th percentile of active-frame level."""
    clipped_fraction: float
    """Share of samples at full scale."""
    pauses_s: tuple[float, ...]
    """Silent gaps of at least `MIN_PAUSE_S` between the first and last active frame."""
    voiced_s: float = 0.0
    """Time with a pitch."""
    ending: str | None = None
    """"rising", "falling" or "level": the pitch movement over the last `ENDING_S` of voiced speech."""
    ending_st: float | None = None
    """That movement in semitones (positive rises)."""
    level_trend_db: float | None = None
    """Level of the last third of the speech minus the first third, in dB (negative: trailing off)."""
    brightness_db: float | None = None
    """Median brightness of voiced frames (see `ProsodyTrack.brightness_db`)."""


def _frames(audio: np.ndarray) -> np.ndarray:
    padded = np.pad(audio, (FRAME // 2, FRAME // 2))
    return librosa.util.frame(padded, frame_length=FRAME, hop_length=HOP)


def _yin(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F0 (Hz) and aperiodicity per frame from the cumulative mean normalized difference."""
    x = frames.T.astype(np.float64)  # (n, length)
    length = x.shape[1]
    n_fft = 2 * length
    spectrum = np.fft.rfft(x, n=n_fft, axis=1)
    acf = np.fft.irfft(np.abs(spectrum) ** 2, n=n_fft, axis=1)[:, : _MAX_LAG + 1]
    energy = np.cumsum(x**2, axis=1)
    total = energy[:, -1:]
    lags = np.arange(1, _MAX_LAG + 1)
    # d(k) = sum x[j]^2 + sum x[j+k]^2 - 2 acf(k) over the overlapping part of the frame
    head = energy[:, length - 1 - lags]  # sum of x[0 : FRAME-k]^2
    tail = total - energy[:, lags - 1]  # sum of x[k : FRAME]^2
    diff = np.maximum(head + tail - 2.0 * acf[:, 1:], 0.0)
    cmnd = diff * lags / (np.cumsum(diff, axis=1) + 1e-12)
    cmnd = cmnd[:, _MIN_LAG - 1 :]  # lags _MIN_LAG .. _MAX_LAG
    below = cmnd < 0.15
    local_min = np.zeros_like(below)
    local_min[:, 1:-1] = (cmnd[:, 1:-1] <= cmnd[:, :-2]) & (cmnd[:, 1:-1] <= cmnd[:, 2:])
    candidates = below & local_min
    first = np.argmax(candidates, axis=1)
    best = np.where(candidates.any(axis=1), first, np.argmin(cmnd, axis=1))
    rows = np.arange(cmnd.shape[0])
    # parabolic interpolation of the trough
    left = cmnd[rows, np.clip(best - 1, 0, cmnd.shape[1] - 1)]
    mid = cmnd[rows, best]
    right = cmnd[rows, np.clip(best + 1, 0, cmnd.shape[1] - 1)]
    denom = left - 2 * mid + right
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    period = _MIN_LAG + best + np.clip(shift, -1, 1)
    return SAMPLE_RATE / period, mid


def _fold_octaves(f0: np.ndarray) -> np.ndarray:
    """Fold frames an octave above or below the median back to it (YIN's usual slips)."""
    voiced = np.isfinite(f0)
    if np.count_nonzero(voiced) < 5:
        return f0
    centre = np.median(f0[voiced])
    out = f0.copy()
    ratio = out / centre
    out[ratio > 1.8] /= 2.0
    out[ratio < 0.55] *= 2.0
    return out


def _isolated(mask: np.ndarray) -> np.ndarray:
    return mask & ~np.r_[False, mask[:-1]] & ~np.r_[mask[1:], False]


def _grow(voiced: np.ndarray, maybe: np.ndarray, f0: np.ndarray) -> np.ndarray:
    """Extend voiced runs into neighbouring rough frames whose pitch continues smoothly (like pYIN's HMM)."""
    voiced = voiced.copy()
    log_f0 = 12.0 * np.log2(np.maximum(f0, 1.0))
    for order in (range(1, voiced.size), range(voiced.size - 2, -1, -1)):
        step = 1 if order.step == 1 else -1
        for i in order:
            j = i - step
            if maybe[i] and not voiced[i] and voiced[j] and abs(log_f0[i] - log_f0[j]) < CONTINUITY_ST:
                voiced[i] = True
    return voiced


def _brightness(frames: np.ndarray) -> np.ndarray:
    spectrum = np.abs(np.fft.rfft(frames.T * np.hanning(FRAME), axis=1)) ** 2
    split = int(BRIGHT_SPLIT_HZ * FRAME / SAMPLE_RATE)
    low = spectrum[:, 2:split].sum(axis=1) + 1e-12  # from ~30 Hz
    high = spectrum[:, split : FRAME // 4].sum(axis=1) + 1e-12  # to 4 kHz (telephone band)
    return (10.0 * np.log10(high / low)).astype(np.float32)


def track(audio: np.ndarray) -> ProsodyTrack:
    """Frame-level pitch, level and voice quality for 16 kHz mono float32 audio."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.size < FRAME:
        audio = np.pad(audio, (0, FRAME - audio.size))
    frames = _frames(audio)
    power = np.mean(frames.astype(np.float64) ** 2, axis=0)
    level_db = 10.0 * np.log10(power + 1e-12)
    peak = np.percentile(level_db, 99) if level_db.size else SILENCE_FLOOR_DB
    active = level_db > max(SILENCE_FLOOR_DB, peak - ACTIVE_BELOW_PEAK_DB)
    f0, aperiodicity = _yin(frames)
    in_range = active & (f0 > FMIN * 1.02) & (f0 < FMAX * 0.98)
    sure = in_range & (aperiodicity < APERIODICITY_MAX) & (level_db > peak - VOICED_BELOW_PEAK_DB)
    maybe = in_range & (aperiodicity < APERIODICITY_WEAK)
    voiced = _grow(sure & ~_isolated(sure), maybe, f0)
    f0 = _fold_octaves(np.where(voiced, f0, np.nan)).astype(np.float32)
    times = np.arange(level_db.size) * HOP / SAMPLE_RATE
    return ProsodyTrack(
        times, f0, level_db.astype(np.float32), active, aperiodicity.astype(np.float32), _brightness(frames)
    )


def semitones(f0: np.ndarray | float, ref: float) -> np.ndarray:
    """Pitch relative to `ref` in semitones."""
    return 12.0 * np.log2(np.asarray(f0, dtype=np.float64) / ref)


def pauses(active: np.ndarray, frame_s: float, min_pause_s: float = MIN_PAUSE_S) -> tuple[float, ...]:
    """Lengths of inactive runs between the first and the last active frame."""
    idx = np.flatnonzero(active)
    if idx.size < 2:
        return ()
    inner = active[idx[0] : idx[-1] + 1]
    gaps, run = [], 0
    for is_active in inner:
        if is_active:
            if run * frame_s >= min_pause_s:
                gaps.append(round(run * frame_s, 3))
            run = 0
        else:
            run += 1
    return tuple(gaps)


def voiced_span(prosody: ProsodyTrack) -> tuple[float, float] | None:
    """From the start of the first voiced frame to the end of the last one (None without voicing)."""
    idx = np.flatnonzero(np.isfinite(prosody.f0_hz))
    if idx.size == 0:
        return None
    half = prosody.frame_s / 2
    return float(prosody.times[idx[0]] - half), float(prosody.times[idx[-1]] + half)


def ending(prosody: ProsodyTrack) -> tuple[str | None, float | None]:
    """Rising, falling or level pitch over the last `ENDING_S` of voiced speech, and by how much."""
    idx = np.flatnonzero(np.isfinite(prosody.f0_hz))
    if idx.size < 8:
        return None, None
    last_t = prosody.times[idx[-1]]
    tail = idx[prosody.times[idx] >= last_t - ENDING_S]
    if tail.size < 5:
        return None, None
    st = semitones(prosody.f0_hz[tail], float(np.median(prosody.f0_hz[idx])))
    slope = np.polyfit(prosody.times[tail], st, 1)[0]
    moved = float(slope * (prosody.times[tail[-1]] - prosody.times[tail[0]]))
    label = "rising" if moved >= ENDING_ST else "falling" if moved <= -ENDING_ST else "level"
    return label, moved


def summarize(audio: np.ndarray, prosody: ProsodyTrack | None = None) -> ProsodySummary:
    """Summary measures of one reply."""
    audio = np.asarray(audio, dtype=np.float32)
    prosody = prosody or track(audio)
    is_voiced = np.isfinite(prosody.f0_hz)
    voiced = prosody.f0_hz[is_voiced]
    pitch_median = pitch_range = pitch_var = bright = None
    if voiced.size >= 5:
        pitch_median = float(np.median(voiced))
        st = semitones(voiced, pitch_median)
        pitch_range = float(np.percentile(st, 95) - np.percentile(st, 5))
        pitch_var = float(np.std(st))
        bright = float(np.median(prosody.brightness_db[is_voiced]))
    active_db = prosody.level_db[prosody.active]
    loudness = loud_range = trend = None
    if active_db.size:
        loudness = float(10.0 * np.log10(np.mean(10.0 ** (active_db / 10.0))))
        loud_range = float(np.percentile(active_db, 95) - np.percentile(active_db, 10))
        if active_db.size >= 30:
            third = active_db.size // 3
            trend = float(np.median(active_db[-third:]) - np.median(active_db[:third]))
    end_label, end_st = ending(prosody)
    return ProsodySummary(
        duration_s=audio.size / SAMPLE_RATE,
        speaking_s=float(np.count_nonzero(prosody.active) * prosody.frame_s),
        pitch_median_hz=pitch_median,
        pitch_range_st=pitch_range,
        pitch_variability_st=pitch_var,
        loudness_db=loudness,
        loudness_range_db=loud_range,
        clipped_fraction=float(np.mean(np.abs(audio) >= CLIP_LEVEL)) if audio.size else 0.0,
        pauses_s=pauses(prosody.active, prosody.frame_s),
        voiced_s=float(voiced.size * prosody.frame_s),
        ending=end_label,
        ending_st=end_st,
        level_trend_db=trend,
        brightness_db=bright,
    )
