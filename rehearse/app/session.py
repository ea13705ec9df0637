"""One practice conversation and its saved turns: what the engine (`rehearse.app.engine`) drives.

session = Session(scenario, stt, tts, store, learner="sam", seed=1)   # no row, no thread yet
session.start()                         # the session row; wording models load in the background
line = session.customer_line()          # text + synthesized audio
turn = session.answer(reply_audio)      # transcribe, judge, branch, commit the turn
session.rewind(turn.index)              # retake it: the conversation as it was before that turn
...
session.close()                         # finished, or unfinished when stopped early
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from rehearse.audio.files import SAMPLE_RATE
from rehearse.coach.baseline import Baseline
from rehearse.coach.feedback import Feedback, baseline_from, judge, judge_text
from rehearse.models.stt import SpeechToText, Transcript
from rehearse.models.tts import SENTENCE_GAP_S, SpokenSentence, TextToSpeech
from rehearse.scenarios.engine import Conversation, CustomerLine, Signals, Step
from rehearse.scenarios.schema import Scenario
from rehearse.scenarios.voice import spoken_sentences
from rehearse.store import SessionStore

_LOGGER = logging.getLogger(__name__)

AHEAD_MOOD_TOLERANCE = 0.15
"""A line synthesized ahead is used if the mood it was voiced for is this close to the mood chosen."""


@dataclass(frozen=True)
class SpokenLine:
    """A customer line with its synthesized audio."""

    line: CustomerLine
    audio: np.ndarray
    sample_rate: int


@dataclass(frozen=True)
class TurnResult:
    """One completed turn: what the customer said, how the reply was judged, where the talk went."""

    index: int
    customer: SpokenLine
    feedback: Feedback
    step: Step
    next_line: CustomerLine
    timing: dict | None = None
    """Live turns only: when the line and the reply were heard (see `rehearse.app.live`)."""
    take: int = 1
    """1, or more when the learner took this turn again from the same branch point."""

    def to_dict(self) -> dict:
        data = self.feedback.to_dict()
        if self.timing is not None:
            data["timing"] = dict(self.timing)
        data.update(
            turn=self.index,
            take=self.take,
            customer_line=self.customer.line.text,
            customer_mood=self.customer.line.mood,
            branch=self.step.to_dict(),
            next_line=self.next_line.text,
            outcome=self.next_line.outcome,
        )
        return data


def signals_from(feedback: Feedback, interrupted: bool = False) -> Signals:
    """What the scenario engine needs from a verdict."""
    numbers: dict[str, float | None] = {k: v for k, v in feedback.scores.items()}
    numbers.update(
        wpm=feedback.metrics.wpm,
        pitch_median_hz=feedback.metrics.pitch_median_hz,
        loudness_db=feedback.metrics.loudness_db,
    )
    no_answer = not feedback.transcript
    return Signals(frozenset(feedback.moves), numbers, interrupted=interrupted, no_answer=no_answer)


@dataclass(frozen=True)
class _BeforeTurn:
    """What a retake of a turn goes back to."""

    conversation: Conversation
    baseline: Baseline | None
    takes: int
    """Takes of this turn so far."""


class Session:
    """One practice conversation, saved turn by turn (`stt` may be None when every reply is typed).

    Creating it has no side effects; `start()` (or the first answer) writes the session row."""

    def __init__(
        self,
        scenario: Scenario,
        stt: SpeechToText | None,
        tts: TextToSpeech,
        store: SessionStore,
        learner: str = "learner",
        seed: int = 0,
        baseline: Baseline | None = None,
        paraphrases: bool = False,
        device: str = "auto",
    ):
        """`paraphrases`: judge wording with the example and learned layers too, not the phrase rules
        alone; their models load on a worker thread at `start()`, and the first reply waits for them, so
        every turn of a session is judged the same way. `device`: where the wording model runs."""
        self.scenario = scenario
        self.baseline = baseline
        self.stt, self.tts, self.store = stt, tts, store
        self.learner, self.seed, self.device = learner, seed, device
        self.conversation = Conversation(scenario, seed=seed)
        self.id: str | None = None
        self.turns: list[TurnResult] = []
        self._before: dict[int, _BeforeTurn] = {}
        self._spoken: SpokenLine | None = None
        self._ahead: dict[str, tuple[float, list[SpokenSentence]]] = {}
        self._tts_lock = threading.Lock()
        self._closed = False
        self._want_paraphrases = paraphrases
        self._paraphrases = False
        self._wording_loader: threading.Thread | None = None

    def start(self) -> str:
        """Write the session row and start loading the wording models (once). Returns the session id."""
        if self.id is None:
            self.id = self.store.start_session(
                self.learner,
                self.scenario.id,
                self.seed,
                self.scenario.difficulty,
                scenario_text=self.scenario.text or None,
            )
            if self._want_paraphrases:
                self._wording_loader = threading.Thread(
                    target=self._load_wording_layers, name="wording-models", daemon=True
                )
                self._wording_loader.start()
        return self.id

    def _load_wording_layers(self) -> None:
        from rehearse.coach import classifier
        from rehearse.coach.feedback import warm_up_wording

        try:
            classifier.load_adapter(device=self.device)
            warm_up_wording()
            self._paraphrases = True
        except Exception as exc:  # a missing package or a broken install: judge with the rules, say why
            _LOGGER.warning("wording is judged by the phrase rules only: %s", exc)

    def wait_for_wording(self) -> bool:
        """Wait until the wording models are loaded; True when they are used, False for the rules alone."""
        if self._wording_loader is not None:
            self._wording_loader.join()
        return self._paraphrases

    @property
    def finished(self) -> bool:
        return self.conversation.finished

    def customer_line(self) -> SpokenLine:
        """The customer's current line, synthesized in a voice that carries their mood (cached)."""
        line = self.conversation.line()
        if self._spoken is None or self._spoken.line is not line:
            for _ in self.speak():  # fills self._spoken
                pass
        return self._spoken

    def speak(self) -> Iterator[SpokenSentence]:
        """The current line sentence by sentence, for live playback; afterwards `customer_line()` holds
        the sentences made (all of them, unless the generator was closed early)."""
        line = self.conversation.line()
        if self._spoken is not None and self._spoken.line is line:
            yield SpokenSentence(self._spoken.audio, self._spoken.sample_rate)
            return
        with self._tts_lock:
            mood, ready = self._ahead.get(line.text, (line.mood, None))
        if abs(mood - line.mood) > AHEAD_MOOD_TOLERANCE:
            ready = None
        gap = np.zeros(int(SENTENCE_GAP_S * self.tts.sample_rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        try:
            for sentence in ready or self._synthesize(line.text, line.mood):
                parts += [gap, sentence.audio] if parts else [sentence.audio]
                yield sentence
        finally:  # closed early (the learner cut in): keep the sentences that were made
            if parts:
                self._spoken = SpokenLine(line, np.concatenate(parts), self.tts.sample_rate)

    def _synthesize(self, text: str, mood: float) -> Iterator[SpokenSentence]:
        """The persona's voice at this mood, sentence by sentence, with the mood's vocal effort."""
        sentences = spoken_sentences(self.tts, text, self.scenario.persona, mood)
        while True:
            with self._tts_lock:  # Piper is not used from two threads at once
                sentence = next(sentences, None)
            if sentence is None:
                return
            yield sentence

    def synthesize_ahead(self, lines: list[CustomerLine], cancel: threading.Event | None = None) -> None:
        """Synthesize the lines the next reply may lead to (`conversation.upcoming()`), so that `speak()`
        starts at once; call it on a helper thread while the customer or the learner talks. Setting
        `cancel` stops it between sentences. Each line is usable as soon as it is done."""
        ahead = {}
        for line in lines:
            known = self._ahead.get(line.text)
            if known is None or abs(known[0] - line.mood) > AHEAD_MOOD_TOLERANCE:
                sentences = []
                for sentence in self._synthesize(line.text, line.mood):
                    if cancel is not None and cancel.is_set():
                        return
                    sentences.append(sentence)
                known = (line.mood, sentences)
            ahead[line.text] = known
            with self._tts_lock:
                self._ahead = {**self._ahead, line.text: known}
        with self._tts_lock:  # only the lines the next reply may lead to are kept
            self._ahead = ahead

    def answer(
        self,
        reply: np.ndarray,
        interrupted: bool = False,
        transcript: Transcript | None = None,
        timing: dict | None = None,
        talk_over_s: float | None = None,
    ) -> TurnResult:
        """Judge a 16 kHz mono reply, branch, and commit the turn before returning.

        Live practice passes the `transcript` it already made, the turn's `timing`, and how long the
        learner spoke over the customer (`talk_over_s`). The first reply with speech becomes the
        learner's baseline (pitch, loudness, pace) unless one was given.
        """
        self._check_open()
        if transcript is None:
            if self.stt is None:
                raise RuntimeError("this session has no speech-to-text model; typed replies go to answer_text()")
            transcript = self.stt.transcribe(reply)
        if self.stt is not None:
            transcript = self.stt.confirm_language(transcript, reply)
        feedback = judge(
            transcript,
            reply,
            baseline=self.baseline,
            talk_over_s=talk_over_s,
            semantic=self.wait_for_wording(),
            customer_name=self.scenario.persona.name,
        )
        baseline_before = self.baseline
        if self.baseline is None and feedback.transcript:
            self.baseline = baseline_from(feedback)
        return self._commit(feedback, interrupted, (reply, SAMPLE_RATE), timing, baseline_before)

    def answer_text(self, text: str) -> TurnResult:
        """Judge a typed reply (practice without a microphone): wording only, no delivery measures."""
        self._check_open()
        feedback = judge_text(text, semantic=self.wait_for_wording(), customer_name=self.scenario.persona.name)
        return self._commit(feedback, False, None, None, self.baseline)

    def _check_open(self) -> None:
        if self.finished:
            raise RuntimeError("the conversation has already ended")
        self.start()

    @property
    def turn_index(self) -> int:
        """The number of the turn the current line opens."""
        return len(self.turns) + 1

    @property
    def take(self) -> int:
        """The take the next reply will be of the current turn."""
        before = self._before.get(self.turn_index)
        return before.takes + 1 if before else 1

    def rewind(self, index: int) -> int:
        """Take turn `index` again: the conversation, mood, facts, branch history and baseline as they were
        before it; its line is spoken again. Earlier takes stay saved (replay shows them side by side).
        Returns the number of the coming take."""
        if not 1 <= index <= len(self.turns):
            raise ValueError(f"turn {index} has not been taken yet (turns taken: {len(self.turns)})")
        before = self._before[index]
        self.conversation.restore(before.conversation)
        self.baseline = before.baseline
        self.turns = self.turns[: index - 1]
        self._before = {i: b for i, b in self._before.items() if i <= index}
        self.store.retire_turns(self.id, index)
        return before.takes + 1

    def keep_unjudged(self, reply: np.ndarray | None, why: str) -> None:
        """Save the turn in progress as it stands (stopped mid-turn): the line and the reply audio heard so
        far, not judged, so nothing said is lost. Fast: no model runs."""
        self.start()
        spoken = self._spoken if self._spoken is not None and self._spoken.line is self.conversation.line() else None
        line = self.conversation.line()
        self.store.add_turn(
            self.id,
            self.turn_index,
            take=self.take,
            node_id=line.node_id,
            customer_line=line.text,
            customer_mood=line.mood,
            transcript="",
            verdict={"judged": False, "not_judged": [why]},
            step=None,
            next_line=None,
            outcome=None,
            customer_audio=(spoken.audio, spoken.sample_rate) if spoken is not None else None,
            learner_audio=(reply, SAMPLE_RATE) if reply is not None and reply.size else None,
        )

    def _commit(
        self,
        feedback: Feedback,
        interrupted: bool,
        learner_audio: tuple[np.ndarray, int] | None,
        timing: dict | None,
        baseline_before: Baseline | None,
    ) -> TurnResult:
        """Branch on the verdict and save the turn, both tracks included, before the next line is spoken."""
        spoken = self.customer_line()
        index, take = self.turn_index, self.take
        self._before[index] = _BeforeTurn(self.conversation.snapshot(), baseline_before, take)
        step = self.conversation.respond(signals_from(feedback, interrupted))
        result = TurnResult(index, spoken, feedback, step, self.conversation.line(), timing, take)
        verdict = feedback.to_dict()
        del verdict["transcript"]
        if timing is not None:
            verdict["timing"] = dict(timing)
        self.store.add_turn(
            self.id,
            index,
            take=take,
            node_id=spoken.line.node_id,
            customer_line=spoken.line.text,
            customer_mood=spoken.line.mood,
            transcript=feedback.transcript,
            verdict=verdict,
            step=step.to_dict(),
            next_line=result.next_line.text,
            outcome=result.next_line.outcome,
            customer_audio=(spoken.audio, spoken.sample_rate),
            learner_audio=learner_audio,
        )
        self.turns.append(result)
        return result

    def close(self, note: str | None = None) -> str:
        """End the session: "finished" when the scenario reached an ending, else "unfinished"."""
        if self._closed:
            return self.store.session(self.id)["status"]
        self.start()
        status = "finished" if self.finished else "unfinished"
        self.store.end_session(self.id, status, self.conversation.outcome, note)
        self._closed = True
        return status
