"""Fusing what was said and how into 0-100 scores, tone labels with evidence, and one headline tip.

Pure functions over measurements (no audio, no models), so every rule here is unit-testable.
Each score is None where its inputs could not be measured: never a made-up number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehearse.audio.prosody import ProsodySummary, ProsodyTrack, semitones
from rehearse.coach.baseline import Baseline
from rehearse.coach.fillers import FilledPause
from rehearse.coach.pace import COMFORTABLE_WPM, RUSHED_WPM, Pace
from rehearse.coach.wording import MoveHit, load_rules
from rehearse.models.stt import Word

EMPATHY_BASE = 30.0
MIN_TIMED_WORDS = 4
"""Fewer words than this are too few to judge pace."""
MIN_VOICED_S = 0.3
"""Less voiced speech than this is too little to judge the voice."""
RAISED_DB = 6.0
"""Louder than the baseline by this much is a raised voice."""
TENSE_CALM = 60.0
"""A calm score below this reads as tense."""
FLAT_ST = 1.5
"""Pitch variability below this (semitones) sounds flat."""
SCRIPTED_WPM = 150.0
EMPATHY_MOVES = ("acknowledge", "apologize")


@dataclass(frozen=True)
class Label:
    """A named tone with the evidence for it."""

    name: str
    why: str
    words: str = ""
    seconds: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict:
        return {"why": self.why, "words": self.words, "seconds": [[round(a, 2), round(b, 2)] for a, b in self.seconds]}


@dataclass(frozen=True)
class Observation:
    """Everything measured about one reply; voice fields are None for text only."""

    hits: tuple[MoveHit, ...]
    pace: Pace
    words: tuple[Word, ...] = ()
    wording_judged: bool = True
    summary: ProsodySummary | None = None
    track: ProsodyTrack | None = None
    filled_pauses: tuple[FilledPause, ...] = ()
    baseline: Baseline | None = None
    talk_over_s: float | None = None

    @property
    def moves(self) -> tuple[str, ...]:
        return tuple(h.move for h in self.hits)

    @property
    def voice_judged(self) -> bool:
        return self.summary is not None and self.summary.voiced_s >= MIN_VOICED_S


@dataclass(frozen=True)
class Verdict:
    """Scores, tone labels and the headline tip for one reply."""

    scores: dict[str, float | None]
    labels: tuple[Label, ...]
    tip: str | None


def _clamp(value: float) -> float:
    return float(min(100.0, max(0.0, value)))


def empathy_score(moves: Sequence[str]) -> float:
    """0-100 from the moves present, weighted as in `data/moves.yaml`."""
    rules = load_rules()
    return _clamp(EMPATHY_BASE + sum(rules[m].weight for m in moves if m in rules))


def pace_band(baseline: Baseline | None) -> tuple[float, float]:
    """The comfortable band, widened towards the learner's own usual pace."""
    low, high = COMFORTABLE_WPM
    if baseline and baseline.wpm:
        high = max(high, min(baseline.wpm * 1.1, 190.0))
        low = min(low, max(baseline.wpm * 0.9, 90.0))
    return low, high


def pace_score(pace: Pace, baseline: Baseline | None) -> float | None:
    if pace.wpm is None or pace.word_count < MIN_TIMED_WORDS:
        return None
    low, high = pace_band(baseline)
    if pace.wpm > high:
        return _clamp(100.0 - 2.0 * (pace.wpm - high))
    if pace.wpm < low:
        return _clamp(100.0 - 1.5 * (low - pace.wpm))
    return 100.0


def filler_total(obs: Observation) -> int:
    """Fillers in the words plus filled pauses heard where no filler word was written."""
    written = [(a, b) for _, a, b in obs.pace.filler_times]
    unheard = [p for p in obs.filled_pauses if not any(a < p.end and p.start < b for a, b in written)]
    return obs.pace.filler_count + len(unheard)


def clarity_score(obs: Observation) -> float | None:
    """100 less fillers per 100 words, jargon, a rushed pace and long pauses."""
    if not obs.wording_judged or obs.pace.word_count < 2:
        return None
    score = 100.0
    score -= min(40.0, 4.0 * 100.0 * filler_total(obs) / max(obs.pace.word_count, 1))
    if "jargon" in obs.moves:
        score -= 20.0
    if obs.pace.wpm is not None and obs.pace.word_count >= MIN_TIMED_WORDS:
        score -= min(25.0, max(0.0, obs.pace.wpm - pace_band(obs.baseline)[1] - 10.0))
    score -= min(20.0, 5.0 * len(obs.pace.long_pauses))
    return _clamp(score)


@dataclass(frozen=True)
class Tension:
    """How far the voice is from calm, and why."""

    points: float
    reasons: tuple[str, ...]
    level_rise_db: float | None
    """Loudness above the baseline in dB (None without a baseline level)."""


def tension(summary: ProsodySummary, baseline: Baseline | None) -> Tension:
    """Tension points from pitch, brightness, loudness and liveliness, against the baseline where known."""
    points, reasons = 0.0, []
    b = baseline or Baseline()
    level_rise = None
    if b.pitch_median_hz and summary.pitch_median_hz:
        rise = float(semitones(summary.pitch_median_hz, b.pitch_median_hz))
        if rise > 1.0:
            points += 8.0 * (rise - 1.0)
            reasons.append(f"pitch {rise:+.1f} semitones above your baseline")
    if summary.brightness_db is not None:
        reference = b.brightness_db + 2.0 if b.brightness_db is not None else -12.0
        if summary.brightness_db > reference:
            points += 3.0 * (summary.brightness_db - reference)
            reasons.append("a pressed, bright voice quality")
    if b.loudness_db is not None and summary.loudness_db is not None:
        level_rise = summary.loudness_db - b.loudness_db
        if level_rise > 3.0:
            points += 4.0 * (level_rise - 3.0)
            reasons.append(f"{level_rise:+.0f} dB louder than your baseline")
    if pitch_character(summary, baseline) == "agitated":
        points += 10.0
        reasons.append("an agitated, jumpy pitch")
    if summary.clipped_fraction > 0.001:
        points += 10.0
        reasons.append("clipping: the microphone is overloaded")
    return Tension(points, tuple(reasons), level_rise)


def pitch_character(summary: ProsodySummary | None, baseline: Baseline | None) -> str | None:
    """ "monotone", "agitated" or "varied": pitch movement against the learner's usual movement."""
    if summary is None or summary.pitch_variability_st is None:
        return None
    usual = baseline.pitch_variability_st if baseline and baseline.pitch_variability_st else None
    flat = max(FLAT_ST, 0.6 * usual) if usual else FLAT_ST
    lively = max(4.0, 1.6 * usual) if usual else 5.0
    if summary.pitch_variability_st < flat:
        return "monotone"
    return "agitated" if summary.pitch_variability_st > lively else "varied"


def _spans(mask: np.ndarray, times: np.ndarray, frame_s: float, min_s: float = 0.3) -> tuple[tuple[float, float], ...]:
    out, start = [], None
    for i, on in enumerate(np.r_[mask, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if (i - start) * frame_s >= min_s:
                out.append((float(times[start]), float(times[i - 1] + frame_s)))
            start = None
    return tuple(out)


def close_gaps(mask: np.ndarray, frames: int) -> np.ndarray:
    """`mask` with the runs of False of at most `frames` frames between two True frames filled in."""
    out = mask.copy()
    on = np.flatnonzero(mask)
    for start, gap in zip(on[:-1], np.diff(on), strict=True):
        if 1 < gap <= frames + 1:
            out[start : start + gap] = True
    return out


def tense_spans(mask: np.ndarray, times: np.ndarray, frame_s: float) -> tuple[tuple[float, float], ...]:
    """Up to five stretches of a raised voice: the frames of `mask`, with the unvoiced gaps of consonants and
    short breaks (up to 0.2 s) bridged; when no stretch lasts 0.3 s, the longest ones, so that a label
    always points at its evidence."""
    mask = close_gaps(mask, round(0.2 / frame_s))
    spans = _spans(mask, times, frame_s)
    if not spans:
        spans = tuple(sorted(sorted(_spans(mask, times, frame_s, 0.0), key=lambda s: s[0] - s[1])[:3]))
    return spans[:5]


def words_in(words: Sequence[Word], spans: Sequence[tuple[float, float]]) -> str:
    return " ".join(w.text for w in words if any(a < w.end and w.start < b for a, b in spans))


def phrase_seconds(words: Sequence[Word], phrase: str) -> tuple[tuple[float, float], ...]:
    """Where a phrase of the transcript was spoken, from word timestamps."""
    target = [t.strip(",.?!").lower() for t in phrase.split()]
    tokens = [w.text.strip(",.?!").lower() for w in words]
    for i in range(len(tokens) - len(target) + 1):
        if target and tokens[i : i + len(target)] == target:
            return ((words[i].start, words[i + len(target) - 1].end),)
    return ()


def _tense_label(obs: Observation, t: Tension | None, calm: float | None) -> Label | None:
    if t is None or calm is None:
        return None
    raised = t.level_rise_db is not None and t.level_rise_db >= RAISED_DB
    if calm >= TENSE_CALM and not raised:
        return None
    seconds: tuple[tuple[float, float], ...] = ()
    if obs.track is not None:
        trk, b = obs.track, obs.baseline or Baseline()
        mask = np.zeros(trk.times.size, dtype=bool)
        if b.loudness_db is not None:
            mask |= trk.level_db > b.loudness_db + RAISED_DB
        if b.pitch_median_hz:
            with np.errstate(invalid="ignore"):
                mask |= semitones(trk.f0_hz, b.pitch_median_hz) > 3.0
        if not mask.any():
            mask = trk.level_db > np.percentile(trk.level_db[trk.active], 75) if trk.active.any() else mask
        seconds = tense_spans(mask, trk.times, trk.frame_s)
    return Label("tense, raised voice", "; ".join(t.reasons) or "a tense voice", words_in(obs.words, seconds), seconds)


def _rushed_label(obs: Observation) -> Label | None:
    pace = obs.pace
    if pace.wpm is None or pace.word_count < MIN_TIMED_WORDS:
        return None
    limit = max(RUSHED_WPM, pace_band(obs.baseline)[1] + 10.0)
    if pace.wpm <= limit:
        return None
    low, high = COMFORTABLE_WPM
    return Label(
        "rushed",
        f"{pace.wpm:.0f} words a minute (comfortable on the phone: {low:.0f}-{high:.0f})",
        " ".join(w.text for w in obs.words[:8]) + (" ..." if len(obs.words) > 8 else ""),
        (pace.span,) if pace.span else (),
    )


def _hesitant_label(obs: Observation) -> Label | None:
    fillers = filler_total(obs)
    rate = 100.0 * fillers / max(obs.pace.word_count, 1)
    signals = []
    if fillers >= 3 or (fillers >= 2 and rate >= 8.0):
        signals.append(f"{fillers} fillers")
    if len(obs.pace.long_pauses) >= 2:
        signals.append(f"{len(obs.pace.long_pauses)} long pauses")
    trend = obs.summary.level_trend_db if obs.summary else None
    if trend is not None and trend <= -6.0:
        signals.append(f"the voice trails off ({trend:.0f} dB)")
    if len(signals) < 2 and fillers < 5:
        return None
    seconds = tuple((a, b) for _, a, b in obs.pace.filler_times) + tuple((p.start, p.end) for p in obs.filled_pauses)
    seconds += obs.pace.long_pauses
    words = " ".join(kind for kind, _, _ in obs.pace.filler_times)
    return Label("hesitant", ", ".join(signals), words, tuple(sorted(seconds))[:10])


def _scripted_label(obs: Observation) -> Label | None:
    said = [h for h in obs.hits if h.move in EMPATHY_MOVES]
    s, pace = obs.summary, obs.pace
    if not said or not obs.voice_judged or s.pitch_variability_st is None or pace.wpm is None:
        return None
    fast = max(SCRIPTED_WPM, obs.baseline.wpm * 1.1) if obs.baseline and obs.baseline.wpm else SCRIPTED_WPM
    if pitch_character(s, obs.baseline) != "monotone" or pace.wpm < fast:
        return None
    seconds = tuple(span for h in said for span in phrase_seconds(obs.words, h.evidence))
    return Label(
        "scripted",
        f"empathetic words in a flat voice ({s.pitch_variability_st:.1f} semitones of movement) "
        f"at {pace.wpm:.0f} words a minute",
        "; ".join(h.evidence for h in said),
        seconds,
    )


def labels(obs: Observation, scores: dict[str, float | None], strain: Tension | None) -> tuple[Label, ...]:
    """Tone labels with their evidence; `strain` is the reply's `tension` (None when the voice was not judged)."""
    found = [
        lab
        for lab in (
            _tense_label(obs, strain, scores.get("calm")),
            _rushed_label(obs),
            _scripted_label(obs),
            _hesitant_label(obs),
        )
        if lab is not None
    ]
    anti = {"blame", "dismiss", "interrupt", "policy"} & set(obs.moves)
    empathy, calm, pace = scores.get("empathy"), scores.get("calm"), scores.get("pace")
    if (
        not found
        and not anti
        and empathy is not None
        and empathy >= 55
        and calm is not None
        and calm >= 70
        and (pace is None or pace >= 70)
    ):
        said = [h for h in obs.hits if h.move in EMPATHY_MOVES + ("reassure", "own")]
        seconds = tuple(span for h in said for span in phrase_seconds(obs.words, h.evidence))
        found.append(
            Label("warm and steady", "caring words in a calm, even voice", "; ".join(h.evidence for h in said), seconds)
        )
    return tuple(found)


TIPS = (
    ("dismiss", 'Drop the brush-off. Name what they feel instead: "That sounds really frustrating."'),
    ("blame", "Leave out whose fault it was and say what you will do to fix it."),
    ("tense, raised voice", "Lower your voice and slow your breathing: a calm voice calms the caller."),
    ("interrupt", "Let them finish before you speak; a short pause shows you are listening."),
    ("rushed", "Slow down to about 140 words a minute and pause between sentences so each one lands."),
    ("policy", "Lead with what you can do for them, not with what the policy forbids."),
    ("scripted", "Mean the words: slow down and let your voice move when you acknowledge them."),
    ("hesitant", "Swap the fillers for a short silent pause, and finish each sentence with a steady voice."),
    ("no empathy", "Start by acknowledging how they feel before you fix anything."),
    ("no next step", "End with a concrete next step and a time: who does what, by when."),
    ("jargon", "Say it in the customer's words and skip the technical terms."),
    ("warm and steady", "Good call: warm words in a steady voice. Keep that tone for the next turn."),
)


KEEP_GOING = "Good reply: you acknowledged them and gave a next step. Keep doing exactly that."


def headline_tip(moves: Sequence[str], names: Sequence[str], wording_judged: bool) -> str | None:
    """The single most useful thing to change (or keep), in priority order."""
    present = set(moves) | set(names)
    if wording_judged:
        if not set(EMPATHY_MOVES) & set(moves):
            present.add("no empathy")
        if "next_step" not in moves:
            present.add("no next step")
    for key, tip in TIPS:
        if key in present:
            return tip
    return KEEP_GOING if wording_judged else None


def fuse(obs: Observation) -> Verdict:
    """Scores, labels and tip for one reply."""
    strain = tension(obs.summary, obs.baseline) if obs.voice_judged else None
    scores = {
        "empathy": empathy_score(obs.moves) if obs.wording_judged else None,
        "clarity": clarity_score(obs),
        "pace": pace_score(obs.pace, obs.baseline) if obs.summary is not None else None,
        "calm": _clamp(100.0 - strain.points) if strain is not None else None,
    }
    found = labels(obs, scores, strain)
    tip = headline_tip(obs.moves, [lab.name for lab in found], obs.wording_judged)
    if not obs.wording_judged and not obs.voice_judged:
        tip = None
    return Verdict(scores, found, tip)
