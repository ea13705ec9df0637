"""Progress: one learner's scores over time, a line per dimension (the mean of each session's turns), and the
scenarios they have tried (how often, last and best score, last ending) and not tried yet."""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks, theme
from rehearse.app.gui.review.data import Progress, progress
from rehearse.app.gui.widgets import DIMENSIONS, cache_axes, label

DIMENSION_COLORS = {"empathy": "#4e79a7", "clarity": "#59a14f", "pace": "#f28e2b", "calm": "#b07aa1"}
"""One colour per dimension, apart from the score colours (green/amber/red) and readable on both schemes."""


class ProgressChart(pg.PlotWidget):
    """Scores 0–100 against the session's start time, one line per dimension, with a legend."""

    def __init__(self, parent=None):
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.setMinimumHeight(260)
        self.plot_item = self.getPlotItem()
        self.plot_item.setMouseEnabled(x=True, y=False)
        self.plot_item.hideButtons()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.showGrid(y=True, alpha=0.15)
        self.plot_item.setLabel("left", "score")
        self.plot_item.setYRange(-3, 114, padding=0)  # the legend sits above 100, clear of the lines
        self.plot_item.getAxis("left").setTicks([[(v, str(v)) for v in range(0, 101, 20)]])
        cache_axes(self.plot_item)
        self.legend = self.plot_item.addLegend(offset=(-10, 10), colCount=4)
        self.curves = {
            dim: self.plot_item.plot([], [], name=dim, symbol="o", symbolSize=6, connect="finite") for dim in DIMENSIONS
        }
        theme.current().changed.connect(self.recolor)
        self.recolor()

    def recolor(self, _scheme: str | None = None) -> None:
        self.setBackground(theme.color("base"))
        for axis in ("left", "bottom"):
            self.plot_item.getAxis(axis).setPen(theme.color("border"))
            self.plot_item.getAxis(axis).setTextPen(theme.color("muted"))
        self.legend.setLabelTextColor(theme.color("text"))
        for dim, curve in self.curves.items():
            color = DIMENSION_COLORS[dim]
            curve.setPen(pg.mkPen(color, width=2))
            curve.setSymbolBrush(color)
            curve.setSymbolPen(pg.mkPen(theme.color("base"), width=1))

    def show_sessions(self, sessions: list[dict]) -> None:
        """Each session's mean per dimension at its start time (a gap where a session has none)."""
        times = [s["started_at"].timestamp() for s in sessions if s["started_at"] is not None]
        dated = [s for s in sessions if s["started_at"] is not None]
        for dim, curve in self.curves.items():
            values = [s["scores"].get(dim, float("nan")) for s in dated]
            curve.setData(times, values, connect="finite")
        if times:
            first, last = times[0], max(times[-1], times[0] + 60.0)
        else:  # the last week, so that the axis shows dates rather than fractions of a second
            last = datetime.now().timestamp()
            first = last - 7 * 86400.0
        margin = (last - first) * 0.05
        self.plot_item.setXRange(first - margin, last + margin, padding=0)


class ProgressPage(QWidget):
    shown = Signal(str)
    """The learner whose progress is on screen."""

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.data: Progress | None = None
        self._asked = 0
        """Increases with each request: an older answer arriving late is dropped."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 12)
        outer.setSpacing(10)
        top = QHBoxLayout()
        self.title = label("Progress", "title")
        top.addWidget(self.title, 1)
        top.addWidget(label("Learner", "muted"))
        self.learner = QComboBox(toolTip="Whose progress to show")
        self.learner.setMinimumWidth(180)
        self.learner.activated.connect(lambda _i: self.show_learner(self.learner.currentText()))
        top.addWidget(self.learner)
        outer.addLayout(top)
        self.summary = label("", "muted", wrap=True)
        outer.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical)
        self.chart = ProgressChart()
        split.addWidget(self.chart)
        bottom = QWidget()
        row = QHBoxLayout(bottom)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        tried = QVBoxLayout()
        tried.addWidget(label("Scenarios tried", "heading"))
        self.tried = QTableWidget(0, 5)
        self.tried.setHorizontalHeaderLabels(["Scenario", "Played", "Last score", "Best", "Last ending"])
        self.tried.verticalHeader().hide()
        self.tried.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tried.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        header = self.tried.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        tried.addWidget(self.tried, 1)
        row.addLayout(tried, 3)
        untried = QVBoxLayout()
        self.untried_heading = label("Not tried yet", "heading")
        untried.addWidget(self.untried_heading)
        self.untried = QListWidget()
        untried.addWidget(self.untried, 1)
        row.addLayout(untried, 2)
        split.addWidget(bottom)
        split.setSizes([360, 260])
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

    def entered(self) -> None:
        self.show_learner(self.default_learner())

    def default_learner(self) -> str | None:
        """A trainer: the learner of the session open in Replay, else the one shown last, else the first
        learner (None). A learner: the one shown last, else themselves."""
        window = self.window_
        if window.reviewer.is_trainer:
            view = window.replay.view
            if view is not None:
                return view.session["learner"]
            return self.data.learner if self.data and self.data.learner else None
        return self.data.learner if self.data else window.reviewer.name

    def refresh(self) -> None:
        if self.data is not None:
            self.show_learner(self.data.learner)

    def show_learner(self, learner: str | None) -> None:
        """Read the learner's sessions in the background and show them (None: the first learner)."""
        self._asked += 1
        tasks.run_in_background(
            progress,
            learner,
            on_done=lambda data, asked=self._asked: self._show(asked, data),
            on_error=self._failed,
            parent=self,
        )

    def _show(self, asked: int, data: Progress) -> None:
        if asked != self._asked:
            return
        self.data = data
        self.learner.clear()
        for name in sorted(set(data.learners) | {data.learner}):
            self.learner.addItem(name)
        self.learner.setCurrentText(data.learner)
        self.title.setText(f"Progress of {data.learner}" if data.learner else "Progress")
        scored = [s for s in data.sessions if s["overall"] is not None]
        if not data.learner:
            self.summary.setText("No learner has saved a session yet.")
        elif not data.sessions:
            self.summary.setText(f"{data.learner} has no saved sessions yet.")
        else:
            first, last = data.sessions[0]["started_at"], data.sessions[-1]["started_at"]
            span = ""
            if first and last:
                first, last = first.astimezone(), last.astimezone()
                same_day = first.date() == last.date()
                span = f" on {first:%d %b %Y}" if same_day else f" from {first:%d %b %Y} to {last:%d %b %Y}"
            trend = ""
            if len(scored) >= 2:
                first_score, last_score = scored[0]["overall"], scored[-1]["overall"]
                trend = f"; overall score {first_score:.0f} in the first, {last_score:.0f} in the latest"
            self.summary.setText(
                f"{len(data.sessions)} session{'s' if len(data.sessions) != 1 else ''}{span}{trend}. "
                "Each point is one session's mean over its turns."
            )
        self.chart.show_sessions(data.sessions)
        self.tried.setRowCount(len(data.tried))
        for row, tried in enumerate(data.tried):
            cells = (
                tried.title,
                str(tried.played),
                _score(tried.last_overall),
                _score(tried.best_overall),
                tried.last_ending,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (1, 2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column in (2, 3) and text != "–":
                    item.setForeground(theme.score_color(float(text)))
                self.tried.setItem(row, column, item)
        self.untried.clear()
        for _id, title in data.untried:
            self.untried.addItem(title)
        self.untried_heading.setText(f"Not tried yet ({len(data.untried)})")
        if not data.untried:
            self.untried.addItem("Every scenario of the library has been tried.")
        self.shown.emit(data.learner)

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(f"Could not read the progress: {exc}")
        self.window_.status(f"Progress: {exc}", 15000)


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
