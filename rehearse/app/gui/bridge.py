"""The engine seen from Qt: it runs on the engine's own thread, its events arrive as a queued signal.

    bridge = EngineBridge()
    bridge.event.connect(view_model.handle)      # called on the GUI thread, in order
    bridge.start(options, "microphone")          # or "typed"
    bridge.stop()                                # returns at once; SessionEnded follows within 100 ms

The bridge holds no practice logic: it builds the engine with `build_engine`, forwards every event,
and passes the buttons' actions on (stop, pause, resume, retake, push-to-talk, typed replies).
"""

from __future__ import annotations

import gc
import logging
import threading

from PySide6.QtCore import QObject, Signal, Slot

_LOGGER = logging.getLogger(__name__)


WARM_UP_JOIN_S = 60.0
"""Longest wait for the model being loaded when the window closes during the warm-up."""


class EngineBridge(QObject):
    """Runs one practice session at a time and re-emits its events on the GUI thread."""

    event = Signal(object)
    """Every engine event. Emitted on the engine thread; a receiver living on the GUI thread gets it queued."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = None
        self.replies = None
        self.source: str | None = None
        self._launcher: threading.Thread | None = None
        self._warming: threading.Thread | None = None
        self._warm: dict = {}
        """What `warm_up` loaded: {"stt": ((model, device), SpeechToText)}."""
        self._last_engine = None
        self._stop_asked = False
        self.models: dict = {}
        """Loaded models handed to every engine (`stt`, `tts`, `store`), e.g. a test's or a bench's."""

    @property
    def running(self) -> bool:
        return self.engine is not None and not self.engine.wait(timeout=0)

    @property
    def session_id(self) -> str | None:
        return getattr(self.engine, "session_id", None) if self.engine is not None else None

    def start(self, options, source: str = "microphone", replies=None) -> None:
        """Start a session: `source` "microphone" or "typed" (or pass any reply source as `replies`).
        Returns at once: importing the engine's modules takes a second, so it happens on a helper thread."""
        if self.running or (self._launcher is not None and self._launcher.is_alive()):
            raise RuntimeError("a practice session is already running; stop it first")
        self._last_engine, self.engine = self.engine, None
        self.source, self._stop_asked = source, False
        self._launcher = threading.Thread(
            target=self._launch, args=(options, source, replies), name="rehearse-launch", daemon=True
        )
        self._launcher.start()

    def warm_up(self, options=None) -> None:
        """Load the models a session needs (speech-to-text, the wording models) on a helper thread while the
        window is idle (Home), so that starting a session does not load them. Model loading holds Python's
        GIL for long stretches in native code (dlopen, model construction), which stalls the GUI thread;
        done here it happens once, before practice, not while the customer speaks."""
        if self._warming is not None or self.running:
            return
        self._warming = threading.Thread(target=self._warm_up, args=(options,), name="rehearse-warm-up", daemon=True)
        self._warming.start()

    @property
    def warm(self) -> bool:
        """The warm-up (if any) has finished."""
        return self._warming is not None and not self._warming.is_alive()

    def _warm_up(self, options) -> None:
        from rehearse.app.engine import freeze_loaded_heap
        from rehearse.app.gui.tasks import lower_priority

        lower_priority()
        gc.disable()  # a full collection while the models load held the GIL 190-460 ms: the window froze on Home
        try:
            self._load_models(options)
        finally:
            freeze_loaded_heap()
            gc.enable()

    def _load_models(self, options) -> None:
        if options is None:
            from rehearse.app.options import PracticeOptions

            options = PracticeOptions()
        if self._stop_asked:
            return
        try:
            from rehearse.models.stt import SpeechToText

            stt = SpeechToText(options.model, device=options.device)
            self._warm["stt"] = ((options.model, options.device), stt)
        except Exception as exc:  # the session then loads it and says why it failed
            _LOGGER.info("warm-up: speech-to-text not loaded: %s", exc)
        else:
            if not self._stop_asked:  # the listener's first-call costs: VAD, Smart Turn, the first decode
                from rehearse.app.live.listener import warm_up as warm_up_listener

                warm_up_listener(stt, smart_turn=options.endpoint.end_of_turn == "smart_turn")
        if not options.rules_only and not self._stop_asked:
            try:
                from rehearse.coach import classifier
                from rehearse.coach.feedback import warm_up_wording

                classifier.load_adapter(device=options.device)  # cached per process: the session reuses it
                warm_up_wording()
            except Exception as exc:
                _LOGGER.info("warm-up: wording models not loaded: %s", exc)
        try:  # the engine's remaining native libraries and first-call costs (cached per process)
            import rehearse.app.engine  # noqa: F401
            import rehearse.models.tts  # noqa: F401
            from rehearse.app.engine import voice_model
            from rehearse.coach.feedback import warm_up
            from rehearse.models.registry import DEFAULT_VOICE

            warm_up()
            voice_model(options.voice or DEFAULT_VOICE)
        except Exception as exc:
            _LOGGER.info("warm-up: %s", exc)

    def _launch(self, options, source: str, replies) -> None:
        from rehearse.app.gui.tasks import lower_priority

        lower_priority()  # the engine thread and its workers start from here, and inherit it
        if self._warming is not None:
            self._warming.join()  # never two loads of the same model at once
        from rehearse.app import events
        from rehearse.app.engine import build_engine
        from rehearse.app.live.practice import Microphone
        from rehearse.app.replies import TypedReplies

        try:
            if replies is None:
                replies = TypedReplies() if source == "typed" else Microphone()
            models = {**self._warm_models(options), **self.models}
            engine = build_engine(options, replies, **models)
            engine.subscribe(self._forward)
            self.replies, self.engine = replies, engine
            engine.start()
        except Exception as exc:  # e.g. a broken install: say so in the window
            _LOGGER.exception("the practice engine could not start")
            self.event.emit(events.Error(f"Practice could not start: {exc}"))
            return
        if self._stop_asked:
            engine.stop()

    def _warm_models(self, options) -> dict:
        """The last session's speech-to-text model, when the next one asks for the same model."""
        wanted = (options.model, options.device)
        last = self._last_engine
        if last is not None and getattr(last, "stt", None) is not None:
            if (last.options.model, last.options.device) == wanted:
                return {"stt": last.stt}
        key, stt = self._warm.get("stt", (None, None))
        return {"stt": stt} if key == wanted else {}

    def _forward(self, event) -> None:
        """Engine thread: hand the event to Qt (no work here, the engine must not wait on the window)."""
        self.event.emit(event)

    @Slot()
    def stop(self) -> None:
        self._stop_asked = True
        if self.engine is not None:
            self.engine.stop()

    @Slot()
    def pause(self) -> None:
        if self.engine is not None:
            self.engine.pause()

    @Slot()
    def resume(self) -> None:
        if self.engine is not None:
            self.engine.resume()

    @Slot()
    def retake(self, turn: int | None = None) -> None:
        if self.engine is not None:
            self.engine.retake(turn)

    @Slot(bool)
    def push_to_talk(self, pressed: bool) -> None:
        """Hold the turn open while pressed (microphone sessions only)."""
        if self.engine is not None:
            self.engine.push_to_talk(pressed)

    @Slot(str)
    def submit_text(self, text: str) -> None:
        """A typed reply ("" ends the session)."""
        if self.replies is not None and hasattr(self.replies, "submit"):
            self.replies.submit(text)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the session and wait for the engine thread and the warm-up (window close). A model still
        loading in native code when the interpreter exits aborts the process ("terminate called without
        an active exception"), so the warm-up is waited for (it stops between models)."""
        self._stop_asked = True
        if self._warming is not None:
            self._warming.join(WARM_UP_JOIN_S)
        if self._launcher is not None:
            self._launcher.join(timeout)
        if self.engine is not None:
            self.engine.stop()
            if not self.engine.wait(timeout=timeout):
                _LOGGER.warning("the practice engine did not end within %.0f s", timeout)
