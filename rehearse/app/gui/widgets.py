"""Small widgets the pages share: cards, score chips, section headings, a pyqtgraph sparkline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from rehearse.app.gui import theme

DIMENSIONS = ("empathy", "clarity", "pace", "calm")


def card(object_name: str = "card") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(objectName=object_name)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(6)
    return frame, layout


def label(text: str = "", name: str | None = None, wrap: bool = False, selectable: bool = False) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    if selectable:
        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def chip(text: str, background) -> QLabel:
    widget = QLabel(text, objectName="chip")
    widget.setStyleSheet(theme.chip_style(background))
    widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return widget


def score_chips(scores: dict, short: bool = False, columns: int = 4) -> QWidget:
    """One coloured chip per dimension (grey "–" when not judged), in rows of `columns`."""
    row = QWidget()
    layout = QGridLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for i, dim in enumerate(DIMENSIONS):
        value = scores.get(dim)
        name = dim[:3] if short else dim
        text = f"{name} {value:.0f}" if isinstance(value, (int, float)) else f"{name} –"
        widget = chip(text, theme.score_color(value if isinstance(value, (int, float)) else None))
        widget.setToolTip(f"{dim}: {'not judged' if value is None else f'{value:.0f}/100'}")
        layout.addWidget(widget, i // columns, i % columns)
    layout.setColumnStretch(columns, 1)
    return row


class Sparkline(QWidget):
    """A small trend of one score over sessions, with its latest value."""

    def __init__(self, name: str, values: list[float | None], parent: QWidget | None = None):
        super().__init__(parent)
        import pyqtgraph as pg

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        known = [v for v in values if v is not None]
        last = known[-1] if known else None
        caption = label(name, "muted")
        caption.setFixedWidth(58)
        layout.addWidget(caption)
        self.plot = pg.PlotWidget(background=None)
        self.plot.setFixedHeight(34)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setYRange(0, 100, padding=0.08)
        xs = [i for i, v in enumerate(values) if v is not None]
        color = theme.score_color(last)
        self.plot.addItem(pg.InfiniteLine(70, angle=0, pen=pg.mkPen(theme.color("border"), style=Qt.PenStyle.DashLine)))
        self.curve = self.plot.plot(xs, known, pen=pg.mkPen(theme.color("muted"), width=1.5),
                                    symbol="o", symbolSize=5, symbolBrush=color, symbolPen=None)
        if len(xs) > 1:
            self.plot.setXRange(xs[0], xs[-1], padding=0.06)
        layout.addWidget(self.plot, 1)
        value = label("–" if last is None else f"{last:.0f}", "heading")
        value.setFixedWidth(32)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value.setStyleSheet(f"color: {color.name()};")
        layout.addWidget(value)
        self.values = values


def clear(layout) -> None:
    """Remove and delete every item of a layout."""
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().hide()  # not painted again while it waits to be deleted
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear(item.layout())
