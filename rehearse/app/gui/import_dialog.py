"""Import recorded calls from the window: choose the files, who the agent is, then the real importer runs in the
background (`calls.batch.import_calls`) with a progress bar, stage and time left, a Cancel, and a line per file:
saved (agent and confidence, turns, "Open in replay"), skipped as already imported, or refused with the reason."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.calls.batch import BatchOptions, BatchProgress, import_calls
from rehearse.app.gui import tasks
from rehearse.app.gui.widgets import card, clear, discard, label

AUDIO_FILTER = "Call recordings (*.wav *.flac *.mp3 *.m4a *.ogg);;All files (*)"
CHANNELS = (("Find out (stereo: who opens the call; mono: by voice)", None), ("Left", "left"), ("Right", "right"))
PROGRESS_STEPS = 1000


class _Relay(QObject):
    """Carries the worker thread's progress and per-file outcomes to the GUI thread (queued signals)."""

    progress = Signal(object)
    result = Signal(object)


class ImportDialog(QDialog):
    """One import at a time; `finished_import(outcomes)` when it ends (also when cancelled)."""

    finished_import = Signal(list)

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Import recorded calls")
        self.setMinimumSize(640, 560)
        self.resize(780, 700)
        self.outcomes: list[dict] = []
        self.running = False
        self._cancel = threading.Event()
        self._waiting = None
        self._relay = _Relay(self)
        self._relay.progress.connect(self._progress)
        self._relay.result.connect(self._result)
        self._build()

    # -- building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setSpacing(10)
        outer.addWidget(label("Import recorded calls", "title"))
        outer.addWidget(
            label(
                "Each call is split into agent and customer, transcribed, and every agent turn scored as in "
                'practice; it is saved as a "real call" session for Replay.',
                "muted",
                wrap=True,
            )
        )
        self.files = QListWidget()
        self.files.setMaximumHeight(88)
        self.files.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        outer.addWidget(self.files)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add files…")
        self.add_button.clicked.connect(self._choose_files)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        outer.addLayout(row)

        form = QFormLayout()
        from rehearse.app.gui.main_window import learner_name

        self.learner = QLineEdit(learner_name())
        self.learner.setToolTip("The agent's name in the store; their practice voice picks them out of a mono call")
        form.addRow("Agent (learner)", self.learner)
        self.channel = QComboBox()
        for text, value in CHANNELS:
            self.channel.addItem(text, value)
        form.addRow("Agent's channel", self.channel)
        sample_row = QHBoxLayout()
        self.sample = QLineEdit(placeholderText="optional: a recording of the agent's voice (5 s or more)")
        self.sample.setReadOnly(True)
        self.sample_button = QPushButton("Choose…")
        self.sample_button.clicked.connect(self._choose_sample)
        sample_row.addWidget(self.sample, 1)
        sample_row.addWidget(self.sample_button)
        form.addRow("Agent voice sample", sample_row)
        self.rules_only = QCheckBox("Judge wording with the phrase rules only (faster)")
        form.addRow("", self.rules_only)
        outer.addLayout(form)

        self.bar = QProgressBar(maximum=PROGRESS_STEPS, textVisible=True)
        self.bar.setFormat("%p%")
        self.stage = label("", "muted", wrap=True)
        outer.addWidget(self.bar)
        outer.addWidget(self.stage)
        self.results_host = QWidget()
        self.results = QVBoxLayout(self.results_host)
        self.results.setContentsMargins(0, 0, 6, 0)
        self.results.setSpacing(6)
        self.results.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.results_host)
        scroll.setMinimumHeight(200)
        outer.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("Import", objectName="primary")
        self.import_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.setToolTip(
            "Stops at the importer's next step (stage or file); the call in progress is not saved"
        )
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        for button in (self.import_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self._set_running(False)

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose call recordings", "", AUDIO_FILTER)
        self.add_files([Path(p) for p in paths])

    def _choose_sample(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The agent's voice", "", AUDIO_FILTER)
        self.set_sample(Path(path) if path else None)

    def add_files(self, paths: list[Path]) -> None:
        listed = set(self.chosen_files())
        for path in paths:
            if path not in listed:
                self.files.addItem(str(path))
                listed.add(path)
        self._set_running(self.running)

    def set_sample(self, path: Path | None) -> None:
        self.sample.setText(str(path) if path else "")

    def _remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._set_running(self.running)

    def chosen_files(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def options(self) -> BatchOptions:
        return BatchOptions(
            learner=self.learner.text().strip() or "unknown agent",
            agent_channel=self.channel.currentData(),
            agent_sample=Path(self.sample.text()) if self.sample.text() else None,
            semantic=not self.rules_only.isChecked(),
        )

    # -- running ------------------------------------------------------------------------------------
    def start(self) -> None:
        files = self.chosen_files()
        if self.running or not files:
            return
        self.outcomes = []
        clear(self.results)
        self._waiting = label(f"Each file's result appears here when it is done ({len(files)} to import).", "muted")
        self.results.addWidget(self._waiting)
        self.results.addStretch(1)
        self._cancel.clear()
        self.bar.setValue(0)
        self.stage.setText("Starting: loading the models…")
        self._set_running(True)
        tasks.run_in_background(
            import_calls,
            files,
            self.options(),
            self._relay.progress.emit,
            self._relay.result.emit,
            self._cancel,
            on_done=self._done,
            on_error=self._failed,
            parent=self,
        )

    def cancel(self) -> None:
        if self.running and not self._cancel.is_set():
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.stage.setText(
                "Cancelling: the importer stops at its next step (a long transcription may finish first); "
                "the call in progress will not be saved."
            )

    @Slot(object)
    def _progress(self, progress: BatchProgress) -> None:
        if not self.running or self._cancel.is_set():
            return
        if progress.stage == "voice":
            self.stage.setText("Getting the agent's voice print and loading the models…")
            return
        self.bar.setValue(round(progress.done * PROGRESS_STEPS))
        self.stage.setText(progress.text())

    @Slot(object)
    def _result(self, outcome: dict) -> None:
        self.outcomes.append(outcome)
        if self._waiting is not None:
            discard(self._waiting)
            self.results.removeWidget(self._waiting)
            self._waiting = None
        self.results.insertWidget(self.results.count() - 1, self._outcome_row(outcome))

    def _done(self, outcomes: list[dict]) -> None:
        cancelled = self._cancel.is_set()
        self._set_running(False)
        counts = {s: sum(1 for o in outcomes if o["status"] == s) for s in ("imported", "skipped", "failed")}
        summary = f"{counts['imported']} saved, {counts['skipped']} already imported, {counts['failed']} refused"
        if cancelled:
            left = len(self.chosen_files()) - len(outcomes)
            self.stage.setText(f"Cancelled: {summary}; {left} not imported (nothing half-saved).")
        else:
            self.bar.setValue(PROGRESS_STEPS)
            self.stage.setText(f"Done: {summary}.")
        self.finished_import.emit(outcomes)

    def _failed(self, exc: BaseException) -> None:
        self._set_running(False)
        self.stage.setText(f"The import stopped: {exc}")
        self.finished_import.emit(self.outcomes)

    def _set_running(self, running: bool) -> None:
        self.running = running
        if not running and self._waiting is not None:
            self._waiting.setText("No file was imported.")
        for widget in (self.add_button, self.remove_button, self.learner, self.channel, self.sample_button):
            widget.setEnabled(not running)
        self.rules_only.setEnabled(not running)
        self.import_button.setEnabled(not running and self.files.count() > 0)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)

    # -- results ------------------------------------------------------------------------------------
    def _outcome_row(self, outcome: dict) -> QWidget:
        name = Path(outcome["file"]).name
        status = outcome["status"]
        frame, layout = card("invalidCard" if status == "failed" else "card")
        layout.setContentsMargins(12, 8, 12, 8)
        row = QHBoxLayout()
        layout.addLayout(row)
        if status == "failed":
            text = f"<b>{_escape(name)}</b> — refused<br>{_escape(outcome['error'])}"
        elif status == "skipped":
            text = f"<b>{_escape(name)}</b> — already imported (session {outcome['session'][:8]}); skipped"
        else:
            data = outcome["result"]
            agent = data["agent"]
            turns = len(data["turns"])
            text = (
                f"<b>{_escape(name)}</b> — saved: {turns} agent turn{'s' if turns != 1 else ''}, "
                f"{data['duration_s']:.0f} s, {_escape(data['method'])}<br>"
                f"agent: {_escape(agent['speaker'])}, confidence {agent['confidence']:.2f} ({_escape(agent['why'])})"
            )
        if outcome.get("note"):
            text += f"<br><i>{_escape(outcome['note'])}</i>"
        message = label(text, wrap=True, selectable=True)
        message.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(message, 1)
        if status != "failed":
            button = QPushButton("Open in replay")
            button.clicked.connect(lambda _=False, sid=outcome["session"]: self.open_in_replay(sid))
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        return frame

    def open_in_replay(self, session_id: str) -> None:
        self.window_.open_replay(session_id)
        self.window_.raise_()
        self.window_.activateWindow()

    def closeEvent(self, event) -> None:
        if self.running:  # the window's close button while importing: stop, then close when it has
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def reject(self) -> None:  # Escape
        if self.running:
            self.cancel()
            return
        super().reject()


def _escape(text: str) -> str:
    from html import escape

    return escape(str(text))
