"""Endpointing: Silero VAD (bundled with faster-whisper) run on streaming windows, and the turn logic.

Silero v6 takes exactly 512 samples at 16 kHz (32 ms, the model's fixed window, nearest to 30 ms)
plus 64 samples of context, and carries its recurrent state from window to window.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np

from rehearse.constants import SAMPLE_RATE

WINDOW = 512
CONTEXT = 64
WINDOW_S = WINDOW / SAMPLE_RATE


class StreamingVad:
    """Speech probability for each successive 512-sample window of a 16 kHz stream."""

    def __init__(self):
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)  # a new turn's first window starts at its first sample

    def feed(self, audio: np.ndarray) -> list[float]:
        """Probabilities for every window completed by `audio` (audio is buffered across calls)."""
        self._pending = np.concatenate([self._pending, np.asarray(audio, dtype=np.float32)])
        probs = []
        while self._pending.size >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            batch = np.concatenate([self._context, window])[None, :]
            out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
            self._context = window[-CONTEXT:]
            probs.append(float(np.ravel(out)[0]))
        return probs


@dataclass(frozen=True)
class EndpointConfig:
    """When a turn starts and ends."""

    threshold: float = 0.5
    """Speech probability at which speech starts."""
    neg_threshold: float = 0.35
    """Probability below which a window counts as silence once speech has started."""
    min_speech_ms: float = 96.0
    """Speech must last this long to start a turn (coughs and clicks do not)."""
    end_of_turn: str = "smart_turn"
    """"smart_turn": Smart Turn v3.2 on the audio, the words so far and the silence decide (falls back to
    "silence" when the model file is unavailable); "silence": silence alone, as before issue 11."""
    trailing_silence_ms: float = 300.0
    """Silence after speech that ends the turn ("silence" detector; also with "smart_turn" while the model
    has not answered yet)."""
    pause_ms: float = 0.0
    """Silence after which a pause is announced and the final transcript started speculatively (0: at once;
    more saves work on dips between words but delays the final when the turn really ends)."""
    hangover_ms: float = 800.0
    """Extra silence required when the words so far stop mid-sentence ("and", "because", "um")."""
    model_after_ms: float = 60.0
    """Silence after which Smart Turn is first asked whether the turn is finished, once the pause's words are
    known."""
    model_again_ms: float = 200.0
    """Silence after which it is asked again (it was trained on pauses of about 200 ms; its early answers are less
    sure)."""
    early_probability: float = 0.8
    """Probability an answer about less than `model_again_ms` of silence needs to end the turn."""
    finished_probability: float = 0.5
    """Smart Turn's probability at or above which a pause whose words do not stop mid-clause ends the turn."""
    finished_silence_ms: float = 90.0
    """Least silence before a turn the model calls finished ends (a dip between words is shorter)."""
    short_reply_ms: float = 1000.0
    """Speech shorter than this before a pause ("Yes, ...", "Okay, so ...") needs `short_silence_ms` to end on the
    model: such a start is often finished-sounding and followed by more."""
    short_silence_ms: float = 450.0
    unsure_probability: float = 0.15
    """Between this and `finished_probability`, the turn ends after `unsure_silence_ms`."""
    unsure_silence_ms: float = 700.0
    model_wait_ms: float = 500.0
    """Silence after which a turn ends on the old silence rule when Smart Turn has not answered (a busy CPU)."""
    ceiling_ms: float = 1600.0
    """Silence that ends a turn whatever the model and the words say (the learner simply stopped)."""
    max_turn_s: float = 60.0
    """Longest turn; past it the customer interrupts."""
    no_answer_s: float = 8.0
    """Silence after the customer's line before they ask whether the learner is still there."""

    @classmethod
    def from_dict(cls, data: dict) -> EndpointConfig:
        return cls(
            **{
                k: (str(v) if k == "end_of_turn" else float(v))
                for k, v in data.items()
                if k in cls.__dataclass_fields__
            }
        )

    def to_dict(self) -> dict:
        return asdict(self)


_NEVER_LAST = (
    r"the|a|an|and|but|because|um+|uh+|er+|hmm+|to|of|if|with|for|from|at|by|into|than|which|my|your|our|their|its"
)
"""Words no reply ends on, even when Whisper puts a full stop after them: it writes "We can send a replacement
router to." for a pause after "to" (tiny.en, a fast Piper voice). So "I'd be happy to." waits for the ceiling."""
_RARELY_LAST = r"so|or|then|that's|is|are|was|were|am|will|would|could|should|i|we|they"
"""Words a reply ends on only as a whole thought ("I think so.", "Yes, we will."): finished with a full stop."""
_NEVER_LAST_AT_END = re.compile(r"\b(" + _NEVER_LAST + r")[\s,.-]*$", re.I)
_RARELY_LAST_AT_END = re.compile(r"\b(" + _RARELY_LAST + r")[\s,-]*$", re.I)


def sounds_unfinished(text: str) -> bool:
    """True when the words so far stop where a sentence cannot end: on Whisper's trailing "..." (it writes
    "If the reader will excuse me..." for a thinking pause), on a conjunction, article, preposition, filler or
    possessive (full stop or not), or on an auxiliary or pronoun with no full stop after it ("So what I can do
    is", "I'll send it to your")."""
    text = text.strip()
    if text.endswith(("...", "…")) or _NEVER_LAST_AT_END.search(text):
        return True
    return not text.endswith((".", "?", "!")) and bool(_RARELY_LAST_AT_END.search(text))


def decide(
    config: EndpointConfig,
    silence_ms: float,
    probability: float | None,
    unfinished: bool,
    smart: bool = True,
    heard_ms: float | None = None,
    speech_ms: float | None = None,
    words_known: bool = True,
) -> str | None:
    """Whether a pause of `silence_ms` ends the turn, and by which rule (None: keep listening).

    `probability` is Smart Turn's newest answer for this pause (None while it has not answered), about
    `heard_ms` of its silence; `unfinished` says the words so far stop mid-clause. Rules, first that applies:
    "ceiling" (silence reached `ceiling_ms`), "silence" (no model answer after `model_wait_ms`: the old rule,
    trailing silence plus the hangover after unfinished words), "model_finished" (finished words, probability
    high, a short silence), "model_unsure" (finished words, probability in between, a longer silence). While the
    words so far end before this pause (`words_known` False: its transcript is not ready yet), they cannot say
    whether the reply stopped mid-clause ("I can see your account" may be followed by "and"): the turn waits for
    them, up to the ceiling. This costs no time to the next line, which waits for that transcript anyway (the
    verdict branches on it), and cuts nobody off; with a fast transcriber the words come within ~100 ms."""
    cfg = config
    if not smart:
        return "silence" if silence_ms >= cfg.trailing_silence_ms + (cfg.hangover_ms if unfinished else 0.0) else None
    if silence_ms >= cfg.ceiling_ms:
        return "ceiling"
    if probability is None:
        needed = cfg.trailing_silence_ms + (cfg.hangover_ms if unfinished or not words_known else 0.0)
        return "silence" if silence_ms >= max(needed, cfg.model_wait_ms) else None
    if unfinished:
        return None
    if not words_known:
        return None
    early = heard_ms is not None and heard_ms < cfg.model_again_ms
    needed = cfg.early_probability if early else cfg.finished_probability
    short = speech_ms is not None and speech_ms < cfg.short_reply_ms
    if probability >= needed and silence_ms >= (cfg.short_silence_ms if short else cfg.finished_silence_ms):
        return "model_finished"
    if early:
        return None  # wait for the answer about a longer silence
    if probability >= cfg.unsure_probability and silence_ms >= cfg.unsure_silence_ms:
        return "model_unsure"
    return None


@dataclass(frozen=True)
class EndpointEvent:
    """A decision of the endpointer, at an absolute 16 kHz sample index."""

    kind: str
    """"speech_start", "pause" (silence began `pause_ms` ago; the turn may end), "analyse" (ask the end-of-turn
    model about the audio up to `sample`), "resume", "speech_end", "released" (push-to-talk let go),
    "max_length" or "no_answer"."""
    sample: int


class Endpointer:
    """Turns VAD probabilities into speech start, pause, end, max-length and no-answer decisions."""

    def __init__(self, config: EndpointConfig = EndpointConfig(), answer_from: int | None = 0, smart: bool = False):
        self.config = config
        self.smart = smart
        """Smart Turn answers are expected ("analyse" events); False: silence alone decides."""
        self.answer_from = answer_from
        """Where the no-answer timeout starts (the customer's line ended); None while they still talk."""
        self.speech_start: int | None = None
        self.speech_end: int | None = None
        self.unfinished = False
        """Set by the transcriber when the words so far stop mid-sentence (longer hangover)."""
        self.words = ""
        """The words so far (the newest partial or speculative final)."""
        self.words_until: int | None = None
        """The sample the words so far reach (a partial may end before the pause in progress)."""
        self.probability: float | None = None
        """Smart Turn's answer for the current pause."""
        self.model_ms: float | None = None
        self.end_of_turn: dict | None = None
        """Why the turn ended: rule, model probability, silence, last words (for the turn's timing)."""
        self._asked = 0
        self.heard_ms: float | None = None
        """How much of the pause Smart Turn's newest answer heard."""
        self.words_ms: float | None = None
        """How far into the pause its words were first known (checked per window)."""
        self._candidate: int | None = None
        self._silence_from: int | None = None
        self._pause_sent = False
        self.done = False
        self.held = False
        """Push-to-talk is held: silence neither ends the reply nor counts as no answer."""

    @property
    def speaking(self) -> bool:
        """True from speech start until a pause begins (and again when speech resumes)."""
        return self.speech_start is not None and self._silence_from is None and not self.done

    def _windows(self, ms: float) -> int:
        return max(1, int(round(ms / 1000.0 / WINDOW_S)))

    def update(self, prob: float, sample: int) -> list[EndpointEvent]:
        """Feed one window's probability; `sample` is the absolute index where that window starts."""
        if self.done:
            return []
        cfg, events = self.config, []
        end = sample + WINDOW
        if self.speech_start is None:
            if prob >= cfg.threshold:
                self._candidate = sample if self._candidate is None else self._candidate
                if end - self._candidate >= self._windows(cfg.min_speech_ms) * WINDOW:
                    self.speech_start = self._candidate
                    events.append(EndpointEvent("speech_start", self.speech_start))
            else:
                self._candidate = None
                if (
                    not self.held
                    and self.answer_from is not None
                    and end - self.answer_from >= cfg.no_answer_s * SAMPLE_RATE
                ):
                    self.done = True
                    events.append(EndpointEvent("no_answer", end))
            return events
        if prob >= cfg.threshold or (self._silence_from is None and prob >= cfg.neg_threshold):
            if self._pause_sent:
                events.append(EndpointEvent("resume", sample))
            self._silence_from, self._pause_sent, self._asked = None, False, 0
            self.probability = self.model_ms = self.heard_ms = self.words_ms = None
        elif self._silence_from is None:
            self._silence_from = sample
        if (
            self._silence_from is not None
            and not self._pause_sent
            and end - self._silence_from >= cfg.pause_ms / 1000.0 * SAMPLE_RATE
        ):
            self._pause_sent = True
            events.append(EndpointEvent("pause", self._silence_from))
        if self.smart and self._silence_from is not None and self._ask(end):
            events.append(EndpointEvent("analyse", end))
        events += self.check(end)
        if self.done:
            return events
        if end - self.speech_start >= cfg.max_turn_s * SAMPLE_RATE:
            self.speech_end = end
            self.done = True
            self.end_of_turn = {
                "detector": "smart_turn" if self.smart else "silence",
                "rule": "max_length",
                "last_words": " ".join(self.words.split()[-6:]),
            }
            events.append(EndpointEvent("max_length", end))
        return events

    def _ask(self, end: int) -> bool:
        """Whether Smart Turn is asked about the pause now: at `model_after_ms` once the pause's words are known
        (before them, no answer can end the turn, and on a CPU the model's run slows the decode they wait for),
        and at `model_again_ms`."""
        silence_ms = 1000.0 * (end - self._silence_from) / SAMPLE_RATE
        if self._asked < 2 and silence_ms >= self.config.model_again_ms:
            self._asked = 2
            return True
        if self._asked == 0 and silence_ms >= self.config.model_after_ms and self._words_reach_pause():
            self._asked = 1
            return True
        return False

    def _words_reach_pause(self) -> bool:
        return (
            self.words_until is not None and self._silence_from is not None and self.words_until >= self._silence_from
        )

    def estimate(self, probability: float, end: int, took_ms: float | None = None) -> None:
        """Smart Turn's answer for the audio up to `end`; kept when it belongs to the current pause."""
        if self._silence_from is not None and end >= self._silence_from and not self.done:
            heard = 1000.0 * (end - self._silence_from) / SAMPLE_RATE
            if self.heard_ms is None or heard >= self.heard_ms:
                self.probability, self.model_ms, self.heard_ms = probability, took_ms, heard

    def check(self, now: int) -> list[EndpointEvent]:
        """Whether the pause in progress ends the turn at sample `now` (called per window, and when the model
        answers between windows)."""
        if self.done or self.held or self._silence_from is None or self.speech_start is None:
            return []
        silence_ms = 1000.0 * (now - self._silence_from) / SAMPLE_RATE
        speech_ms = 1000.0 * (self._silence_from - self.speech_start) / SAMPLE_RATE
        known = self._words_reach_pause()
        if known and self.words_ms is None:
            self.words_ms = silence_ms
        rule = decide(
            self.config, silence_ms, self.probability, self.unfinished, self.smart, self.heard_ms, speech_ms, known
        )
        if rule is None:
            return []
        self.speech_end, self.done = self._silence_from, True
        self.end_of_turn = {
            "detector": "smart_turn" if self.smart else "silence",
            "rule": rule,
            "probability": None if self.probability is None else round(self.probability, 3),
            "model_ms": None if self.model_ms is None else round(self.model_ms, 1),
            "model_heard_ms": None if self.heard_ms is None else round(self.heard_ms),
            "silence_ms": round(silence_ms),
            "unfinished_words": self.unfinished,
            "words_reach_pause": known,
            "words_ms": None if self.words_ms is None else round(self.words_ms),
            "last_words": " ".join(self.words.split()[-6:]),
        }
        return [EndpointEvent("speech_end", self._silence_from)]

    def release(self, sample: int) -> list[EndpointEvent]:
        """Push-to-talk released at `sample`: a reply that began ends now ("released", where its silence began)."""
        self.held = False
        if self.done or self.speech_start is None:
            return []
        self.speech_end = self._silence_from if self._silence_from is not None else sample
        self.done = True
        self.end_of_turn = {
            "detector": "smart_turn" if self.smart else "silence",
            "rule": "released",
            "last_words": " ".join(self.words.split()[-6:]),
        }
        return [EndpointEvent("released", self.speech_end)]


EDGE_FRAME = 80
"""5 ms frames for placing speech edges more finely than the VAD's 32 ms windows."""
EDGE_ABOVE_FLOOR_DB = 12.0
MIN_RUN = 3
MAX_DIP = 2


DIGITAL_SILENCE_DB = -90.0


def _floor(levels: np.ndarray) -> float:
    """Background level: the median of the frames that are not digital silence (a muted or virtual input)."""
    heard = levels[levels > DIGITAL_SILENCE_DB]
    return float(np.median(heard)) if heard.size else DIGITAL_SILENCE_DB


def _levels(audio: np.ndarray) -> np.ndarray:
    frames = audio[: audio.size // EDGE_FRAME * EDGE_FRAME].reshape(-1, EDGE_FRAME).astype(np.float64)
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def _runs(loud: np.ndarray) -> np.ndarray:
    """Frames inside runs of at least `MIN_RUN` loud frames (a lone noisy 5 ms frame is not speech)."""
    kernel = np.ones(MIN_RUN, dtype=int)
    starts = np.convolve(loud.astype(int), kernel, mode="valid") == MIN_RUN
    return np.convolve(starts.astype(int), kernel, mode="full")[: loud.size] > 0


def refine_start(audio: np.ndarray, candidate: int) -> int:
    """Where speech energy begins in `audio`, searching back from index `candidate` (the VAD's start).

    The noise floor is the background before the candidate; the start is the first frame of the run
    of loud frames (short dips allowed) that leads into the candidate window."""
    levels = _levels(audio)
    at = min(candidate // EDGE_FRAME, levels.size - 1)
    if at < 2:
        return candidate
    loud = _runs(levels > _floor(levels[:at]) + EDGE_ABOVE_FLOOR_DB)
    ahead = np.flatnonzero(loud[at : at + WINDOW // EDGE_FRAME])
    if not ahead.size:
        return candidate
    index, quiet = at + ahead[0], 0
    for i in range(index - 1, -1, -1):
        quiet = 0 if loud[i] else quiet + 1
        if quiet > MAX_DIP:
            break
        if loud[i]:
            index = i
    return index * EDGE_FRAME


def refine_end(audio: np.ndarray, candidate: int) -> int:
    """Where speech energy ends in `audio`, near index `candidate` (where the VAD saw silence begin).

    The noise floor is the background after the candidate; the end follows the last run of loud frames."""
    levels = _levels(audio)
    at = min(candidate // EDGE_FRAME, levels.size - 1)
    if levels.size - at < 2:
        return candidate
    loud = np.flatnonzero(_runs(levels > _floor(levels[at:]) + EDGE_ABOVE_FLOOR_DB)[: at + 1])
    return int((loud[-1] + 1) * EDGE_FRAME) if loud.size else candidate
