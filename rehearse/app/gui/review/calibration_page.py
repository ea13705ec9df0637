"""Calibration: how far the coach's scores agree with the trainers' ratings, per dimension (rank and linear
correlation, mean absolute difference, bias), and the turns where they disagree most, each a link into replay.
The statistics are `store.calibration`'s; this page only shows them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks, theme
from rehearse.app.gui.review.data import CalibrationView, Reviewer, calibration
from rehearse.app.gui.widgets import label

AGREEMENT_COLUMNS = ("Dimension", "Rated turns", "Spearman", "Pearson", "Mean |diff|", "Bias")
DISAGREEMENT_COLUMNS = ("Session", "Learner", "Turn", "Dimension", "Trainer", "Rating", "Coach", "Difference")


class CalibrationPage(QWidget):
    shown = Signal()
    open_turn = Signal(str, int)
    """Session id and turn index to replay."""

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.reviewer = Reviewer("learner")
        self.calibration = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 12)
        outer.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(label("Calibration", "title"), 1)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        top.addWidget(refresh)
        outer.addLayout(top)
        self.scope = label("", "muted", wrap=True)
        outer.addWidget(self.scope)
        outer.addWidget(label("Agreement per dimension", "heading"))
        self.agreement = _table(AGREEMENT_COLUMNS)
        outer.addWidget(self.agreement)
        outer.addWidget(
            label(
                "Spearman: do coach and trainer order the turns alike (1 = same order). Mean |diff|: how far apart the "
                "scores are on 0–100. Bias: trainer minus coach (positive: the coach scores lower).",
                "muted",
                wrap=True,
            )
        )
        outer.addWidget(label("Where they disagree most (double-click to replay the turn)", "heading"))
        self.disagreements = _table(DISAGREEMENT_COLUMNS)
        self.disagreements.cellDoubleClicked.connect(self._replay)
        outer.addWidget(self.disagreements)
        outer.addStretch(1)

    def set_reviewer(self, reviewer: Reviewer) -> None:
        self.reviewer = reviewer
        if self.isVisible():
            self.refresh()

    def entered(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        tasks.run_in_background(calibration, self.reviewer, on_done=self._show, on_error=self._failed, parent=self)

    def _show(self, found: CalibrationView) -> None:
        result = found.calibration
        self.calibration = result
        team = f"team {found.team}" if found.team else "every team"
        pairs = sum(a.n for a in result.dimensions)
        self.scope.setText(
            f"Ratings of the learners of {team}: {pairs} rated turn-dimension pair{'s' if pairs != 1 else ''}, "
            "each trainer's latest rating against the coach's score."
            if result.dimensions
            else "No rated turns yet: rate turns in Replay (Review tab), then come back here."
        )
        self.agreement.setRowCount(len(result.dimensions))
        for row, a in enumerate(result.dimensions):
            cells = (
                a.dimension + (f"  ({a.unscored} not scored by the coach)" if a.unscored else ""),
                str(a.n),
                _number(a.spearman, 2),
                _number(a.pearson, 2),
                _number(a.mean_abs_difference, 1),
                _number(a.bias, 1, sign=True),
            )
            _fill(self.agreement, row, cells)
            if a.spearman is not None:
                self.agreement.item(row, 2).setForeground(theme.score_color(100 * max(a.spearman, 0.0)))
        _fit_rows(self.agreement)
        self.disagreements.setRowCount(len(result.most_disagreed))
        for row, p in enumerate(result.most_disagreed):
            cells = (
                found.sessions.get(p.session_id, p.session_id[:8]),
                p.learner,
                f"{p.index}" + (f" (take {p.take})" if p.take > 1 else ""),
                p.dimension,
                p.trainer,
                f"{p.rating:.0f}",
                f"{p.automatic:.0f}",
                f"{p.difference:+.0f}",
            )
            _fill(self.disagreements, row, cells)
            self.disagreements.item(row, 0).setData(Qt.ItemDataRole.UserRole, (p.session_id, p.index))
            self.disagreements.item(row, 0).setToolTip(f"Session {p.session_id}: double-click to replay this turn")
        _fit_rows(self.disagreements)
        self.shown.emit()

    def _replay(self, row: int, _column: int) -> None:
        item = self.disagreements.item(row, 0)
        found = item.data(Qt.ItemDataRole.UserRole) if item else None
        if found:
            self.open_turn.emit(found[0], int(found[1]))

    def _failed(self, exc: BaseException) -> None:
        self.scope.setText(f"Could not compute the calibration: {exc}")
        self.window_.status(f"Calibration: {exc}", 15000)


def _table(columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the names; numbers stay by their headers
    table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
    return table


def _fit_rows(table: QTableWidget) -> None:
    """As tall as its rows (at least one), so that the page does not show an empty grid."""
    rows = sum(table.rowHeight(r) for r in range(table.rowCount())) or table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth())


def _fill(table: QTableWidget, row: int, cells) -> None:
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if column > 0 and text[:1] in "+-0123456789–":
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, column, item)


def _number(value: float | None, digits: int, sign: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
