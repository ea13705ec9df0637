"""The practice engine: the one turn loop that every front end drives (terminal, window, tests, benches).

    engine = build_engine(PracticeOptions(scenario="internet-outage", learner="sam"), Microphone())
    engine.subscribe(on_event)      # typed events (`rehearse.app.events`), in order
    engine.start()                  # its own thread: load models, open devices, run the turns
    engine.pause(); engine.resume() # hold between turns
    engine.retake()                 # take the last judged turn again, from the same branch point
    engine.stop()                   # from any thread: the session is saved as unfinished at once
    engine.wait()

Creating an engine opens no device, writes no row and starts no thread. Models that are passed in
(`stt`, `tts`) are used as they are; the others load on the engine's thread with `ModelLoading` events.
"""

from __future__ import annotations

import atexit
import functools
import gc
import logging
import threading
import time
from collections.abc import Callable

from rehearse.app import events
from rehearse.app.options import PracticeOptions
from rehearse.app.replies import Reply, ReplySource
from rehearse.app.session import Session
from rehearse.audio.capture import DeviceLostError
from rehearse.audio.devices import NoDeviceError
from rehearse.audio.files import SAMPLE_RATE, AudioFileError
from rehearse.models.errors import ModelLoadError
from rehearse.scenarios.library import UnknownScenario
from rehearse.scenarios.schema import Scenario, ScenarioError
from rehearse.store import SessionStore, StoreError

_LOGGER = logging.getLogger(__name__)

USER_ERRORS = (
    AudioFileError,
    ModelLoadError,
    ScenarioError,
    UnknownScenario,
    StoreError,
    NoDeviceError,
    DeviceLostError,
)
"""Errors a user can act on: the engine reports them as an `Error` event (and `error`), never a traceback."""


class PracticeEngine:
    """Runs one practice session on its own thread; see the module docstring. Build it with `build_engine`."""

    def __init__(
        self,
        options: PracticeOptions,
        replies: ReplySource,
        *,
        scenario: Scenario | None = None,
        stt=None,
        tts=None,
        store: SessionStore | None = None,
    ):
        self.options, self.replies = options, replies
        self.scenario, self.stt, self.tts, self.store = scenario, stt, tts, store
        self.session: Session | None = None
        self.error: Exception | None = None
        """The user error that ended the session early, if one did."""
        self.ended: events.SessionEnded | None = None
        self._subscribers: list[Callable[[events.Event], None]] = []
        self._emit_lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._interrupt = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._retake: int | None = None
        self._lock = threading.Lock()

    # -- the API a front end uses ------------------------------------------------------------------

    def subscribe(self, callback: Callable[[events.Event], None]) -> None:
        """`callback(event)` for every event, in order, on the engine's threads (keep it quick)."""
        self._subscribers.append(callback)

    def start(self) -> None:
        """Start the session on the engine's own thread."""
        if self._thread is not None:
            raise RuntimeError("this engine has already been started")
        self._thread = threading.Thread(target=self.run, name="rehearse-engine", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """True once the engine's thread has ended (the session saved and closed)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        """End the session now (any thread): a turn in progress is kept unjudged with what was said so far."""
        self._stop.set()
        self._interrupt.set()
        self._running.set()

    def pause(self) -> None:
        """Hold the conversation before the next customer line (the turn in progress finishes)."""
        if self._running.is_set() and not self._stop.is_set():
            self._running.clear()
            self.emit(events.Paused())

    def resume(self) -> None:
        if not self._running.is_set():
            self._running.set()
            self.emit(events.Resumed())

    def retake(self, turn: int | None = None) -> None:
        """Take turn `turn` (default: the last judged one) again from the same branch point. A turn in
        progress (the next line already playing) is dropped."""
        with self._lock:
            self._retake = turn if turn is not None else 0
        self._interrupt.set()
        self._running.set()

    def push_to_talk(self, pressed: bool) -> None:
        """Hold the reply open while pressed; releasing ends it at once (live replies only)."""
        hold = getattr(self.replies, "push_to_talk", None)
        if hold is not None:
            hold(pressed)

    @property
    def session_id(self) -> str | None:
        return self.session.id if self.session else None

    # -- for reply sources -------------------------------------------------------------------------

    @property
    def interrupted(self) -> bool:
        """The turn in progress must end now (stop or retake)."""
        return self._interrupt.is_set()

    @property
    def interrupt_event(self) -> threading.Event:
        return self._interrupt

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def emit(self, event: events.Event) -> None:
        with self._emit_lock:
            for callback in self._subscribers:
                try:
                    callback(event)
                except Exception:  # a front end's bug must not end the learner's session
                    _LOGGER.exception("an event subscriber failed on %s", type(event).__name__)

    # -- the turn loop -----------------------------------------------------------------------------

    def run(self) -> events.SessionEnded | None:
        """The whole session on the calling thread (what `start()` runs)."""
        why = "stopped"
        try:
            self._prepare()
            why = self._turns()
        except USER_ERRORS as exc:
            self.error, why = exc, str(exc)
            self.emit(events.Error(str(exc)))
        except Exception as exc:  # a bug: say so, keep every saved turn
            _LOGGER.exception("the practice engine failed")
            self.error, why = exc, f"internal error: {exc}"
            self.emit(events.Error(f"Rehearse failed ({type(exc).__name__}: {exc}); every completed turn is saved"))
        try:
            return self._end(why)
        finally:
            self.replies.close()

    def _prepare(self) -> None:
        options = self.options
        if self.scenario is None:
            self.scenario = load_scenario(options.scenario, options.difficulty)
        if self.store is None:
            self.store = SessionStore(url=options.db_url, folder=options.data_dir)
        needed = [("speech-to-text", "stt")] if self.replies.needs_speech_to_text else []
        needed.append(("voice", "tts"))
        for done, (name, attribute) in enumerate(needed):
            if getattr(self, attribute) is None:
                self.emit(events.ModelLoading(name, "loading", done / len(needed)))
                try:
                    setattr(self, attribute, self._load(attribute))
                except ModelLoadError as exc:
                    self.emit(events.ModelLoading(name, "failed", done / len(needed), str(exc)))
                    raise
            self.emit(events.ModelLoading(name, "ready", (done + 1) / len(needed)))
        from rehearse.coach.feedback import warm_up

        warm_up()
        freeze_loaded_heap()
        baseline = None
        if options.baseline is not None and self.stt is not None:
            from rehearse.audio.files import load_reply
            from rehearse.coach.feedback import measure_baseline

            calm = load_reply(options.baseline)
            baseline = measure_baseline(self.stt.transcribe(calm), calm)
        self.session = Session(
            self.scenario,
            self.stt,
            self.tts,
            self.store,
            learner=options.learner,
            seed=options.seed,
            baseline=baseline,
            paraphrases=not options.rules_only,
            device=options.device,
        )
        self.replies.open(self)
        self.session.start()
        if not options.rules_only:
            threading.Thread(target=self._announce_wording, name="rehearse-wording", daemon=True).start()
        self.emit(
            events.SessionStarted(
                self.session.id, self.scenario.id, self.scenario.title, options.learner, self.replies.kind
            )
        )

    def _load(self, attribute: str):
        from rehearse.models.registry import DEFAULT_VOICE

        if attribute == "stt":
            from rehearse.models.stt import SpeechToText

            return SpeechToText(self.options.model, device=self.options.device)
        return voice_model(self.options.voice or self.scenario.persona.voice or DEFAULT_VOICE)

    def _announce_wording(self) -> None:
        self.emit(events.ModelLoading("wording model", "loading", 0.0))
        if self.session.wait_for_wording():
            self.emit(events.ModelLoading("wording model", "ready", 1.0))
        else:
            self.emit(
                events.ModelLoading(
                    "wording model",
                    "failed",
                    1.0,
                    "wording is judged by the phrase rules alone; reinstall Rehearse "
                    "(`bash scripts/setup.sh`) to restore the wording model",
                )
            )

    def _turns(self) -> str:
        """Turn after turn until the conversation ends, the replies run out, or `stop()`. Returns why it ended."""
        session = self.session
        while not self._stop.is_set():
            self._hold_while_paused()
            if self._stop.is_set():
                break
            self._interrupt.clear()
            self._apply_retake()
            if session.finished:
                self._closing_line()
                return ""
            reply = self._next_reply()
            if reply.status == "ran_out":
                return "replies ran out"
            if reply.status == "stopped":
                if reply.audio is not None and reply.audio.size:  # something was said: keep it
                    session.keep_unjudged(reply.audio, "stopped mid-turn by the learner")
                    self.emit(events.TurnKept(session.turn_index, round(reply.audio.size / SAMPLE_RATE, 3)))
                break
            if reply.status in ("cancelled", "again"):
                continue
            self._judge(reply)
        return "stopped"

    def _hold_while_paused(self) -> None:
        while not self._running.wait(0.05):
            pass

    def _apply_retake(self) -> None:
        with self._lock:
            wanted, self._retake = self._retake, None
        if wanted is None:
            return
        index = wanted or len(self.session.turns)
        try:
            take = self.session.rewind(index)
        except ValueError as exc:
            _LOGGER.warning("retake ignored: %s", exc)
            return
        self.emit(events.Rewound(index, take))

    def _next_reply(self) -> Reply:
        session = self.session
        line = session.conversation.line()
        if self.replies.live:
            self.emit(events.CustomerLine(session.turn_index, session.take, line.text, line.mood, line.band))
            return self.replies.reply(self)
        if getattr(self.replies, "left", 1) == 0:  # recorded replies ran out: the caption, not synthesized
            self.emit(events.CustomerLine(session.turn_index, session.take, line.text, line.mood, line.band))
            return Reply("ran_out")
        spoken = session.customer_line()
        self.emit(
            events.CustomerLine(
                session.turn_index, session.take, line.text, line.mood, line.band, spoken.audio, spoken.sample_rate
            )
        )
        reply = self.replies.reply(self)
        if reply.status == "reply":
            duration = None if reply.audio is None else round(reply.audio.size / SAMPLE_RATE, 3)
            self.emit(events.ReplyReceived(session.turn_index, reply.text, duration, reply.audio))
        return reply

    def _judge(self, reply: Reply) -> None:
        if reply.text is not None:
            turn = self.session.answer_text(reply.text)
        else:
            turn = self.session.answer(
                reply.audio,
                interrupted=reply.interrupted,
                transcript=reply.transcript,
                timing=reply.timing,
                talk_over_s=reply.talk_over_s,
            )
        self.emit(events.Verdict(turn, time.monotonic()))

    def _closing_line(self) -> None:
        line = self.session.conversation.line()
        audio = rate = None
        if not self.replies.live:
            spoken = self.session.customer_line()
            audio, rate = spoken.audio, spoken.sample_rate
        self.emit(events.CustomerLine(self.session.turn_index, 1, line.text, line.mood, line.band, audio, rate))
        if self.replies.live:
            self.replies.say_closing_line(self)

    def _end(self, why: str) -> events.SessionEnded | None:
        session = self.session
        if session is None or session.id is None:
            return None
        note = None if session.finished else (why or "stopped")
        try:
            status = session.close(note=note)
        except StoreError as exc:
            self.emit(events.Error(str(exc)))
            status = "in_progress"
        self.ended = events.SessionEnded(
            session.id,
            status,
            session.conversation.outcome,
            len(session.turns),
            self.store.url,
            "" if session.finished else (why or "stopped"),
            session.conversation.line().text,
        )
        self.emit(self.ended)
        return self.ended


@functools.cache
def freeze_loaded_heap() -> None:
    """Once per process, when the models and the libraries they import are loaded: take every object alive
    (~270,000) out of the cyclic garbage collector's scans (`gc.freeze`). A full collection over them held the
    GIL 190-200 ms on a 2-core CPU, whichever thread it fell on, stalling the window and the live analysis
    mid-session; afterwards one takes ~1 ms. They are handed back at exit, where the last collection frees them
    (native extensions such as soxr's report objects left over otherwise)."""
    gc.freeze()
    atexit.register(gc.unfreeze)


@functools.cache
def voice_model(voice: str):
    """The Piper voice, loaded once per process (sessions in one window share it; each session serializes
    its own use, and sessions run one at a time). Its first sentence is synthesized here, off the clock."""
    from rehearse.models.tts import TextToSpeech

    tts = TextToSpeech(voice)
    tts.synthesize("Hello.")
    return tts


def load_scenario(key: str, difficulty: int | None = None) -> Scenario:
    """A scenario by library id or file path, at the level asked for."""
    from rehearse.scenarios.library import find

    scenario = find(key)
    if difficulty is not None:
        from rehearse.scenarios.adaptive import with_difficulty

        scenario = with_difficulty(scenario, difficulty)
    return scenario


def build_engine(options: PracticeOptions, replies: ReplySource, **models) -> PracticeEngine:
    """The one way to build an engine. `models` may pass already loaded `stt`, `tts`, `store` or `scenario`
    (a bench or a window that keeps them warm between sessions); the rest load when the engine starts."""
    return PracticeEngine(options, replies, **models)
