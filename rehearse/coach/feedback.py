"""One reply judged: wording, pace and prosody, fused into scores, tone labels and a tip.

JSON schema of `Feedback.to_dict()` (stable for trainers' tools; see docs/coach.md):
transcript, duration_s, metrics{...}, moves[...], labels[...], tip, evidence{move: words,
label: {why, words, seconds}}, scores{empathy, clarity, pace, calm}, baseline{...} or null,
not_judged[...] (what could not be judged and why), words[[text, start_s, end_s], ...].
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import asdict, dataclass, field

import numpy as np

from rehearse.audio import meter, prosody
from rehearse.coach import wording
from rehearse.coach.baseline import Baseline
from rehearse.coach.fillers import filled_pauses
from rehearse.coach.pace import Pace, count_fillers, measure
from rehearse.coach.verdict import (
    EMPATHY_BASE,
    MIN_TIMED_WORDS,
    MIN_VOICED_S,
    Label,
    Observation,
    empathy_score,
    fuse,
    pitch_character,
)
from rehearse.constants import VOCABULARY
from rehearse.models.language import language_name
from rehearse.models.stt import Transcript, Word

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "EMPATHY_BASE",
    "Feedback",
    "Metrics",
    "baseline_from",
    "empathy_score",
    "judge",
    "judge_text",
    "measure_baseline",
]

MIN_WORD_PROBABILITY = 0.6
"""Below this mean word probability, with `MAX_UNSURE_SHARE` of the words unsure, the words are not
trusted: English-only Whisper turns another language, noise or music into such words."""
MAX_UNSURE_SHARE = 0.3
UNSURE_WORD = 0.5
_NON_SPEECH = re.compile(r"[\[(♪*][^\])♪*]*[\])♪*]|♪")


@dataclass(frozen=True)
class Metrics:
    """How the reply was said (None where it could not be measured)."""

    wpm: float | None = None
    articulation_wpm: float | None = None
    word_count: int = 0
    pause_count: int = 0
    longest_pause_s: float | None = None
    long_pause_count: int = 0
    filler_count: int = 0
    fillers: dict[str, int] = field(default_factory=dict)
    filled_pause_count: int | None = None
    response_gap_s: float | None = None
    talk_over_s: float | None = None
    speaking_s: float | None = None
    voiced_s: float | None = None
    pitch_median_hz: float | None = None
    pitch_range_st: float | None = None
    pitch_variability_st: float | None = None
    pitch_character: str | None = None
    """"monotone", "agitated" or "varied", against the baseline's usual movement where known."""
    pitch_ending: str | None = None
    pitch_ending_st: float | None = None
    loudness_db: float | None = None
    loudness_range_db: float | None = None
    loudness_trend_db: float | None = None
    brightness_db: float | None = None
    clipped_fraction: float | None = None


@dataclass(frozen=True)
class Feedback:
    """The verdict on one reply."""

    transcript: str
    duration_s: float | None
    metrics: Metrics
    moves: tuple[str, ...]
    evidence: dict[str, str]
    """For each detected move, the words that showed it."""
    scores: dict[str, float | None]
    not_judged: tuple[str, ...] = field(default=())
    labels: tuple[Label, ...] = ()
    tip: str | None = None
    baseline: Baseline | None = None
    words: tuple[Word, ...] = ()
    """The recognised words with their times (spoken replies), for replay to follow along."""

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(lab.name for lab in self.labels)

    def to_dict(self) -> dict:
        evidence: dict = dict(self.evidence)
        evidence.update({lab.name: lab.to_dict() for lab in self.labels})
        return {
            "transcript": self.transcript,
            "duration_s": _round(self.duration_s),
            "metrics": {k: _round(v) for k, v in asdict(self.metrics).items()},
            "moves": list(self.moves),
            "labels": list(self.label_names),
            "tip": self.tip,
            "evidence": evidence,
            "scores": {k: _round(v) for k, v in self.scores.items()},
            "baseline": None if self.baseline is None else {k: _round(v) for k, v in self.baseline.to_dict().items()},
            "not_judged": list(self.not_judged),
            "words": [[w.text.strip(), round(w.start, 3), round(w.end, 3)] for w in self.words],
        }


def _round(value):
    return round(float(value), 3) if isinstance(value, (float, np.floating)) else value


def _use_examples(semantic: bool | None) -> bool:
    from rehearse.coach import examples

    return examples.loaded() if semantic is None else semantic


def _detect(text: str, semantic: bool | None, customer_name: str | None) -> tuple[wording.MoveHit, ...]:
    """Phrase rules; with the embedding model, also the example layer and the learned layer (`coach.classifier`)."""
    if not _use_examples(semantic):
        return wording.detect(text, customer_name=customer_name)
    from rehearse.coach import classifier

    return classifier.detect(text, customer_name=customer_name)


def _clean_text(text: str) -> str:
    """The transcript without non-speech marks such as "[Music]" or "♪"."""
    return re.sub(r"\s+", " ", _NON_SPEECH.sub(" ", text)).strip()


def judge_text(text: str, *, semantic: bool | None = None, customer_name: str | None = None) -> Feedback:
    """Judge the words alone (no audio): moves, empathy and clarity.

    `semantic` uses example-sentence matching and the learned layer too (None: only if the embedding
    model is already loaded).
    """
    clean = _clean_text(text)
    not_judged = []
    judged = len(clean.split()) >= 2
    if not clean:
        not_judged.append("no words were given, so nothing was judged")
    elif not judged:
        not_judged.append("a single word is too little to judge wording, empathy or clarity")
    hits = _detect(clean, semantic, customer_name) if judged else ()
    fillers = count_fillers(clean)
    pace = Pace(len(clean.split()), None, None, (), sum(fillers.values()), fillers)
    verdict = fuse(Observation(hits, pace, wording_judged=judged))
    return Feedback(
        transcript=clean,
        duration_s=None,
        metrics=Metrics(word_count=pace.word_count, filler_count=pace.filler_count, fillers=fillers),
        moves=tuple(h.move for h in hits),
        evidence={h.move: h.evidence for h in hits},
        scores=verdict.scores,
        not_judged=tuple(not_judged),
        labels=verdict.labels,
        tip=verdict.tip,
    )


def _speech_words(transcript: Transcript) -> tuple[Word, ...]:
    return tuple(w for w in transcript.words if _clean_text(w.text).strip(" ,.?!-"))


def _unreliable(words: tuple[Word, ...]) -> bool:
    probabilities = np.array([w.probability for w in words])
    unsure = np.mean(probabilities < UNSURE_WORD)
    return bool(probabilities.mean() < MIN_WORD_PROBABILITY and unsure >= MAX_UNSURE_SHARE)


def measure_baseline(transcript: Transcript | None, audio: np.ndarray) -> Baseline:
    """The learner's baseline from a calm calibration read (or their first turn). A measure with too
    little behind it (fewer than `MIN_TIMED_WORDS` words, under `MIN_VOICED_S` of voicing) is left out."""
    track = prosody.track(audio)
    summary = prosody.summarize(audio, track)
    pace = measure(_speech_words(transcript), prosody.voiced_span(track)) if transcript is not None else None
    baseline = Baseline.from_measures(summary, pace if pace and pace.word_count >= MIN_TIMED_WORDS else None)
    if summary.voiced_s < MIN_VOICED_S:
        baseline = Baseline(wpm=baseline.wpm)
    return baseline


def baseline_from(feedback: Feedback) -> Baseline:
    """The learner's baseline from a reply `judge` already measured (their first turn): what
    `measure_baseline` gives for the same transcript and audio, without measuring them again, except
    that pace is left out where the words were not trusted (another language, noise or music)."""
    m = feedback.metrics
    wpm = m.wpm if m.word_count >= MIN_TIMED_WORDS else None
    if m.voiced_s is None or m.voiced_s < MIN_VOICED_S:
        return Baseline(wpm=wpm)
    return Baseline(m.pitch_median_hz, m.pitch_variability_st, m.loudness_db, m.brightness_db, wpm)


def judge(
    transcript: Transcript,
    audio: np.ndarray,
    *,
    baseline: Baseline | None = None,
    semantic: bool | None = None,
    customer_name: str | None = None,
    talk_over_s: float | None = None,
) -> Feedback:
    """Judge a spoken reply: its transcript with word timestamps and its 16 kHz audio.

    `baseline` makes pitch, loudness and pace relative to the learner's own voice. `talk_over_s`
    is how long the learner spoke over the customer (from the live stream), counted as `interrupt`.
    The response gap is the time before the first word, so pass audio that starts when the customer stops.
    """
    audio = np.asarray(audio, dtype=np.float32)
    words = _speech_words(transcript)
    text = _clean_text(transcript.text)
    not_judged: list[str] = []
    trusted = True
    if not words or not text:
        not_judged.append("no speech was recognised (silence, noise or music?), so nothing was judged")
        trusted = False
    elif not transcript.language.startswith("en"):
        not_judged.append(
            f"the speech sounds like {language_name(transcript.language)}, not English, so wording, empathy, clarity "
            "and pace were not judged (Rehearse coaches English replies)"
        )
        trusted = False
    elif _unreliable(words):
        not_judged.append(
            "the words could not be recognised reliably (another language, noise or music?), "
            "so wording, empathy, clarity and pace were not judged"
        )
        trusted = False
    wording_judged = trusted and len(words) >= 2
    if trusted and len(words) < 2:
        not_judged.append("a single word is too little to judge wording, empathy, clarity or pace")
    hits = _detect(text, semantic, customer_name) if wording_judged else ()
    track = prosody.track(audio)
    summary = prosody.summarize(audio, track)
    pace = measure(words, prosody.voiced_span(track))
    if trusted and 2 <= len(words) < MIN_TIMED_WORDS:
        not_judged.append(f"fewer than {MIN_TIMED_WORDS} words, so pace was not judged")
    if talk_over_s and talk_over_s > 0 and "interrupt" not in {h.move for h in hits}:
        hits = tuple(
            sorted(
                hits + (wording.MoveHit("interrupt", f"spoke over the customer for {talk_over_s:.1f} s"),),
                key=lambda h: VOCABULARY.index(h.move),
            )
        )
    voice_ok = bool(words) and summary.voiced_s >= MIN_VOICED_S
    if words and not voice_ok:
        not_judged.append("too little voiced speech to judge pitch and calm")
    fills = tuple(filled_pauses(audio, track, words)) if words else ()
    if not wording_judged:
        pace = Pace(
            pace.word_count,
            None,
            None,
            pace.word_pauses_s,
            pace.filler_count,
            pace.fillers,
            pace.filler_times,
            pace.long_pauses,
            pace.first_word_s,
            pace.span,
        )
    obs = Observation(
        hits,
        pace,
        words,
        wording_judged,
        summary if voice_ok else None,
        track if voice_ok else None,
        fills,
        baseline,
        talk_over_s,
    )
    verdict = fuse(obs)
    voice = summary if voice_ok else None
    metrics = Metrics(
        wpm=pace.wpm,
        articulation_wpm=pace.articulation_wpm,
        word_count=pace.word_count,
        pause_count=len(pace.word_pauses_s),
        longest_pause_s=max(pace.word_pauses_s, default=None),
        long_pause_count=len(pace.long_pauses),
        filler_count=pace.filler_count,
        fillers=pace.fillers,
        filled_pause_count=len(fills) if words else None,
        response_gap_s=pace.first_word_s,
        talk_over_s=talk_over_s,
        speaking_s=summary.speaking_s,
        voiced_s=summary.voiced_s,
        pitch_median_hz=voice and voice.pitch_median_hz,
        pitch_range_st=voice and voice.pitch_range_st,
        pitch_variability_st=voice and voice.pitch_variability_st,
        pitch_character=pitch_character(voice, baseline),
        pitch_ending=voice and voice.ending,
        pitch_ending_st=voice and voice.ending_st,
        loudness_db=summary.loudness_db if words else None,
        loudness_range_db=summary.loudness_range_db if words else None,
        loudness_trend_db=summary.level_trend_db if words else None,
        brightness_db=voice and voice.brightness_db,
        clipped_fraction=summary.clipped_fraction,
    )
    return Feedback(
        transcript=text,
        duration_s=audio.size / prosody.SAMPLE_RATE,
        metrics=metrics,
        moves=tuple(h.move for h in hits),
        evidence={h.move: h.evidence for h in hits},
        scores=verdict.scores,
        not_judged=tuple(not_judged),
        labels=verdict.labels,
        tip=verdict.tip,
        baseline=baseline,
        words=words,
    )


@functools.cache
def warm_up() -> None:
    """Judge a made-up reply (and meter it as the live meter does) once per process, so that the first real
    verdict does not pay the first-call costs (module imports, compiled kernels: about 1.5 s on a 2-core CPU,
    most of it holding Python's GIL, which would stall a window's thread while the learner waits).

    librosa's numba kernels are compiled on the first call after an install (about 25 s on a 2-core CPU) and
    cached beside librosa; `scripts/setup.sh` runs this once so that the first session does not wait for it."""
    noise = np.random.default_rng(0).normal(0.0, 0.01, prosody.SAMPLE_RATE).astype(np.float32)
    meter.read(noise * 5.0, noise)
    words = (Word("I'm", 0.1, 0.3, 0.9), Word("sorry", 0.3, 0.7, 0.9))
    judge(Transcript("I'm sorry", words, "en", 1.0), noise)
    judge_text("I'm sorry, I'll fix that today.")


@functools.cache
def warm_up_wording() -> None:
    """Run the wording model once, right after it loads (`classifier.load_adapter`): its first detection costs
    ~0.5 s more than the next on a 2-core CPU, which the first live verdict paid (648 ms against ~75 ms)."""
    judge_text("I'm sorry, I'll fix that today.", semantic=True)
