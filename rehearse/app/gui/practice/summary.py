"""The session summary: scores per turn as a trend, the ending, the best and worst moments (into
replay), and the recommended next scenario."""

from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from rehearse.app.gui import tasks, theme
from rehearse.app.gui.practice.view_model import DIMENSIONS, mean_score
from rehearse.app.gui.widgets import cache_axes

_LOGGER = logging.getLogger(__name__)

DIMENSION_COLORS = {"empathy": "#d2483c", "clarity": "#3b82c4", "pace": "#2e9d5b", "calm": "#9b59b6"}
OUTCOME_TEXT = {
    "resolved": "Resolved: the customer was satisfied.",
    "escalated": "Escalated to a manager.",
    "hung_up": "The customer hung up.",
}


def best_and_worst(results: list) -> tuple[object | None, object | None]:
    """The turns with the highest and lowest mean score (None where no turn was scored)."""
    scored = [(mean_score(r.feedback.scores), r) for r in results]
    scored = [(s, r) for s, r in scored if s is not None]
    if not scored:
        return None, None
    best = max(scored, key=lambda item: item[0])[1]
    worst = min(scored, key=lambda item: item[0])[1]
    return best, (worst if worst is not best else None)


def recommend_next(options) -> object:
    """The next scenario for this learner, as `rehearse next` gives it (runs off the GUI thread)."""
    from rehearse.app.progress import next_scenario
    from rehearse.store import SessionStore

    return next_scenario(SessionStore(url=options.db_url, folder=options.data_dir), options.learner)


class SummaryView(QWidget):
    """Shown when the session ends."""

    open_replay = Signal(str, int)
    go_home = Signal()
    practise = Signal(str)
    """Start the recommended scenario (its id)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session_id = ""
        self.recommendation = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.headline = QLabel()
        self.headline.setObjectName("title")
        self.ending = QLabel()
        self.ending.setWordWrap(True)
        layout.addWidget(self.headline)
        layout.addWidget(self.ending)
        row = QHBoxLayout()
        row.setSpacing(12)
        trend_card, trend_box = self._card("Scores per turn")
        self.trend = pg.PlotWidget()
        self.trend.setMouseEnabled(False, False)
        self.trend.hideButtons()
        self.trend.setMenuEnabled(False)
        cache_axes(self.trend.getPlotItem())
        self.trend.setYRange(0, 100, padding=0.04)
        self.trend.getAxis("bottom").setLabel("turn")
        self.trend.getAxis("left").setLabel("score")
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setToolTip("Each judged turn's four scores (0-100); a turn's latest judged take")
        trend_box.addWidget(self.legend)
        trend_box.addWidget(self.trend, 1)
        row.addWidget(trend_card, 3)
        side = QVBoxLayout()
        moments_card, moments_box = self._card("Best and worst moments")
        self.moments = QGridLayout()
        moments_box.addLayout(self.moments)
        side.addWidget(moments_card)
        next_card, next_box = self._card("Practise next")
        self.next_label = QLabel("Working out what to practise next…")
        self.next_label.setWordWrap(True)
        self.next_reason = QLabel()
        self.next_reason.setWordWrap(True)
        self.next_button = QPushButton("Start it")
        self.next_button.setObjectName("primary")
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(
            lambda: self.recommendation and self.practise.emit(self.recommendation.scenario_id)
        )
        next_box.addWidget(self.next_label)
        next_box.addWidget(self.next_reason)
        next_box.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(next_card)
        side.addStretch(1)
        buttons = QHBoxLayout()
        self.replay_button = QPushButton("Open in replay")
        self.replay_button.clicked.connect(lambda: self.open_replay.emit(self.session_id, 0))
        home = QPushButton("Home")
        home.clicked.connect(self.go_home)
        buttons.addWidget(self.replay_button)
        buttons.addWidget(home)
        buttons.addStretch(1)
        side.addLayout(buttons)
        row.addLayout(side, 2)
        layout.addLayout(row, 1)

    @staticmethod
    def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setObjectName("card")
        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 12, 14, 12)
        heading = QLabel(title)
        heading.setObjectName("heading")
        box.addWidget(heading)
        return frame, box

    def show_session(self, ended, results: list, options) -> None:
        """Fill the summary from the SessionEnded event and the judged turns (latest take of each)."""
        self.session_id = ended.session_id
        finished = ended.status == "finished"
        self.headline.setText("Session complete" if finished else "Session stopped")
        ending = OUTCOME_TEXT.get(ended.outcome or "", "No ending was reached")
        if not finished and ended.why:
            ending += f" ({ended.why})"
        closing = f"<br><i>“{ended.closing_line}”</i>" if ended.closing_line else ""
        self.ending.setText(
            f"{ending}. {ended.turns} turn{'s' if ended.turns != 1 else ''} saved.{closing}".replace("..", ".")
        )
        self._plot(results)
        self._moments(results)
        self.replay_button.setEnabled(ended.turns > 0)
        self.next_button.setEnabled(False)
        self.next_label.setText("Working out what to practise next…")
        self.next_reason.setText("")
        if options is not None:
            tasks.run_in_background(
                recommend_next,
                options,
                on_done=self._show_recommendation,
                on_error=lambda exc: self.next_label.setText(f"No recommendation: {exc}"),
                parent=self,
            )

    def _plot(self, results: list) -> None:
        """One line with markers per dimension over the turns; the legend is a row above the plot (never on
        the data); a turn without a score leaves a gap in its line."""
        self.trend.clear()
        self.trend.setBackground(theme.color("base"))
        for side in ("left", "bottom"):
            self.trend.getAxis(side).setPen(theme.color("muted"))
            self.trend.getAxis(side).setTextPen(theme.color("muted"))
        turns = [float(r.index) for r in results]
        shown = []
        for dim in DIMENSIONS:
            values = [r.feedback.scores.get(dim) for r in results]
            if all(v is None for v in values):
                continue
            ys = np.array([np.nan if v is None else float(v) for v in values])
            color = QColor(DIMENSION_COLORS[dim])
            self.trend.plot(
                np.array(turns),
                ys,
                pen=pg.mkPen(color, width=2.5),
                symbol="o",
                symbolSize=9,
                symbolBrush=color,
                symbolPen=pg.mkPen(theme.color("base"), width=1),
                connect="finite",
            )
            shown.append(dim)
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp;".join(
                f'<span style="color:{DIMENSION_COLORS[d]}; font-size:14pt">●</span>&nbsp;{d}' for d in shown
            )
            or "No turn was scored."
        )
        if turns:
            self.trend.setXRange(min(turns) - 0.3, max(turns) + 0.3, padding=0)
            self.trend.getAxis("bottom").setTicks([[(t, str(int(t))) for t in turns]])

    def _moments(self, results: list) -> None:
        while self.moments.count():
            self.moments.takeAt(0).widget().deleteLater()
        best, worst = best_and_worst(results)
        row = 0
        for title, turn in (("Best", best), ("Worst", worst)):
            if turn is None:
                continue
            score = mean_score(turn.feedback.scores)
            text = QLabel(f"<b>{title}: turn {turn.index}</b> ({score:.0f})<br>“{turn.feedback.transcript[:90]}”")
            text.setWordWrap(True)
            button = QPushButton("Replay")
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"Open turn {turn.index} in replay")
            button.clicked.connect(lambda _=False, index=turn.index: self.open_replay.emit(self.session_id, index))
            self.moments.addWidget(text, row, 0)
            self.moments.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
            row += 1
        if row == 0:
            self.moments.addWidget(QLabel("No turn was scored."), 0, 0)

    def _show_recommendation(self, rec) -> None:
        self.recommendation = rec
        self.next_label.setText(f"<b>{rec.title}</b> at difficulty {rec.difficulty}")
        self.next_reason.setText(rec.reason)
        self.next_button.setEnabled(True)
