"""Small widgets the pages share: cards, score chips, section headings, a pyqtgraph sparkline."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import theme

DIMENSIONS = ("empathy", "clarity", "pace", "calm")


def cache_axes(plot) -> None:
    """Draw a pyqtgraph plot's axes from a pixmap, redrawn only when the axis changes. A live trace repaints
    the plot 25 times a second and replaying the axes' tick labels each time cost ~9 ms of the GUI thread
    per frame (measured offscreen at 900x300: 11.7 ms a frame against 2.6 ms cached)."""
    for side in ("left", "bottom", "right", "top"):
        cache_axis(plot.getAxis(side))


def cache_axis(axis) -> None:
    """One axis drawn from a pixmap (see `cache_axes`)."""
    axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


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


class FlowLayout(QLayout):
    """Items left to right, wrapping onto the next row when the width runs out (height follows width)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and row_height > 0:
                x, y, row_height = area.x(), y + row_height + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


def flow_chips(scores: dict, short: bool = False) -> QWidget:
    """One coloured chip per dimension, wrapping onto a second row when the width is short."""
    row = QWidget()
    layout = FlowLayout(row)
    for dim in DIMENSIONS:
        value = scores.get(dim)
        name = dim[:3] if short else dim
        text = f"{name} {value:.0f}" if isinstance(value, (int, float)) else f"{name} –"
        widget = chip(text, theme.score_color(value if isinstance(value, (int, float)) else None))
        widget.setToolTip(f"{dim}: {'not judged' if value is None else f'{value:.0f}/100'}")
        layout.addWidget(widget)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    row.setSizePolicy(policy)
    return row


class Sparkline(QWidget):
    """A small trend of one score over sessions, with its latest value. `set_values` updates it in place."""

    def __init__(self, name: str, values: list[float | None], parent: QWidget | None = None):
        super().__init__(parent)
        import pyqtgraph as pg

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
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
        self._line = pg.InfiniteLine(70, angle=0)
        self.plot.addItem(self._line)
        self.curve = self.plot.plot([], [], symbol="o", symbolSize=5, symbolPen=None)
        layout.addWidget(self.plot, 1)
        self.value = label("–", "heading")
        self.value.setFixedWidth(32)
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.value)
        self.values: list[float | None] = []
        self.set_values(values)

    def set_values(self, values: list[float | None]) -> None:
        import pyqtgraph as pg

        self.values = list(values)
        known = [v for v in values if v is not None]
        xs = [i for i, v in enumerate(values) if v is not None]
        last = known[-1] if known else None
        color = theme.score_color(last)
        self._line.setPen(pg.mkPen(theme.color("border"), style=Qt.PenStyle.DashLine))
        self.curve.setData(xs, known, pen=pg.mkPen(theme.color("muted"), width=1.5), symbolBrush=color)
        if len(xs) > 1:
            self.plot.setXRange(xs[0], xs[-1], padding=0.06)
        self.value.setText("–" if last is None else f"{last:.0f}")
        self.value.setStyleSheet(f"color: {color.name()};")


BANNER_STYLES = {
    "error": ("#fbe3e1", "#5c1611", "#d2483c", "#4a2424", "#ffd9d5", "#e0675c"),
    "device": ("#fff4d1", "#4d3a00", "#e0a800", "#45391a", "#ffe9a8", "#d6a21e"),
    "tip": (None, None, None, None, None, None),
}
"""Kind -> (light background, light text, light border, dark background, dark text, dark border); None: theme."""


class Banner(QFrame):
    """A message across the page: "error" (red: what went wrong and what to do), "device" (yellow: the
    headset went away or came back), or "tip" (a hint in the theme's colours). A close button hides it."""

    def __init__(self, kind: str, parent: QWidget | None = None, closable: bool = True):
        from PySide6.QtWidgets import QToolButton

        super().__init__(parent, objectName="banner")
        self.kind = kind
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 6, 6)
        self.text = label("", wrap=True, selectable=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        row.addWidget(self.text, 1)
        self.close_button = QToolButton(text="✕", autoRaise=True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.dismiss)
        self.close_button.setVisible(closable)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()
        self.restyle()
        theme.current().changed.connect(self.restyle)

    def restyle(self, *_scheme) -> None:
        colors = BANNER_STYLES.get(self.kind, BANNER_STYLES["tip"])
        light = colors[:3]
        background, text, border = colors[3:] if theme.is_dark() else light
        if background is None:
            self.setStyleSheet("")
            return
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 8px; }} QFrame#banner QLabel {{ color: {text}; }}"
        )

    def show_message(self, html_text: str) -> None:
        """Show `html_text` (rich text); "" hides the banner."""
        self.text.setText(html_text)
        self.setVisible(bool(html_text))

    def dismiss(self) -> None:
        self.text.setText("")
        self.hide()


def clear(layout) -> None:
    """Remove and delete every item of a layout."""
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            discard(item.widget())
        elif item.layout() is not None:
            clear(item.layout())


def discard(widget: QWidget) -> None:
    """Hide a widget now (not painted again) and delete it once control returns to the event loop."""
    widget.hide()
    widget.deleteLater()
