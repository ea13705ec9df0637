"""The session on a timeline: both voices' waveforms, turn marks, evidence spans, the learner's pitch, a cursor."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from rehearse.app.gui import theme
from rehearse.app.gui.widgets import cache_axes

LANES = {"customer": 1.0, "learner": -1.0}
"""Vertical centre of each voice's waveform."""
COMMENT_COLOR = "#a05fc0"
"""Trainer comments' marks: a purple apart from both voices' colours, readable on light and dark."""


class TimelineView(pg.GraphicsLayoutWidget):
    """Click anywhere to seek; `seek_requested(seconds)` is emitted."""

    seek_requested = Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(220)
        self.waves = self.addPlot(row=0, col=0)
        self.pitch = self.addPlot(row=1, col=0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.pitch.setXLink(self.waves)
        for plot in (self.waves, self.pitch):
            plot.setMouseEnabled(x=True, y=False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            cache_axes(plot)  # the cursor moves 25 times a second during playback
        self.waves.hideAxis("bottom")
        self.waves.getAxis("left").setTicks([[(LANES["customer"], "customer"), (LANES["learner"], "you")]])
        self.waves.setYRange(-2.05, 2.05, padding=0)
        self.pitch.setLabel("left", "pitch", units="Hz")
        self.pitch.setLabel("bottom", "time", units="s")
        self.pitch.getAxis("left").enableAutoSIPrefix(False)
        self.pitch.setYRange(60, 300)
        self._curves = {speaker: (self.waves.plot(), self.waves.plot()) for speaker in LANES}
        self._fills = {}
        self.pitch_curve = self.pitch.plot(connect="finite")
        self.cursors = [pg.InfiniteLine(0, angle=90, movable=False) for _ in range(2)]
        self.waves.addItem(self.cursors[0], ignoreBounds=True)
        self.pitch.addItem(self.cursors[1], ignoreBounds=True)
        self._marks: list = []
        self.comment_marks: list[pg.InfiniteLine] = []
        self.scene().sigMouseClicked.connect(self._clicked)
        theme.current().changed.connect(self.recolor)
        self.recolor()

    def recolor(self, _scheme: str | None = None) -> None:
        self.setBackground(theme.color("base"))
        for plot in (self.waves, self.pitch):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(theme.color("border"))
                plot.getAxis(axis).setTextPen(theme.color("muted"))
        for speaker, (low, high) in self._curves.items():
            pen = pg.mkPen(theme.SPEAKER_COLORS[speaker], width=1)
            low.setPen(pen)
            high.setPen(pen)
            fill = self._fills.get(speaker)
            if fill is not None:
                fill.setBrush(pg.mkBrush(theme.SPEAKER_COLORS[speaker]))
        self.pitch_curve.setPen(pg.mkPen(theme.SPEAKER_COLORS["learner"], width=2))
        for cursor in self.cursors:
            cursor.setPen(pg.mkPen(theme.color("text"), width=1.5))
        for mark in self.comment_marks:
            mark.setPen(pg.mkPen(COMMENT_COLOR, width=2))

    def show_comments(self, marks: list[tuple[float, str]]) -> None:
        """Trainer comments as marks on the waveforms: (seconds on the timeline, the comment shown on hover)."""
        for mark in self.comment_marks:
            self.waves.removeItem(mark)
        self.comment_marks = []
        for seconds, text in marks:
            mark = pg.InfiniteLine(
                seconds,
                angle=90,
                pen=pg.mkPen(COMMENT_COLOR, width=2),
                label="✎",
                labelOpts={"position": 0.04, "color": COMMENT_COLOR},
            )
            mark.setToolTip(text)
            self.waves.addItem(mark, ignoreBounds=True)
            self.comment_marks.append(mark)

    def show_session(self, view) -> None:
        """Waveforms, turn marks and evidence spans of a loaded session (replay.data.SessionView)."""
        for item in self._marks:
            self.waves.removeItem(item)
        self._marks = []
        for speaker, (times, lower, upper) in view.envelopes.items():
            lane = LANES[speaker]
            low, high = self._curves[speaker]
            low.setData(times, lane + 0.95 * lower / _peak(lower, upper))
            high.setData(times, lane + 0.95 * upper / _peak(lower, upper))
            old = self._fills.pop(speaker, None)
            if old is not None:
                self.waves.removeItem(old)
            fill = pg.FillBetweenItem(low, high, brush=pg.mkBrush(theme.SPEAKER_COLORS[speaker]))
            self.waves.addItem(fill)
            self._fills[speaker] = fill
        conversation = view.conversation
        seen = set()
        for segment in conversation.segments:
            if segment.turn in seen:
                continue
            seen.add(segment.turn)
            line = pg.InfiniteLine(
                segment.start, angle=90, pen=pg.mkPen(theme.color("muted"), style=Qt.PenStyle.DashLine)
            )
            text = pg.TextItem(f"Turn {segment.turn}", color=theme.color("muted"), anchor=(0, 0))
            text.setPos(segment.start + 0.1, 2.05)
            for item in (line, text):
                self.waves.addItem(item, ignoreBounds=True)
                self._marks.append(item)
        for rect in evidence_rects(view):
            self.waves.addItem(rect, ignoreBounds=True)
            self._marks.append(rect)
        self.pitch_curve.setData([], [])
        self.show_comments([])
        self.waves.setXRange(0, max(conversation.duration, 1.0), padding=0.01)
        self.waves.setLimits(xMin=0, xMax=max(conversation.duration, 1.0))
        self.pitch.setLimits(xMin=0, xMax=max(conversation.duration, 1.0))

    def show_pitch(self, pitch) -> None:
        self.pitch_curve.setData(pitch.times, pitch.f0_hz, connect="finite")
        voiced = pitch.f0_hz[np.isfinite(pitch.f0_hz)]
        if voiced.size:
            low, high = float(np.percentile(voiced, 2)), float(np.percentile(voiced, 98))
            self.pitch.setYRange(max(50.0, low * 0.85), high * 1.15)

    def set_position(self, seconds: float) -> None:
        for cursor in self.cursors:
            cursor.setValue(seconds)

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        for plot in (self.waves, self.pitch):
            if plot.sceneBoundingRect().contains(event.scenePos()):
                self.seek_requested.emit(max(0.0, plot.vb.mapSceneToView(event.scenePos()).x()))
                return


def _peak(lower: np.ndarray, upper: np.ndarray) -> float:
    return max(float(np.max(np.abs(lower), initial=0)), float(np.max(np.abs(upper), initial=0)), 1e-3)


def evidence_rects(view) -> list[QGraphicsRectItem]:
    """Shaded spans of the learner's lane where a tone label's evidence was heard."""
    rects = []
    starts = {s.turn: s.start for s in view.conversation.segments if s.speaker == "learner"}
    for turn in view.turns:
        start = starts.get(int(turn["index"]))
        if start is None:
            continue
        evidence = (turn["feedback"] or {}).get("evidence") or {}
        for name, item in evidence.items():
            if not isinstance(item, dict):
                continue
            for a, b in item.get("seconds") or []:
                rect = QGraphicsRectItem(start + float(a), -2.0, max(float(b) - float(a), 0.05), 2.0)
                color = QColor(theme.color("highlight"))
                color.setAlpha(50)
                rect.setBrush(QBrush(color))
                rect.setPen(QPen(Qt.PenStyle.NoPen))
                rect.setToolTip(f"{name}: {item.get('why', '')}")
                rects.append(rect)
    return rects
