"""The live cue: sustained conditions only, one at a time, no flicker, clears when gone."""

from rehearse.coach.baseline import Baseline
from rehearse.coach.live_cue import LiveCue, Measurement


def _run(cue, seconds, step=0.1, **fields):
    """Feed measurements; fields are functions of t. Returns (t, kind or None) pairs."""
    out = []
    for i in range(int(seconds / step)):
        t = i * step
        m = Measurement(t, **{k: (f(t) if callable(f) else f) for k, f in fields.items()})
        c = cue.update(m)
        out.append((round(t, 2), c.kind if c else None))
    return out


def _changes(trace):
    changes, last = [], object()
    for t, kind in trace:
        if kind != last:
            changes.append((t, kind))
            last = kind
    return changes


def test_short_bursts_raise_no_cue():
    trace = _run(LiveCue(), 10, wpm=lambda t: 200 if int(t) % 3 == 0 else 140)
    assert {k for _, k in trace} == {None}


def test_sustained_fast_speech_cues_after_three_seconds_and_clears():
    trace = _run(LiveCue(), 12, wpm=lambda t: 195 if 1 <= t < 7 else 140)
    changes = _changes(trace)
    assert [k for _, k in changes] == [None, "slow_down", None]
    assert 3.9 <= changes[1][0] <= 4.2
    assert 7.0 < changes[2][0] <= 9.0


def test_no_flicker_around_the_threshold():
    trace = _run(LiveCue(), 20, wpm=lambda t: 200 if t < 5 else (165 if int(t * 10) % 2 else 172))
    assert [k for _, k in _changes(trace)] == [None, "slow_down"]


def test_one_cue_at_a_time_and_priority():
    base = Baseline(pitch_median_hz=120, loudness_db=-25, wpm=140)
    trace = _run(LiveCue(base), 8, wpm=200, level_db=-15)
    assert {k for _, k in trace} == {None, "lower_voice"}


def test_cue_waits_its_turn_then_the_next_one_shows():
    base = Baseline(loudness_db=-25)
    trace = _run(LiveCue(base), 16, wpm=200, level_db=lambda t: -15 if t < 5 else -25)
    assert [k for _, k in _changes(trace)] == [None, "lower_voice", "slow_down"]


def test_pitch_relative_to_baseline_and_unknown_values_keep_state():
    base = Baseline(pitch_median_hz=100)
    trace = _run(LiveCue(base), 6, pitch_hz=lambda t: 130 if int(t * 10) % 2 else None)
    assert trace[-1][1] == "calm_pitch"
    assert _run(LiveCue(), 6, pitch_hz=300)[-1][1] is None  # no baseline: pitch is never judged


def test_long_silence_resets():
    cue = LiveCue()
    _run(cue, 5, wpm=200)
    assert cue.current is not None
    for i in range(50):
        cue.update(Measurement(5 + i * 0.1, speaking=False))
    assert cue.current is None


def test_measurements_from_a_track_and_words():
    import numpy as np

    from rehearse.audio.prosody import ProsodyTrack
    from rehearse.coach.live_cue import measurements
    from rehearse.models.stt import Word

    times = np.arange(300) * 0.02
    f0 = np.where(times < 3.0, 150.0, np.nan).astype(np.float32)
    track = ProsodyTrack(times, f0, np.full(300, -20.0, np.float32), times < 5.0, np.zeros(300), np.zeros(300))
    words = [Word("w", i * 0.25, i * 0.25 + 0.2, 0.9) for i in range(16)]  # 240 words a minute for 4 s
    ms = measurements(track, words)
    assert [m.t_s for m in ms][:3] == [0.5, 1.0, 1.5] and len(ms) == 12
    assert ms[0].wpm is None and ms[5].wpm == 240.0
    assert ms[0].pitch_hz == 150.0 and ms[7].pitch_hz is None
    assert abs(ms[0].level_db + 20.0) < 1e-3 and ms[-1].speaking is False and ms[-1].level_db is None
