"""The live instruments: pitch and loudness traces, the words-a-minute gauge, the customer's mood bar."""

from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Property, QEasingCurve, QPropertyAnimation, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from rehearse.app.gui import theme
from rehearse.app.gui.practice.view_model import PACE_BAND, SILENCE_DB, TRACE_S, MeterRing, clean_pitch, with_gaps
from rehearse.app.gui.widgets import cache_axes

_LOGGER = logging.getLogger(__name__)

PITCH_RANGE_HZ = (50.0, 300.0)
"""Speaking voices (a low male voice near 80 Hz is not squashed onto the floor)."""
LEVEL_RANGE_DB = (-60.0, 0.0)


class LivePlot(pg.GraphicsLayoutWidget):
    """Pitch (top) and loudness (bottom) of the last seconds; `refresh()` redraws only when new readings came."""

    def __init__(self, ring: MeterRing, parent: QWidget | None = None):
        super().__init__(parent)
        self.ring = ring
        self.setMinimumHeight(170)
        self.pitch_plot = self._plot("pitch (Hz)", PITCH_RANGE_HZ)
        self.nextRow()
        self.level_plot = self._plot("loudness (dB)", LEVEL_RANGE_DB)
        self.level_plot.setXLink(self.pitch_plot)
        self.level_plot.getAxis("bottom").setLabel("seconds")
        self.pitch_plot.getAxis("bottom").setStyle(showValues=False)
        learner = theme.SPEAKER_COLORS["learner"]
        self.pitch = self.pitch_plot.plot(pen=pg.mkPen(learner, width=2.5), connect="finite")
        self.level = self.level_plot.plot(pen=pg.mkPen(learner, width=1.5), connect="finite")
        self.recolor()
        theme.current().changed.connect(self.recolor)

    def _plot(self, label: str, y_range: tuple[float, float]) -> pg.PlotItem:
        plot = self.addPlot()
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setXRange(-TRACE_S, 0, padding=0)
        plot.setYRange(*y_range, padding=0.02)
        plot.getAxis("left").setLabel(label)
        plot.getAxis("left").setWidth(52)
        plot.showGrid(x=False, y=True, alpha=0.2)
        cache_axes(plot)
        return plot

    def recolor(self, *_scheme) -> None:
        self.setBackground(theme.color("base"))
        for plot in (self.pitch_plot, self.level_plot):
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(theme.color("muted"))
                axis.setTextPen(theme.color("muted"))

    def refresh(self) -> bool:
        """Draw the newest readings (one `setData` per trace); False when there was nothing new.

        The lines break where there is no data (readings missing) or silence (loudness below the floor);
        pitch blips shorter than a few readings are dropped and the rest median-smoothed."""
        data = self.ring.take()
        if data is None:
            return False
        x, f0, level = data
        level = np.where(np.isfinite(level) & (level >= SILENCE_DB), level, np.nan)
        x, f0, level = with_gaps(x, clean_pitch(f0), level)
        self.pitch.setData(x, f0, connect="finite")
        self.level.setData(x, level, connect="finite")
        return True


class WpmGauge(QWidget):
    """Words a minute on a 60-220 scale, with the comfortable band shaded green."""

    LOW, HIGH = 60.0, 220.0

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.wpm: float | None = None
        self.setMinimumHeight(46)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(f"Words a minute; {PACE_BAND[0]:.0f}-{PACE_BAND[1]:.0f} is comfortable on the phone")

    def set_wpm(self, wpm: float | None) -> None:
        self.wpm = wpm
        self.update()

    def _x(self, value: float, bar: QRectF) -> float:
        share = (min(self.HIGH, max(self.LOW, value)) - self.LOW) / (self.HIGH - self.LOW)
        return bar.left() + share * bar.width()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(8, 22, self.width() - 16, 10)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("alt"))
        painter.drawRoundedRect(bar, 5, 5)
        band = QRectF(
            self._x(PACE_BAND[0], bar), bar.top(), self._x(PACE_BAND[1], bar) - self._x(PACE_BAND[0], bar), bar.height()
        )
        painter.setBrush(QColor(46, 157, 91, 110))
        painter.drawRect(band)
        painter.setPen(theme.color("muted"))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        for mark in (PACE_BAND[0], PACE_BAND[1]):
            painter.drawText(
                QRectF(self._x(mark, bar) - 20, bar.bottom() + 1, 40, 14), Qt.AlignmentFlag.AlignCenter, f"{mark:.0f}"
            )
        painter.setPen(theme.color("text"))
        text = "pace: —" if self.wpm is None else f"pace: {self.wpm:.0f} words/min"
        painter.drawText(QRectF(bar.left(), 0, bar.width(), 20), Qt.AlignmentFlag.AlignLeft, text)
        if self.wpm is not None:
            x = self._x(self.wpm, bar)
            inside = PACE_BAND[0] <= self.wpm <= PACE_BAND[1]
            pen = QPen(theme.score_color(80 if inside else 30), 4)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(int(x), int(bar.top() - 4), int(x), int(bar.bottom() + 4))
        painter.end()


class MoodBar(QWidget):
    """The customer's mood from calm (left) to furious (right); the marker glides to each new mood."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._mood = 0.5
        self.known = False
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._animation = QPropertyAnimation(self, b"mood", self)
        self._animation.setDuration(600)
        self._animation.setEasingCurve(QEasingCurve.Type.OutCubic)

    def _get_mood(self) -> float:
        return self._mood

    def _set_mood(self, value: float) -> None:
        self._mood = value
        self.update()

    mood = Property(float, _get_mood, _set_mood)

    def move_to(self, mood: float) -> None:
        if not self.known:
            self.known = True
            self._set_mood(mood)
            return
        self._animation.stop()
        self._animation.setStartValue(self._mood)
        self._animation.setEndValue(float(mood))
        self._animation.start()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(8, 16, self.width() - 16, 10)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for stop in (0.0, 0.5, 1.0):
            gradient.setColorAt(stop, theme.mood_color(stop))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRoundedRect(bar, 5, 5)
        painter.setPen(theme.color("muted"))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        painter.drawText(QRectF(bar.left(), 0, 80, 14), Qt.AlignmentFlag.AlignLeft, "calm")
        painter.drawText(QRectF(bar.right() - 80, 0, 80, 14), Qt.AlignmentFlag.AlignRight, "furious")
        if self.known:
            x = bar.left() + self._mood * bar.width()
            painter.setPen(QPen(theme.color("text"), 2))
            painter.setBrush(theme.mood_color(self._mood))
            painter.drawEllipse(QRectF(x - 8, bar.center().y() - 8, 16, 16))
        painter.end()
