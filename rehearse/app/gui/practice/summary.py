"""The session summary: scores per turn as a trend, the ending, the best and worst moments (into
replay), and the recommended next scenario.

The page is built ahead while the session runs (`SummaryView.prepare`, while the customer speaks): laid out
and painted once off-screen, the judged turns plotted a step per turn of the event loop. At the session's end
only what changed since is drawn: filling and showing it at once held the GUI thread 110-220 ms on a 2-core
CPU (the trend's four lines with markers and the page's first layout and paint)."""

from __future__ import annotations

import html
import logging
import textwrap
from collections.abc import Callable, Iterator

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPixmap, QRegion
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from rehearse.app.gui import tasks, theme
from rehearse.app.gui.practice.view_model import DIMENSIONS, mean_score
from rehearse.app.gui.widgets import cache_axes

_LOGGER = logging.getLogger(__name__)
QUOTE_CHARS = 90
"""A best or worst moment's words are shown up to this long, cut between words."""

DIMENSION_COLORS = {"empathy": "#d2483c", "clarity": "#3b82c4", "pace": "#2e9d5b", "calm": "#9b59b6"}
OUTCOME_TEXT = {
    "resolved": "Resolved: the customer was satisfied.",
    "escalated": "Escalated to a manager.",
    "hung_up": "The customer hung up.",
}
ENDING_LINES = 3
AHEAD_AFTER_MS = 1000
"""The steps built ahead start this long after the customer starts speaking (after the verdict's card is drawn
and the feedback panel's spare plots are built) and run `AHEAD_GAP_MS` apart."""
AHEAD_GAP_MS = 100


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
        self.headline = QLabel("Session complete")  # its height is known when the page is laid out ahead
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
        self.lines: dict[str, pg.PlotDataItem] = {}
        """One line with markers per dimension, each made by its first step."""
        self._shown: dict[str, tuple] = {}
        """What each part shows now ("style", a dimension's line, "axis", "moments"): a step that would show
        the same again is skipped."""
        self._steps: Iterator[None] | None = None
        self._then: Callable[[], None] | None = None
        self._gap_ms = 0
        self._step_timer = QTimer(self, singleShot=True)
        self._step_timer.timeout.connect(self._step)

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

    def prepare(self, results: list) -> None:
        """Build the summary of the turns judged so far ahead, a short step per turn of the event loop (call it
        while the customer speaks, when the learner listens and no live trace is drawn)."""
        self._run(self._build(results), AHEAD_GAP_MS, first_ms=AHEAD_AFTER_MS)

    def show_session(self, ended, results: list, options, then: Callable[[], None] | None = None) -> None:
        """Fill the summary from the SessionEnded event and the judged turns (latest take of each); `then()` runs
        once the parts not built ahead are drawn (each in its own turn of the event loop)."""
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
        self._run(self._build(results, paint=False), 0, then)  # shown next: painted then, not twice

    # -- building, a step at a time ---------------------------------------------------------------

    def _run(
        self, steps: Iterator[None], gap_ms: int, then: Callable[[], None] | None = None, first_ms: int = 0
    ) -> None:
        """Run `steps` one per turn of the event loop, the first after `first_ms`, then `gap_ms` apart, then
        `then()`; replaces steps not yet run (a later call knows newer turns; an earlier `then` still runs)."""
        self._steps, self._then, self._gap_ms = steps, then or self._then, gap_ms
        self._step_timer.start(first_ms)

    def _step(self) -> None:
        try:
            next(self._steps)
        except StopIteration:
            self._steps = None
            then, self._then = self._then, None
            if then is not None:
                then()
            return
        self._step_timer.start(self._gap_ms)

    def _build(self, results: list, paint: bool = True) -> Iterator[None]:
        """The steps that bring the page up to date with `results`, each one costly change; the last lays the
        page out and (with `paint`) paints it off-screen when anything changed."""
        changed = self._style()
        if changed:
            yield
        turns = [float(r.index) for r in results]
        shown = []
        for dim in DIMENSIONS:
            values = [r.feedback.scores.get(dim) for r in results]
            visible = not all(v is None for v in values)
            if visible:
                shown.append(dim)
            if self._line(dim, turns, values if visible else []):
                changed = True
                yield
        changed = self._axis(turns, shown) | self._moments(results) | changed
        yield from self._lay_out(changed, paint)

    def _changed(self, part: str, content: tuple) -> bool:
        """True (and noted) when `part` is to show something else than it shows now."""
        if self._shown.get(part) == content:
            return False
        self._shown[part] = content
        return True

    def _lay_out(self, changed: bool, paint: bool) -> Iterator[None]:
        """Lay the hidden page out, then (with `paint`) paint it off-screen, at the size it will be shown (two
        steps): its first layout and the trend's first paint after a change (pyqtgraph's axis pictures, Qt's
        caches) are then done when it is shown."""
        holder = self.parentWidget()
        if self.isVisible() or holder is None:
            return
        if self._changed("layout", (holder.width(), holder.height())) or changed:
            self.setGeometry(holder.contentsRect())
            self.ensurePolished()
            # room for the ending and the closing line, which are known at the end: the trend keeps its size
            self.ending.setMinimumHeight(ENDING_LINES * self.ending.fontMetrics().lineSpacing())
            self.render(QPixmap(1, 1), QPoint(), QRegion(0, 0, 1, 1))  # lays out, delivers the resize events
            if paint:
                yield
                self.render(QPixmap(self.size()))

    def _style(self) -> bool:
        """The plot's colours from the theme in use."""
        base, muted = theme.color("base"), theme.color("muted")
        if not self._changed("style", (base.name(), muted.name())):
            return False
        self.trend.setBackground(base)
        for side in ("left", "bottom"):
            self.trend.getAxis(side).setPen(muted)
            self.trend.getAxis(side).setTextPen(muted)
        return True

    def _line(self, dim: str, turns: list[float], values: list) -> bool:
        """One dimension's scores over the turns, a line with markers (made by its first step); a turn without a
        score leaves a gap in its line."""
        base = theme.color("base")
        ys = [np.nan if v is None else float(v) for v in values]
        if not self._changed(dim, (base.name(), tuple(turns) if ys else (), tuple(ys))):
            return False
        xs, ys = np.array(turns if ys else [], dtype=float), np.array(ys, dtype=float)
        line = self.lines.get(dim)
        if line is None:
            color = QColor(DIMENSION_COLORS[dim])
            self.lines[dim] = self.trend.plot(
                xs,
                ys,
                pen=pg.mkPen(color, width=2.5),
                symbol="o",
                symbolSize=9,
                symbolBrush=color,
                symbolPen=pg.mkPen(base, width=1),
                connect="finite",
            )
        else:
            line.setSymbolPen(pg.mkPen(base, width=1))
            line.setData(xs, ys)
        return True

    def _axis(self, turns: list[float], shown: list[str]) -> bool:
        """The legend is a row above the plot (never on the data); one tick per turn."""
        if not self._changed("axis", (tuple(turns), tuple(shown))):
            return False
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp;".join(
                f'<span style="color:{DIMENSION_COLORS[d]}; font-size:14pt">●</span>&nbsp;{d}' for d in shown
            )
            or "No turn was scored."
        )
        if turns:
            self.trend.setXRange(min(turns) - 0.3, max(turns) + 0.3, padding=0)
            self.trend.getAxis("bottom").setTicks([[(t, str(int(t))) for t in turns]])
        return True

    def _moments(self, results: list) -> bool:
        best, worst = best_and_worst(results)
        moments = [(title, turn) for title, turn in (("Best", best), ("Worst", worst)) if turn is not None]
        content = tuple(
            (title, turn.index, mean_score(turn.feedback.scores), turn.feedback.transcript) for title, turn in moments
        )
        if not self._changed("moments", content):
            return False
        while self.moments.count():
            self.moments.takeAt(0).widget().deleteLater()
        for row, (title, turn) in enumerate(moments):
            score = mean_score(turn.feedback.scores)
            said = html.escape(textwrap.shorten(turn.feedback.transcript, QUOTE_CHARS, placeholder=" …"))
            text = QLabel(f"<b>{title}: turn {turn.index}</b> ({score:.0f})<br>“{said}”")
            text.setToolTip(turn.feedback.transcript)
            text.setWordWrap(True)
            button = QPushButton("Replay")
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"Open turn {turn.index} in replay")
            button.clicked.connect(lambda _=False, index=turn.index: self.open_replay.emit(self.session_id, index))
            self.moments.addWidget(text, row, 0)
            self.moments.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
        if not moments:
            self.moments.addWidget(QLabel("No turn was scored."), 0, 0)
        return True

    def _show_recommendation(self, rec) -> None:
        self.recommendation = rec
        self.next_label.setText(f"<b>{rec.title}</b> at difficulty {rec.difficulty}")
        self.next_reason.setText(rec.reason)
        self.next_button.setEnabled(True)
