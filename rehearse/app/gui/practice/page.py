"""The practice page: the call as it happens (context, customer caption, live meters) and the feedback after each turn.

    page = PracticePage()
    page.start(PracticeOptions(scenario="internet-outage", learner="sam"), "microphone")   # or "typed"
    page.shutdown()                                  # window close: stop the engine

Signals: `open_replay(session_id, turn)`, `go_home()`, `session_saved(session_id)`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QPixmap, QRegion
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import theme
from rehearse.app.gui.bridge import EngineBridge
from rehearse.app.gui.practice.feedback_card import FeedbackPanel
from rehearse.app.gui.practice.live_plot import LivePlot, MoodBar, WpmGauge
from rehearse.app.gui.practice.summary import SummaryView
from rehearse.app.gui.practice.view_model import PracticeViewModel
from rehearse.app.gui.widgets import Banner

_LOGGER = logging.getLogger(__name__)

FRAME_MS = 33
"""The live trace's refresh period (30 frames a second)."""


def _label(text: str = "", name: str | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    if name:
        label.setObjectName(name)
    return label


def _card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(6)
    return frame, layout


class ContextCard(QFrame):
    """Who is calling, the facts, and the goal: what the learner reads before and during the call."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        self.title = _label("", "heading")
        self.caller = _label()
        self.facts = _label()
        self.goal = _label()
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        for widget in (
            self.title,
            _label("Who is calling", "muted"),
            self.caller,
            _label("The facts", "muted"),
            self.facts,
            _label("Your goal", "muted"),
            self.goal,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)

    def show_scenario(self, scenario) -> None:
        card, persona = scenario.card, scenario.persona
        self.title.setText(scenario.title)
        self.caller.setText(card.caller or f"{persona.name}, {persona.role}")
        self.facts.setText("".join(f"• {fact}<br>" for fact in card.facts))
        self.goal.setText(card.goal)


class PracticePage(QWidget):
    """One practice session in the window; every action goes to the engine through `EngineBridge`."""

    open_replay = Signal(str, int)
    go_home = Signal()
    session_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.options = None
        self.source = "microphone"
        self.bridge = EngineBridge(self)
        self._customer_player = None
        """The Player of the customer's line in typed practice (microphone sessions: the engine plays it)."""
        self.model = PracticeViewModel(self)
        self.bridge.event.connect(self.model.handle)
        self._build()
        self._connect()
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self.live_plot.refresh)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(10)
        outer.addLayout(self._top_bar())
        self.banner = Banner("error")
        """Errors (red, with what to do) and the headset going away or coming back (yellow)."""
        outer.addWidget(self.banner)
        self.tip_banner = Banner("tip")
        """A hint such as the microphone's gain tip: dismissable, not an error."""
        outer.addWidget(self.tip_banner)
        self._banner_timer = QTimer(self, singleShot=True, interval=6000)
        self._banner_timer.timeout.connect(self.banner.dismiss)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        call = QWidget()
        row = QHBoxLayout(call)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        self.context = ContextCard()
        self.context.setFixedWidth(240)
        row.addWidget(self.context)
        row.addWidget(self._live_column(), 4)
        self.feedback = FeedbackPanel()
        row.addWidget(self.feedback, 6)
        self.stack.addWidget(call)
        self.summary = SummaryView()
        self.stack.addWidget(self.summary)

    def _top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.title = _label("Practice", "title", wrap=False)
        self.phase_label = _label("", "muted", wrap=False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(220)
        self.progress.setFormat("loading models… %p%")
        self.progress.hide()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setShortcut(QKeySequence("Ctrl+P"))
        self.pause_button.setToolTip("Hold the conversation after this turn (Ctrl+P)")
        self.retake_button = QPushButton("Retake")
        self.retake_button.setShortcut(QKeySequence("Ctrl+R"))
        self.retake_button.setToolTip("Answer the last customer line again (Ctrl+R)")
        self.retake_button.setEnabled(False)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setShortcut(QKeySequence("Esc"))
        self.stop_button.setToolTip("End the session now; completed turns are kept (Esc)")
        for widget in (self.title, self.phase_label):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.progress, self.pause_button, self.retake_button, self.stop_button):
            bar.addWidget(widget)
        return bar

    def _live_column(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        customer, box = _card()
        self.speaker = _label("Customer", "muted", wrap=False)
        self.caption = _label("")
        self.caption.setObjectName("heading")
        self.caption.setMinimumHeight(48)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.mood_bar = MoodBar()
        self.mood_label = _label("", "muted", wrap=False)
        for widget in (self.speaker, self.caption, self.mood_bar, self.mood_label):
            box.addWidget(widget)
        layout.addWidget(customer)
        you, box = _card()
        self.you_label = _label("You", "muted", wrap=False)
        box.addWidget(self.you_label)
        self.live_plot = LivePlot(self.model.meters)
        box.addWidget(self.live_plot, 1)
        self.wpm = WpmGauge()
        box.addWidget(self.wpm)
        self.partial = _label("")
        self.partial.setMinimumHeight(40)
        self.partial.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        box.addWidget(self.partial)
        self.cue = _label("", None, wrap=False)
        self.cue.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cue.setMinimumHeight(30)
        box.addWidget(self.cue)
        self.ptt_hint = _label("Speak when the customer stops, or hold Space to talk.", "muted")
        box.addWidget(self.ptt_hint)
        typed = QHBoxLayout()
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("Type your reply and press Enter")
        self.send_button = QPushButton("Send")
        typed.addWidget(self.typed, 1)
        typed.addWidget(self.send_button)
        self.typed_row = QWidget()
        self.typed_row.setLayout(typed)
        box.addWidget(self.typed_row)
        box.addStretch(0)
        self._you_box = box
        layout.addWidget(you, 1)
        return column

    def _connect(self) -> None:
        model = self.model
        model.loading.connect(self._on_loading)
        model.started.connect(self._on_started)
        model.caption.connect(self._on_caption)
        model.mood.connect(self._on_mood)
        model.phase.connect(self._on_phase)
        model.partial.connect(self._on_partial)
        model.cue.connect(self._on_cue)
        model.tip.connect(self._show_tip)
        model.customer_audio.connect(self._play_customer)
        model.verdict.connect(self._on_verdict)
        model.kept.connect(lambda index, s: self.feedback.note(f"Turn {index} was kept unjudged ({s:.1f} s heard)."))
        model.banner.connect(self._show_banner)
        model.devices.connect(self.ptt_hint.setToolTip)
        model.ended.connect(self._on_ended)
        self.stop_button.clicked.connect(self.stop)
        self.pause_button.toggled.connect(self._on_pause)
        self.retake_button.clicked.connect(self.retake)
        self.typed.returnPressed.connect(self._send_typed)
        self.send_button.clicked.connect(self._send_typed)
        self.summary.open_replay.connect(self.open_replay)
        self.summary.go_home.connect(self.go_home)
        self.summary.practise.connect(self._practise_next)

    # -- actions ---------------------------------------------------------------------------------

    def start(self, options, source: str = "microphone") -> None:
        """Start a session with `options` (PracticeOptions); `source` is "microphone" or "typed"."""
        self.options, self.source = options, source
        self._reset()
        self._load_context(options.scenario)
        self._show_source(source)
        self.bridge.start(options, source)
        self._frames.start()
        if source == "typed":
            self.typed.setFocus()
        else:
            self.setFocus()

    def _show_source(self, source: str) -> None:
        typed = source == "typed"
        self.typed_row.setVisible(typed)
        for widget in (self.ptt_hint, self.live_plot, self.wpm, self.cue):
            widget.setVisible(not typed)
        self.you_label.setText("You (typing: wording is judged, not the voice)" if typed else "You")
        self._you_box.setStretch(self._you_box.count() - 1, 1 if typed else 0)

    def prepare(self) -> None:
        """Lay the hidden page out for a session from the microphone, then paint it once off-screen, a step per
        turn of the event loop (call it while the window is idle, e.g. behind Home as the models warm up): the
        page's first show at Start otherwise held the GUI thread ~30-40 ms in one turn (2-core CPU)."""
        holder = self.parentWidget()
        if self.isVisible() or holder is None or self.model.session is not None:
            return
        self._show_source(self.source)
        self.setGeometry(holder.contentsRect())
        self.ensurePolished()
        self.render(QPixmap(1, 1), QPoint(), QRegion(0, 0, 1, 1))  # lays out, delivers the resize events
        QTimer.singleShot(1, self, lambda: self.isVisible() or self.render(QPixmap(self.size())))

    def _reset(self) -> None:
        self.stack.setCurrentIndex(0)
        self.feedback.clear()
        self.caption.setText("")
        self.partial.setText("")
        self.wpm.set_wpm(None)
        self._on_cue("")
        self._show_banner("", "error")
        self.tip_banner.dismiss()
        self._stop_customer()
        self.pause_button.setChecked(False)
        self.retake_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.pause_button.setEnabled(True)
        for button in (self.stop_button, self.retake_button, self.pause_button):
            button.show()
        self.mood_bar.known = False

    def _load_context(self, scenario_ref: str) -> None:
        """The context card, read off the GUI thread (scenario files are parsed and validated)."""
        from rehearse.app.gui import tasks
        from rehearse.scenarios.library import find

        tasks.run_in_background(
            find,
            scenario_ref,
            on_done=self.context.show_scenario,
            on_error=lambda exc: self.context.title.setText(f"Scenario: {exc}"),
            parent=self,
        )

    @Slot()
    def stop(self) -> None:
        self._stop_customer()
        self.bridge.stop()
        self.stop_button.setEnabled(False)
        self.phase_label.setText("stopping…")

    @Slot()
    def retake(self) -> None:
        self.bridge.retake()
        self.retake_button.setEnabled(False)

    def _on_pause(self, paused: bool) -> None:
        (self.bridge.pause if paused else self.bridge.resume)()
        self.pause_button.setText("Resume" if paused else "Pause")

    def _send_typed(self) -> None:
        text = self.typed.text().strip()
        if not text:
            return
        self.typed.clear()
        self._stop_customer()
        self.partial.setText(_tail(text))
        self.bridge.submit_text(text)

    def _practise_next(self, scenario_id: str) -> None:
        self.start(replace(self.options, scenario=scenario_id), self.source)

    def shutdown(self) -> None:
        """Stop the engine and wait for it (the window is closing)."""
        self._frames.stop()
        self._stop_customer()
        self.bridge.shutdown()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and self.source == "microphone" and not event.isAutoRepeat():
            self.bridge.push_to_talk(True)
            self.ptt_hint.setText("Talking (release Space to finish)")
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and self.source == "microphone" and not event.isAutoRepeat():
            self.bridge.push_to_talk(False)
            self.ptt_hint.setText("Speak when the customer stops, or hold Space to talk.")
            return
        super().keyReleaseEvent(event)

    # -- events ----------------------------------------------------------------------------------

    def _on_loading(self, name: str, state: str, progress: float, reason: str) -> None:
        self.progress.setVisible(progress < 1.0 or state == "failed")
        self.progress.setValue(int(progress * 100))
        self.progress.setFormat(f"{'loading' if state == 'loading' else state} {name}… %p%")

    def _on_started(self, started) -> None:
        self.title.setText(started.title)
        self.progress.hide()

    def _on_caption(self, text: str, speaking: bool) -> None:
        self.caption.setText(text)
        self.speaker.setText("Customer (speaking…)" if speaking else "Customer")
        if speaking:  # the learner listens: build what the next verdict and the session's end will show
            self.feedback.prepare()
            self.summary.prepare(self.model.judged_results)

    def _on_mood(self, mood: float, band: str, change: float) -> None:
        self.mood_bar.move_to(mood)
        trend = "calming down" if change < -0.02 else "getting angrier" if change > 0.02 else "steady"
        self.mood_label.setText(f"Mood: {band} ({mood:.2f}), {trend}")

    def _on_phase(self, phase: str) -> None:
        self.phase_label.setText(phase)
        if self.source != "typed":
            self.you_label.setText("You (listening…)" if phase == "listening" else "You")

    def _on_partial(self, text: str, wpm) -> None:
        self.partial.setText(_tail(text))
        self.wpm.set_wpm(wpm)

    def _on_cue(self, text: str) -> None:
        self.cue.setText(text)
        self.cue.setStyleSheet(
            theme.chip_style(theme.score_color(40)) + "font-size: 12pt; padding: 4px 10px;" if text else ""
        )

    def _on_verdict(self, turn, takes: list) -> None:
        self.feedback.show_turn(
            turn, takes, self.model.session.session_id if self.model.session else None, self.options
        )
        self.retake_button.setEnabled(True)

    def _show_banner(self, message: str, kind: str) -> None:
        """ "error": red, with what to do; "device": yellow (paused for the headset; "back" hides after a while)."""
        import html

        self._banner_timer.stop()
        if not message:
            self.banner.dismiss()
            return
        self.banner.kind = kind
        self.banner.restyle()
        text = html.escape(message)
        if kind == "error":
            text = (
                f"<b>Something went wrong.</b> {text}<br>What to do: press Stop, check the microphone and "
                "headphones in Audio set-up, then start the scenario again; your finished turns are saved."
            )
        self.banner.show_message(text)
        if kind == "device" and self.model.phase_name != "paused":
            self._banner_timer.start()

    def _show_tip(self, text: str) -> None:
        import html

        self.tip_banner.show_message(f"<b>Tip:</b> {html.escape(text)}" if text else "")

    # -- the customer's voice in typed practice ---------------------------------------------------

    def _play_customer(self, audio, rate: int) -> None:
        """Play the customer's line through the chosen output device; the stream opens off the GUI thread."""
        if self.source == "microphone":
            return  # the engine plays it (and hears barge-in)
        from rehearse.app.gui import tasks
        from rehearse.app.gui.player import Player

        self._stop_customer()
        player = Player(audio, rate, getattr(self.options, "output_device", None))
        self._customer_player = player
        self.speaker.setText("Customer (speaking…)")
        tasks.run_in_background(
            _open_and_play, player, on_done=self._customer_playing, on_error=self._customer_failed, parent=self
        )

    def _customer_playing(self, player) -> None:
        if player is not self._customer_player:  # stopped (or replaced) while the stream opened
            _close_later(player)
            return
        QTimer.singleShot(int(player.duration * 1000) + 150, self, lambda p=player: self._customer_finished(p))

    def _customer_finished(self, player) -> None:
        if player is self._customer_player and not player.playing:
            self._stop_customer()

    def _customer_failed(self, exc) -> None:
        self._customer_player = None
        self.speaker.setText("Customer")
        self._show_tip(f"The customer's voice cannot be played ({exc}); read the caption instead.")

    def _stop_customer(self) -> None:
        player, self._customer_player = self._customer_player, None
        if player is not None:
            player.pause()
            _close_later(player)
            self.speaker.setText("Customer")

    def _on_ended(self, ended) -> None:
        self._frames.stop()
        self.live_plot.refresh()
        for button in (self.stop_button, self.retake_button, self.pause_button):
            button.hide()
        # shown once what was not built ahead is drawn, a part per turn of the event loop
        self.summary.show_session(
            ended, self.model.judged_results, self.options, then=lambda: self.stack.setCurrentWidget(self.summary)
        )
        if ended.turns or self.model.results:
            self.session_saved.emit(ended.session_id)


def _open_and_play(player):
    player.open()
    player.play()
    return player


def _close_later(player) -> None:
    """Close a player's stream off the GUI thread (closing PortAudio streams can take a while)."""
    from rehearse.app.gui import tasks

    player.pause()
    tasks.run_in_background(player.close)


PARTIAL_CHARS = 110
"""The live transcript shows its newest words (two lines or so): the card does not grow while one speaks."""


def _tail(text: str, limit: int = PARTIAL_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
