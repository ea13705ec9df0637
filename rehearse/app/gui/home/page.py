"""Home: the recommended next scenario, the scenario library as cards, the learner's recent sessions and trends."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks, theme
from rehearse.app.gui.widgets import DIMENSIONS, Sparkline, card, chip, discard, flow_chips, label

_LOGGER = logging.getLogger(__name__)

AUDIENCE = {"service": "Service rep", "manager": "Manager"}
COLUMNS = 2
RECENT = 8
"""Sessions listed under "Recent sessions"."""


def practice_options(scenario: str, learner: str, difficulty: int | None = None):
    """PracticeOptions from the window's settings: learner, baseline read, remembered devices."""
    from rehearse.app.options import PracticeOptions

    baseline = QSettings().value(f"baseline/{learner}")
    return PracticeOptions(
        scenario=scenario,
        learner=learner,
        difficulty=difficulty,
        baseline=Path(baseline) if baseline and Path(baseline).is_file() else None,
    )


def practice_source() -> str:
    """ "microphone", unless the audio set-up found none (then typed practice)."""
    from rehearse.app.gui.main_window import flag

    return "typed" if flag("audio/no_input") else "microphone"


class HomePage(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.data = None
        self._loading = False
        self._library_cards: dict[tuple, QWidget] = {}
        """Scenario cards by what they show (see `_entry_key`): a refresh rebuilds only the ones that changed."""
        self._session_rows: dict[tuple, QWidget] = {}
        """Recent-session cards by session id and what they show."""
        self._sparklines: dict[str, Sparkline] = {}
        self._no_sessions: QWidget | None = None
        self._library_order: list | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 12)
        outer.setSpacing(12)

        top = QHBoxLayout()
        self.greeting = label("", "title")
        top.addWidget(self.greeting, 1)
        top.addWidget(label("Learner", "muted"))
        self.learner = QLineEdit(placeholderText="your name")
        self.learner.setFixedWidth(180)
        self.learner.setToolTip("Sessions are saved and recommended under this name")
        self.learner.editingFinished.connect(lambda: window.set_learner(self.learner.text()))
        top.addWidget(self.learner)
        outer.addLayout(top)

        self.banner, banner_layout = card("banner")
        self.rec_heading = label("Recommended next", "muted")
        self.rec_title = label("Loading your scenarios…", "heading")
        self.rec_reason = label("", wrap=True)
        self.rec_reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start practice  (Ctrl+N)", objectName="primary", enabled=False)
        self.start_button.clicked.connect(self.start_recommended)
        self.typed_button = QPushButton("Practise by typing", enabled=False)
        self.typed_button.setToolTip("No microphone needed: type your replies")
        self.typed_button.clicked.connect(lambda: self.start_recommended("typed"))
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.typed_button)
        buttons.addStretch(1)
        for widget in (self.rec_heading, self.rec_title, self.rec_reason):
            banner_layout.addWidget(widget)
        banner_layout.addLayout(buttons)
        outer.addWidget(self.banner)

        body = QHBoxLayout()
        body.setSpacing(18)
        library = QVBoxLayout()
        library.addWidget(label("Scenario library", "heading"))
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 6, 0)
        self.grid.setSpacing(10)
        for column in range(COLUMNS):
            self.grid.setColumnStretch(column, 1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.grid_host)
        library.addWidget(scroll, 1)
        body.addLayout(library, 3)

        side = QVBoxLayout()
        side.addWidget(label("Recent sessions", "heading"))
        self.recent_host = QWidget()
        self.recent = QVBoxLayout(self.recent_host)
        self.recent.setContentsMargins(0, 0, 6, 0)
        self.recent.setSpacing(6)
        recent_scroll = QScrollArea(widgetResizable=True)
        recent_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        recent_scroll.setWidget(self.recent_host)
        side.addWidget(recent_scroll, 1)
        self.trend_title = label("Scores over your sessions", "heading")
        side.addWidget(self.trend_title)
        self.trends = QVBoxLayout()
        self.trends.setSpacing(2)
        side.addLayout(self.trends)
        side_host = QWidget()
        side_host.setLayout(side)
        side_host.setFixedWidth(410)
        body.addWidget(side_host)
        outer.addLayout(body, 1)

        window.learner_changed.connect(lambda _name: self.refresh())
        theme.current().changed.connect(self._theme_changed)
        self.refresh()

    # -- data ---------------------------------------------------------------------------------------
    def learner_name(self) -> str:
        from rehearse.app.gui.main_window import learner_name

        return learner_name()

    def refresh(self) -> None:
        """Reload the library and the learner's sessions in the background."""
        name = self.learner_name()
        self.learner.setText(name)
        self.greeting.setText(f"Ready to practise, {name}?")
        self._loading = True
        self.window_.status("Loading the scenario library and your sessions…")
        tasks.run_in_background(_load, name, on_done=self._loaded, on_error=self._failed, parent=self)

    def _loaded(self, data) -> None:
        self._loading = False
        self.data = data
        self.window_.status(
            f"{sum(1 for e in data.entries if e.scenario)} scenarios, "
            f"{len(data.sessions)} saved sessions for {self.learner_name()}"
        )
        self._show()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.rec_title.setText("Could not load your sessions")
        self.rec_reason.setText(f"{exc}")
        self.window_.status(f"Home: {exc}", 15000)

    def loaded(self) -> bool:
        return self.data is not None and not self._loading

    def _theme_changed(self, _scheme: str) -> None:
        """Colours are baked into the chips' style sheets: build every card again in the new colours."""
        for widget in [*self._library_cards.values(), *self._session_rows.values(), *self._sparklines.values()]:
            discard(widget)
        self._library_cards.clear()
        self._session_rows.clear()
        self._sparklines.clear()
        self._library_order = None
        self._show()

    # -- views --------------------------------------------------------------------------------------
    def _show(self) -> None:
        if self.data is None:
            return
        self._show_recommendation()
        self._show_library()
        self._show_recent()

    def _show_recommendation(self) -> None:
        rec = self.data.recommendation
        ready = rec is not None
        self.start_button.setEnabled(ready)
        self.typed_button.setEnabled(ready)
        if not ready:
            self.rec_title.setText("No scenario to recommend")
            self.rec_reason.setText(self.data.recommendation_problem or "")
            return
        self.rec_title.setText(f"{rec.title}  ·  difficulty {rec.difficulty}")
        self.rec_reason.setText(rec.reason)

    def _show_library(self) -> None:
        """Place a card per entry, building only the cards of entries not shown before (parsed files are
        cached, so an unchanged file gives the very same Entry)."""
        wanted = [(_entry_key(entry), entry) for entry in self.data.entries]
        keys = {key for key, _ in wanted}
        for key in [k for k in self._library_cards if k not in keys]:
            discard(self._library_cards.pop(key))
        order = [key for key, _ in wanted]
        if order == self._library_order:
            return
        self._library_order = order
        while self.grid.count():
            self.grid.takeAt(0)
        for i, (key, entry) in enumerate(wanted):
            widget = self._library_cards.get(key)
            if widget is None:
                widget = self._library_cards[key] = self._scenario_card(entry)
                widget.entry = entry  # keeps the scenario (whose id is in the key) alive while its card is
            self.grid.addWidget(widget, i // COLUMNS, i % COLUMNS)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(len(wanted) // COLUMNS + 1, 1)

    def _scenario_card(self, entry) -> QWidget:
        scenario = entry.scenario
        if scenario is None:
            frame, layout = card("invalidCard")
            frame.setProperty("scenario_id", entry.id)
            layout.addWidget(label(f"{entry.path.name}", "heading"))
            layout.addWidget(chip("invalid", theme.score_color(0)), 0, Qt.AlignmentFlag.AlignLeft)
            reason = label("\n".join(_short_problem(p, entry.path) for p in entry.problems[:3]), "muted", wrap=True)
            reason.setToolTip("\n".join(entry.problems))
            layout.addWidget(reason)
            if len(entry.problems) > 3:
                layout.addWidget(label(f"and {len(entry.problems) - 3} more problem(s)", "muted"))
            layout.addWidget(label(str(entry.path.parent), "muted", wrap=True))
            layout.addStretch(1)
            return frame
        frame, layout = card()
        frame.setProperty("scenario_id", scenario.id)
        layout.addWidget(label(scenario.title, "heading", wrap=True))
        chips = QHBoxLayout()
        chips.setSpacing(4)
        chips.addWidget(chip(AUDIENCE.get(scenario.audience, scenario.audience), theme.color("highlight")))
        chips.addWidget(chip(f"difficulty {scenario.difficulty}/5", theme.mood_color((scenario.difficulty - 1) / 4)))
        chips.addStretch(1)
        layout.addLayout(chips)
        trains = ", ".join(scenario.focus) or "all four dimensions"
        layout.addWidget(label(f"Trains {trains}", wrap=True))
        caller = label(scenario.card.caller, "muted", wrap=True)
        caller.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(caller)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        button = QPushButton("Practise")
        button.setToolTip(f"Start '{scenario.title}' as {self.learner_name()}")
        button.clicked.connect(lambda _=False, sid=scenario.id: self.start(sid))
        row.addWidget(button)
        layout.addLayout(row)
        return frame

    def _show_recent(self) -> None:
        """The newest sessions, newest first: a card is built only for a session not shown before (or whose
        scores changed); the trends are updated in place."""
        sessions = self.data.sessions
        shown = [(_session_key(item), item) for item in list(reversed(sessions))[:RECENT]]
        keys = {key for key, _ in shown}
        for key in [k for k in self._session_rows if k not in keys]:
            discard(self._session_rows.pop(key))
        while self.recent.count():
            self.recent.takeAt(0)
        if not sessions and self._no_sessions is None:
            self._no_sessions = label(
                "No saved sessions yet. Your practice calls will appear here, with their scores.", "muted", wrap=True
            )
        if self._no_sessions is not None:
            self._no_sessions.setVisible(not sessions)
            self.recent.addWidget(self._no_sessions)
        for key, item in shown:
            widget = self._session_rows.get(key)
            if widget is None:
                widget = self._session_rows[key] = self._session_row(item)
            self.recent.addWidget(widget)
        self.recent.addStretch(1)
        self.trend_title.setVisible(len(sessions) > 0)
        for dim in DIMENSIONS:
            values = [s.scores.get(dim) for s in sessions[-20:]]
            line = self._sparklines.get(dim)
            if line is None:
                line = self._sparklines[dim] = Sparkline(dim, values)
                self.trends.addWidget(line)
            elif line.values != values:
                line.set_values(values)
            line.setVisible(bool(sessions))

    def _session_row(self, item) -> QWidget:
        session = item.session
        frame, layout = card()
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(3)
        title = self.data.titles.get(session["scenario_id"], session["scenario_id"])
        top = QHBoxLayout()
        top.addWidget(label(title, "heading", wrap=True), 1)
        open_button = QPushButton("Replay")
        open_button.setToolTip("Open this session in Replay")
        open_button.clicked.connect(lambda _=False, sid=session["id"]: self.window_.open_replay(sid))
        top.addWidget(open_button)
        layout.addLayout(top)
        ending = session["outcome"] or session["status"]
        when = session["started_at"].astimezone().strftime("%a %d %b %H:%M") if session["started_at"] else ""
        layout.addWidget(
            label(
                f"{when}  ·  {item.turns} turn{'s' if item.turns != 1 else ''}  ·  {ending.replace('_', ' ')}",
                "muted",
                wrap=True,
            )
        )
        layout.addWidget(flow_chips(item.scores))
        return frame

    # -- actions ------------------------------------------------------------------------------------
    def start_recommended(self, source: str | None = None) -> None:
        rec = self.data.recommendation if self.data else None
        if rec is None:
            self.window_.status("No recommendation yet: the library is still loading or has no valid scenario.")
            return
        self.start(rec.scenario_id, rec.difficulty, source)

    def start(self, scenario_id: str, difficulty: int | None = None, source: str | None = None) -> None:
        options = practice_options(scenario_id, self.learner_name(), difficulty)
        self.window_.start_practice(options, source or practice_source())


def _entry_key(entry) -> tuple:
    if entry.scenario is not None:
        return (str(entry.path), id(entry.scenario))
    return (str(entry.path), entry.problems)


def _session_key(item) -> tuple:
    session = item.session
    return (session["id"], item.turns, session["status"], session["outcome"], tuple(sorted(item.scores.items())))


def _load(learner: str):
    from rehearse.app.gui.home.data import load

    return load(learner)


def _short_problem(problem: str, path: Path) -> str:
    """A validation problem without the file path it starts with (the card names the file)."""
    text = str(problem)
    for prefix in (f"{path}:", f"{path.name}:"):
        if text.startswith(prefix):
            return "line " + text[len(prefix) :]
    return text
