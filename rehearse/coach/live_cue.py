"""The live cue: at most one short instruction while the learner speaks, for sustained conditions only.

Pure logic: no audio devices, no Qt, no clock of its own. The live stream feeds it measurements with
their own timestamps (any rate from ~1 to 50 per second) and shows whatever `update` returns:

    cues = LiveCue(baseline)                      # Baseline from the calibration read, or None
    for frame in stream:                          # on the analysis worker
        cue = cues.update(Measurement(t_s=frame.t, speaking=frame.vad, wpm=gauge.wpm,
                                      level_db=frame.level_db, pitch_hz=frame.f0))
        show(cue.text if cue else "")             # None: show nothing

Rules:
- A condition must hold for `onset_s` (3 s) of speech before its cue shows.
- Only one cue at a time; when several conditions are ready, the most important one wins
  (lower your voice > calm your pitch > slow down > speak up).
- A cue stays up at least `min_show_s` and until its condition has been gone for `release_s`,
  with hysteresis on every threshold, so it never flickers.
- Silence freezes the timers (a breath does not reset "too fast"); a long silence clears everything.
- A measurement without a value (None) keeps the last known state of that condition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehearse.audio.prosody import ProsodyTrack
from rehearse.coach.baseline import Baseline
from rehearse.models.stt import Word

FAST, LOUD, HIGH, QUIET = "slow_down", "lower_voice", "calm_pitch", "speak_up"
PRIORITY = (LOUD, HIGH, FAST, QUIET)
TEXTS = {
    FAST: "Slow down",
    LOUD: "Lower your voice",
    HIGH: "Breathe: relax your voice",
    QUIET: "Speak up a little",
}


@dataclass(frozen=True)
class Measurement:
    """What the live stream knows at one moment; None where it has no value yet."""

    t_s: float
    """Seconds since the learner's turn began (must not go backwards)."""
    speaking: bool = True
    """Voice activity at this moment."""
    wpm: float | None = None
    """Running words-per-minute gauge (from partial transcripts), over the last few seconds."""
    level_db: float | None = None
    """Level of the last frame or second, in dBFS."""
    pitch_hz: float | None = None
    """Pitch of the last voiced frame or second (None when unvoiced)."""


@dataclass(frozen=True)
class CueConfig:
    """Thresholds of the live cue (on/off pairs give hysteresis)."""

    onset_s: float = 3.0
    """How long a condition must hold before its cue shows."""
    release_s: float = 1.5
    """How long a condition must be gone before its cue clears."""
    min_show_s: float = 2.0
    """Shortest time a cue stays up."""
    reset_silence_s: float = 4.0
    """A silence this long clears the cue and all timers."""
    fast_on_wpm: float = 170.0
    fast_off_wpm: float = 160.0
    loud_on_db: float = 6.0
    """Above the baseline level by this much is a raised voice (without baseline: above -10 dBFS)."""
    loud_off_db: float = 4.0
    high_on_st: float = 3.0
    """Pitch above the baseline by this many semitones is tense (needs a baseline)."""
    high_off_st: float = 2.0
    quiet_on_db: float = -10.0
    """Below the baseline level by this much is too quiet (needs a baseline)."""
    quiet_off_db: float = -7.0
    fast_relative: float = 1.25
    """With a baseline pace, "too fast" also needs this multiple of it."""


@dataclass(frozen=True)
class Cue:
    """The instruction on screen."""

    kind: str
    """One of "slow_down", "lower_voice", "calm_pitch", "speak_up"."""
    text: str
    since_s: float
    """When it appeared, in the stream's seconds."""


class LiveCue:
    """Turns a stream of measurements into at most one steady cue (see the module docstring)."""

    def __init__(self, baseline: Baseline | None = None, config: CueConfig | None = None):
        self.baseline = baseline or Baseline()
        self.config = config or CueConfig()
        self.reset()

    def reset(self) -> None:
        """Forget everything (call at the start of each turn)."""
        self._held: dict[str, float] = {k: 0.0 for k in PRIORITY}
        self._on: dict[str, bool] = {k: False for k in PRIORITY}
        self._gone: float = 0.0
        self._silence: float = 0.0
        self._last_t: float | None = None
        self._cue: Cue | None = None

    @property
    def current(self) -> Cue | None:
        return self._cue

    def _active(self, kind: str, m: Measurement) -> bool | None:
        """Whether the condition holds now (with hysteresis), or None when this measurement cannot tell."""
        c, b, was = self.config, self.baseline, self._on[kind]
        if kind == FAST:
            if m.wpm is None:
                return None
            limit = c.fast_off_wpm if was else c.fast_on_wpm
            if b.wpm:
                limit = max(limit, b.wpm * (c.fast_relative - (0.1 if was else 0.0)))
            return m.wpm > limit
        if kind in (LOUD, QUIET):
            if m.level_db is None:
                return None
            if kind == LOUD:
                ref = b.loudness_db if b.loudness_db is not None else -16.0
                return m.level_db > ref + (c.loud_off_db if was else c.loud_on_db)
            if b.loudness_db is None:
                return False
            return m.level_db < b.loudness_db + (c.quiet_off_db if was else c.quiet_on_db)
        if m.pitch_hz is None or not b.pitch_median_hz or m.pitch_hz <= 0:
            return None
        rise = 12.0 * math.log2(m.pitch_hz / b.pitch_median_hz)
        return rise > (c.high_off_st if was else c.high_on_st)

    def update(self, m: Measurement) -> Cue | None:
        """Consume one measurement; returns the cue to show now (None: nothing)."""
        dt = 0.0 if self._last_t is None else max(0.0, m.t_s - self._last_t)
        self._last_t = m.t_s
        if not m.speaking:
            self._silence += dt
            if self._silence >= self.config.reset_silence_s:
                self.reset()
                self._last_t = m.t_s
            return self._cue
        self._silence = 0.0
        for kind in PRIORITY:
            state = self._active(kind, m)
            if state is not None:  # no news: the last known state goes on
                self._on[kind] = state
            self._held[kind] = self._held[kind] + dt if self._on[kind] else 0.0
        self._advance(m.t_s, dt)
        return self._cue

    def _advance(self, t: float, dt: float) -> None:
        c = self.config
        if self._cue is not None:
            kind = self._cue.kind
            self._gone = 0.0 if self._on[kind] else self._gone + dt
            if self._gone < c.release_s or t - self._cue.since_s < c.min_show_s:
                return
            self._cue, self._gone = None, 0.0
        for kind in PRIORITY:
            if self._on[kind] and self._held[kind] >= c.onset_s:
                self._cue, self._gone = Cue(kind, TEXTS[kind], t), 0.0
                return


def measurements(
    track: ProsodyTrack, words: Sequence[Word] = (), step_s: float = 0.5, wpm_window_s: float = 4.0
) -> list[Measurement]:
    """Measurements every `step_s` from a finished reply (replays, tests, calibration).

    The live stream builds the same values as it goes: level and pitch of the last step, and a pace
    gauge over the last `wpm_window_s` of words (None until two seconds of words exist).
    """
    out: list[Measurement] = []
    ends = np.array([w.end for w in words]) if words else np.zeros(0)
    first = words[0].start if words else None
    duration = float(track.times[-1] + track.frame_s) if track.times.size else 0.0
    for t in np.arange(step_s, duration + 1e-9, step_s):
        frames = (track.times >= t - step_s) & (track.times < t)
        active = frames & track.active
        voiced = frames & np.isfinite(track.f0_hz)
        level = float(10 * np.log10(np.mean(10 ** (track.level_db[active] / 10)))) if active.any() else None
        pitch = float(np.median(track.f0_hz[voiced])) if voiced.any() else None
        wpm = None
        if first is not None and t - first >= 2.0:
            window = min(wpm_window_s, t - first)
            wpm = 60.0 * int(np.count_nonzero((ends > t - window) & (ends <= t))) / window
        out.append(Measurement(float(t), bool(active.any()), wpm, level, pitch))
    return out
