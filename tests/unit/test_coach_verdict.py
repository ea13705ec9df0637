"""Fusion rules: scores, tone labels, evidence and the headline tip, from hand-made measurements."""

import numpy as np
import pytest

from rehearse.audio.prosody import ProsodySummary
from rehearse.coach.baseline import Baseline
from rehearse.coach.fillers import FilledPause
from rehearse.coach.pace import Pace
from rehearse.coach.verdict import KEEP_GOING, Observation, fuse, headline_tip, pace_score
from rehearse.coach.wording import MoveHit, detect
from rehearse.models.stt import Word


def _summary(**kw):
    base = dict(
        duration_s=5.0,
        speaking_s=4.5,
        pitch_median_hz=120.0,
        pitch_range_st=6.0,
        pitch_variability_st=2.5,
        loudness_db=-22.0,
        loudness_range_db=15.0,
        clipped_fraction=0.0,
        pauses_s=(),
        voiced_s=3.0,
        ending="falling",
        ending_st=-2.0,
        level_trend_db=-1.0,
        brightness_db=-16.0,
    )
    return ProsodySummary(**{**base, **kw})


def _pace(wpm=140.0, words=20, **kw):
    return Pace(
        words, wpm, wpm, (), kw.pop("filler_count", 0), span=(0.2, 0.2 + 60 * words / wpm), first_word_s=0.2, **kw
    )


CALM = Baseline(pitch_median_hz=120.0, pitch_variability_st=2.5, loudness_db=-22.0, brightness_db=-16.0, wpm=140.0)


def _obs(text="I'm so sorry about that, it sounds really frustrating. I'll send a technician tomorrow.", **kw):
    kw.setdefault("pace", _pace())
    kw.setdefault("summary", _summary())
    return Observation(detect(text), **kw)


def test_warm_and_steady():
    verdict = fuse(_obs(baseline=CALM))
    assert [lab.name for lab in verdict.labels] == ["warm and steady"]
    assert verdict.scores["empathy"] >= 80 and verdict.scores["calm"] == 100 and verdict.scores["pace"] == 100
    assert verdict.tip.startswith("Good call")


def test_rushed_against_band_and_baseline():
    verdict = fuse(_obs(pace=_pace(200.0), baseline=CALM))
    rushed = [lab for lab in verdict.labels if lab.name == "rushed"][0]
    assert "200 words a minute" in rushed.why and rushed.seconds
    assert verdict.scores["pace"] < 50
    assert verdict.tip.startswith("Slow down")
    # a naturally fast talker at their usual 175 wpm is not rushed
    fast_talker = Baseline(**{**CALM.to_dict(), "wpm": 175.0})
    assert pace_score(_pace(175.0), fast_talker) == 100
    assert "rushed" not in [lab.name for lab in fuse(_obs(pace=_pace(175.0), baseline=fast_talker)).labels]


def test_tense_raised_voice_relative_to_baseline():
    loud = _summary(pitch_median_hz=170.0, loudness_db=-12.0, brightness_db=-8.0)
    verdict = fuse(_obs(summary=loud, baseline=CALM))
    assert verdict.scores["calm"] < 30
    tense = [lab for lab in verdict.labels if lab.name == "tense, raised voice"][0]
    assert "semitones above your baseline" in tense.why and "louder" in tense.why
    assert verdict.tip.startswith("Lower your voice")
    # the same voice is calm for a learner whose baseline it is
    own = Baseline(pitch_median_hz=170.0, loudness_db=-12.0, brightness_db=-8.0, pitch_variability_st=2.5, wpm=140.0)
    assert fuse(_obs(summary=loud, baseline=own)).scores["calm"] == 100


def test_the_tension_is_measured_once_per_verdict(monkeypatch):
    from rehearse.coach import verdict as module

    calls = []
    measure = module.tension
    monkeypatch.setattr(module, "tension", lambda *args: calls.append(args) or measure(*args))
    tense = fuse(_obs(summary=_summary(pitch_median_hz=170.0, loudness_db=-12.0), baseline=CALM))
    assert "tense, raised voice" in [lab.name for lab in tense.labels] and len(calls) == 1


def test_scripted_is_empathy_flat_and_fast():
    flat = _summary(pitch_variability_st=0.8)
    names = [lab.name for lab in fuse(_obs(summary=flat, pace=_pace(175.0))).labels]
    assert "scripted" in names
    assert "scripted" not in [lab.name for lab in fuse(_obs(summary=flat, pace=_pace(130.0))).labels]
    assert "scripted" not in [lab.name for lab in fuse(_obs(summary=_summary(), pace=_pace(175.0))).labels]


def test_hesitant_needs_fillers_and_pauses_or_fading():
    pace = _pace(
        110.0,
        filler_count=3,
        fillers={"um": 3},
        filler_times=(("um", 0.5, 0.8), ("um", 2.0, 2.3), ("um", 4.0, 4.4)),
        long_pauses=((1.0, 2.2), (3.0, 4.1)),
    )
    verdict = fuse(_obs(pace=pace, summary=_summary(level_trend_db=-8.0)))
    hesitant = [lab for lab in verdict.labels if lab.name == "hesitant"][0]
    assert "3 fillers" in hesitant.why and "2 long pauses" in hesitant.why
    assert (0.5, 0.8) in hesitant.seconds
    assert verdict.scores["clarity"] < 80
    one_filler = _pace(110.0, filler_count=1, fillers={"um": 1})
    assert "hesitant" not in [lab.name for lab in fuse(_obs(pace=one_filler)).labels]


def test_acoustic_filled_pauses_count_once():
    pace = _pace(filler_count=1, fillers={"um": 1}, filler_times=(("um", 1.0, 1.4),))
    heard = (FilledPause(1.05, 1.35, 0.5, 0.1), FilledPause(3.0, 3.5, 0.4, 0.1))
    with_heard = fuse(_obs(pace=pace, filled_pauses=heard)).scores["clarity"]
    without = fuse(_obs(pace=pace)).scores["clarity"]
    assert with_heard == pytest.approx(without - 100 * 4 / 20)


def test_text_only_has_no_voice_scores():
    verdict = fuse(Observation(detect("I understand, I'll call you back by five."), Pace(8, None, None, (), 0)))
    assert verdict.scores["pace"] is None and verdict.scores["calm"] is None
    assert verdict.scores["empathy"] is not None and verdict.labels == ()


def test_nothing_judged_gives_no_scores_and_no_tip():
    verdict = fuse(Observation((), Pace(0, None, None, (), 0), wording_judged=False))
    assert set(verdict.scores.values()) == {None} and verdict.tip is None


@pytest.mark.parametrize(
    "moves, labels, expected",
    [
        (("apologize", "dismiss"), ("rushed",), "Drop the brush-off"),
        (("acknowledge", "next_step"), ("hesitant",), "Swap the fillers"),
        (("next_step",), (), "Start by acknowledging"),
        (("acknowledge",), (), "End with a concrete next step"),
        (("acknowledge", "next_step"), (), KEEP_GOING),
    ],
)
def test_tip_priority(moves, labels, expected):
    assert headline_tip(moves, labels, True).startswith(expected)


def test_words_with_evidence_seconds():
    words = tuple(Word(t, i * 0.3, i * 0.3 + 0.25, 0.9) for i, t in enumerate("I'm so sorry about that".split()))
    obs = Observation(
        (MoveHit("apologize", "i'm so sorry"),), _pace(175.0), words, summary=_summary(pitch_variability_st=0.5)
    )
    scripted = [lab for lab in fuse(obs).labels if lab.name == "scripted"][0]
    assert scripted.seconds == ((0.0, pytest.approx(0.85)),)
    assert np.isfinite(scripted.seconds[0][1])


def test_pitch_character_against_the_baseline():
    from rehearse.coach.verdict import pitch_character

    assert pitch_character(_summary(pitch_variability_st=0.9), None) == "monotone"
    assert pitch_character(_summary(pitch_variability_st=6.0), None) == "agitated"
    assert pitch_character(_summary(pitch_variability_st=2.5), None) == "varied"
    lively_speaker = Baseline(pitch_variability_st=5.0)
    assert pitch_character(_summary(pitch_variability_st=2.5), lively_speaker) == "monotone"
    assert pitch_character(_summary(pitch_variability_st=6.0), lively_speaker) == "varied"
    assert pitch_character(None, None) is None


def test_a_raised_voice_in_short_voiced_bursts_still_has_its_evidence():
    from rehearse.coach.verdict import tense_spans

    frame_s = 0.01
    times = np.arange(300) * frame_s
    bursts = (np.arange(300) // 12) % 2 == 0  # 0.12 s voiced, 0.12 s unvoiced: no run reaches 0.3 s alone
    bursts[200:] = False
    [(start, end)] = tense_spans(bursts, times, frame_s)
    assert start == 0.0 and end == pytest.approx(2.0)  # the gaps are bridged into one stretch
    apart = np.zeros(300, dtype=bool)
    apart[[20, 21, 120, 121, 122, 250]] = True  # a few frames far apart: the longest are shown
    spans = tense_spans(apart, times, frame_s)
    assert spans and spans[0][0] == pytest.approx(0.2) and len(spans) <= 3
    assert tense_spans(np.zeros(300, dtype=bool), times, frame_s) == ()
