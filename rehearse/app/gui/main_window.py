"""The main window: a navigation rail (Home, Practice, Replay, Audio set-up, Progress, Calibration) beside a stack
of pages. The user is the name set on Home; the store's people table says whether they are a trainer (who rates and
comments in Replay and sees Calibration) or a learner."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks

_LOGGER = logging.getLogger(__name__)

PAGES = (
    ("home", "Home"),
    ("practice", "Practice"),
    ("replay", "Replay"),
    ("setup", "Audio set-up"),
    ("progress", "Progress"),
    ("calibration", "Calibration"),
)


def settings() -> QSettings:
    return QSettings()


def flag(key: str, default: bool = False) -> bool:
    """A yes/no setting. (Not `value(key, type=bool)`: in PySide6 6.12 that call drops a reference to
    Python's True/False each time, and the interpreter aborts once enough were dropped.)"""
    value = settings().value(key)
    if value is None:
        return default
    return value is True or str(value).lower() in ("true", "1", "yes")


def learner_name() -> str:
    """The learner's name (a setting, edited on Home)."""
    return str(settings().value("learner", "learner") or "learner")


WARM_UP_AFTER_MS = 800
"""When the models start loading behind the window (after it has painted its first page)."""
PREPARE_AFTER_MS = 400
"""The practice page is laid out and painted off-screen this long after the window opens (see PracticePage.prepare)."""
SWITCH_INTERVAL_S = 0.002
"""How long a thread may hold the GIL while another waits for it (Python's default: 5 ms). The engine's
threads run Python code (the coach, imports); the GUI thread gets the interpreter back sooner."""


class MainWindow(QMainWindow):
    """Holds the pages; the pages hold the views. No practice logic lives here."""

    learner_changed = Signal(str)
    reviewer_changed = Signal(object)
    """review.data.Reviewer: who uses the window, with their role, once the store answered."""

    def __init__(self, parent: QWidget | None = None):
        import sys

        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        super().__init__(parent)
        self.setWindowTitle("Rehearse")
        self.setMinimumSize(1024, 680)
        self._pages: dict[str, QWidget] = {}
        self._buttons: dict[str, QPushButton] = {}
        self._build()
        self._build_menu()
        self._restore()
        self._busy = QLabel()
        self.statusBar().addPermanentWidget(self._busy)
        self._busy_timer = QTimer(self, interval=500, timeout=self._show_busy)
        self._busy_timer.start()
        first_run = not flag("setup/done")
        self.show_page("setup" if first_run else str(settings().value("window/page", "home")))
        if flag("models/warm_up", True) and hasattr(self.practice, "bridge"):
            # the models load behind Home, not when the learner presses Start (see EngineBridge.warm_up)
            QTimer.singleShot(WARM_UP_AFTER_MS, self, self.practice.bridge.warm_up)
        if hasattr(self.practice, "prepare"):  # laid out and painted once behind Home: Start shows it at once
            QTimer.singleShot(PREPARE_AFTER_MS, self, self.practice.prepare)

    # -- building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        from rehearse.app.gui.home.page import HomePage
        from rehearse.app.gui.replay.page import ReplayPage
        from rehearse.app.gui.review.calibration_page import CalibrationPage
        from rehearse.app.gui.review.data import Reviewer
        from rehearse.app.gui.review.progress_page import ProgressPage
        from rehearse.app.gui.setup.page import SetupPage

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        rail = QWidget(objectName="rail")
        rail.setFixedWidth(184)
        rail_layout = QVBoxLayout(rail)
        rail_layout.setContentsMargins(10, 16, 10, 12)
        rail_layout.setSpacing(4)
        brand = QLabel("Rehearse", objectName="title")
        brand.setContentsMargins(8, 0, 0, 12)
        rail_layout.addWidget(brand)
        self._group = QButtonGroup(self)
        self._stack = QStackedWidget()
        self.home = HomePage(self)
        self.practice = self._practice_page()
        self.replay = ReplayPage(self)
        self.setup = SetupPage(self)
        self.progress = ProgressPage(self)
        self.calibration = CalibrationPage(self)
        self.calibration.open_turn.connect(self.open_replay)
        self.reviewer = Reviewer(learner_name())
        pages = (self.home, self.practice, self.replay, self.setup, self.progress, self.calibration)
        for number, ((name, label), page) in enumerate(zip(PAGES, pages, strict=True), 1):
            button = QPushButton(label, objectName="railButton", checkable=True)
            button.setToolTip(f"{label} (Ctrl+{number})")
            button.clicked.connect(lambda _=False, n=name: self.show_page(n))
            self._group.addButton(button)
            rail_layout.addWidget(button)
            self._buttons[name] = button
            self._pages[name] = page
            self._stack.addWidget(page)
        rail_layout.addStretch(1)
        self._learner_label = QLabel(objectName="muted")
        self._learner_label.setWordWrap(True)
        self._learner_label.setContentsMargins(8, 0, 0, 0)
        rail_layout.addWidget(self._learner_label)
        row.addWidget(rail)
        row.addWidget(self._stack, 1)
        self.setCentralWidget(central)
        self._show_learner(learner_name())
        self.learner_changed.connect(self._show_learner)
        self.learner_changed.connect(self.find_reviewer)
        self._buttons["calibration"].hide()  # trainers only
        self.find_reviewer(learner_name())

    def _practice_page(self) -> QWidget:
        """G2's practice page; a placeholder until it can be imported."""
        try:
            from rehearse.app.gui.practice.page import PracticePage
        except ImportError as exc:
            _LOGGER.warning("the practice page is not available: %s", exc)
            return _Placeholder("Practice is not available in this build.")
        page = PracticePage(self)
        page.open_replay.connect(self.open_replay)
        page.go_home.connect(lambda: self.show_page("home"))
        page.session_saved.connect(lambda _id: (self.home.refresh(), self.replay.refresh(), self.progress.refresh()))
        page.model.started.connect(lambda started: self._show_learner(started.learner))
        return page

    def _build_menu(self) -> None:
        app_menu = self.menuBar().addMenu("&Rehearse")
        self._action(app_menu, "Start the recommended scenario", "Ctrl+N", self.home.start_recommended)
        self._action(app_menu, "Import recorded call…", "Ctrl+I", self.import_calls)
        app_menu.addSeparator()
        self._action(app_menu, "Quit", QKeySequence.StandardKey.Quit, self.close)
        go = self.menuBar().addMenu("&Go")
        for number, (name, label) in enumerate(PAGES, 1):
            self._action(go, label, f"Ctrl+{number}", lambda n=name: self.show_page(n))
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "Keyboard shortcuts", "F1", self._show_shortcuts)

    def _action(self, menu, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.addAction(action)
        return action

    def _show_shortcuts(self) -> None:
        QMessageBox.information(
            self,
            "Keyboard shortcuts",
            "\n".join(
                [
                    "Ctrl+N   start the recommended scenario",
                    "Ctrl+I   import recorded calls (scored, then opened in Replay)",
                    "Ctrl+1..6   Home, Practice, Replay, Audio set-up, Progress, Calibration",
                    "Space   play / pause (Replay); hold to talk (Practice)",
                    "Left / Right   previous / next turn (Replay)",
                    "Ctrl+E   export the conversation as WAV (Replay)",
                    "Ctrl+Q   quit",
                ]
            ),
        )

    # -- the interface the pages use ----------------------------------------------------------------
    def show_page(self, name: str) -> None:
        if name not in self._pages:
            name = "home"
        self._stack.setCurrentWidget(self._pages[name])
        self._buttons[name].setChecked(True)
        settings().setValue("window/page", name if name != "practice" else "home")
        session = getattr(getattr(self._pages[name], "model", None), "session", None)
        self._show_learner(session.learner if name == "practice" and session is not None else learner_name())
        entered = getattr(self._pages[name], "entered", None)
        if entered:
            entered()

    def current_page(self) -> str:
        widget = self._stack.currentWidget()
        return next(name for name, page in self._pages.items() if page is widget)

    def start_practice(self, options, source: str = "microphone") -> None:
        """Open the practice page and start a session (`source`: "microphone" or "typed")."""
        if not hasattr(self.practice, "start"):
            self.status("Practice is not available in this build.")
            return
        self.show_page("practice")
        self.practice.start(options, source)

    def open_replay(self, session_id: str, turn: int | None = None) -> None:
        self.show_page("replay")
        self.replay.open_session(session_id, turn)

    def import_calls(self) -> None:
        """Open the import dialog (the one already open, when an import is under way)."""
        from rehearse.app.gui.import_dialog import ImportDialog

        if getattr(self, "import_dialog", None) is None:
            self.import_dialog = ImportDialog(self)
            self.import_dialog.finished_import.connect(self._calls_imported)
        self.import_dialog.show()
        self.import_dialog.raise_()
        self.import_dialog.activateWindow()

    def _calls_imported(self, outcomes: list) -> None:
        if any(o["status"] == "imported" for o in outcomes):
            self.home.refresh()
            self.replay.refresh()
            self.progress.refresh()

    def status(self, message: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def set_learner(self, name: str) -> None:
        name = name.strip() or "learner"
        if name != learner_name():
            settings().setValue("learner", name)
            self.learner_changed.emit(name)

    def _show_learner(self, name: str) -> None:
        trainer = self.reviewer.is_trainer and name == self.reviewer.name
        self._learner_label.setText(
            f"Trainer: {name}" + (f"\nteam {self.reviewer.team}" if self.reviewer.team else "")
            if trainer
            else f"Learner: {name}"
        )

    def find_reviewer(self, name: str) -> None:
        """Look `name` up in the store's people table (in the background); `reviewer_changed` follows."""
        from rehearse.app.gui.review.data import who

        tasks.run_in_background(
            who,
            name,
            on_done=self._reviewer_found,
            on_error=lambda exc: _LOGGER.warning("cannot tell whether %s is a trainer: %s", name, exc),
            parent=self,
        )

    def _reviewer_found(self, reviewer) -> None:
        if reviewer.name != learner_name():
            return  # the name changed meanwhile; its own look-up follows
        self.reviewer = reviewer
        self._buttons["calibration"].setVisible(reviewer.is_trainer)
        self.replay.set_reviewer(reviewer)
        self.calibration.set_reviewer(reviewer)
        if self.current_page() != "practice":
            self._show_learner(reviewer.name)
        self.reviewer_changed.emit(reviewer)

    def _show_busy(self) -> None:
        count = tasks.busy()
        self._busy.setText(f"working on {count} background task{'s' if count > 1 else ''}…" if count else "")

    # -- geometry and closing -----------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = settings().value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def closeEvent(self, event) -> None:
        settings().setValue("window/geometry", self.saveGeometry())
        if getattr(self, "import_dialog", None) is not None:
            self.import_dialog.cancel()
        for page in self._pages.values():
            shutdown = getattr(page, "shutdown", None)
            if shutdown:
                shutdown()
        super().closeEvent(event)


class _Placeholder(QLabel):
    def __init__(self, text: str):
        super().__init__(text, alignment=Qt.AlignmentFlag.AlignCenter, objectName="muted")
