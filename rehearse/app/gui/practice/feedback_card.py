"""The feedback after each turn: scores, tone, moves with their words marked, the tip, the reply's
pitch and loudness with the evidence marked, and why the customer reacted as they did.

A card is built from the turn's record (`TurnResult.to_dict()`, the same JSON the store keeps), so
it shows exactly what was saved. Two takes of one turn are shown side by side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGraphicsRectItem,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks, theme
from rehearse.app.gui.practice.view_model import DIMENSIONS, evidence_spans, highlighted_html
from rehearse.app.gui.widgets import cache_axis
from rehearse.app.turn_timing import timing_sentences

_LOGGER = logging.getLogger(__name__)

GOOD_MOVES = {"acknowledge", "apologize", "own", "reassure", "explain", "next_step", "ask", "use_name"}
SPARE_PLOTS = 2
"""Reply plots kept built ahead: a turn's two takes side by side."""
SPARE_GAP_MS = 600
"""The spares are built this long apart, the first this long after the customer starts speaking (after the
verdict's card is drawn)."""
PLOT_AFTER_MS = 40
"""A card's reply plot is first painted this long after the card (its axes' first paint and the card's layout
and text in one turn of the event loop held the GUI thread 50-62 ms as a verdict arrived, 2-core CPU)."""
MEASURE_AFTER_MS = 300
"""A card's reply is read and tracked (store queries and pitch tracking on a worker thread, Python code that
competes for the GIL) this long after the card is put in place, once it is laid out and painted."""
SHADE_REACH = 1e4
"""A shaded span reaches this far above and below zero: past any pitch (Hz) or level (dB) shown."""
EVIDENCE_TINTS = {"good": "rgba(46,157,91,0.32)", "poor": "rgba(210,72,60,0.32)", "tone": "rgba(217,154,30,0.35)"}


@dataclass(frozen=True)
class ReplyTrack:
    """Pitch and loudness of a saved reply, frame by frame."""

    times: np.ndarray
    f0_hz: np.ndarray
    level_db: np.ndarray


def load_reply_track(store_url: str | None, store_folder, session_id: str, index: int, take: int) -> ReplyTrack | None:
    """Read the turn's learner audio (16 kHz) from the store and track it (runs off the GUI thread)."""
    from rehearse.audio import prosody
    from rehearse.store import SessionStore

    store = SessionStore(url=store_url, folder=store_folder)
    rows = [r for r in store.turns(session_id, every_take=True) if r["index"] == index]
    rows = [r for r in rows if r.get("take", 1) == take] or rows
    found = store.audio(rows[-1], "learner") if rows else None
    if found is None or found[1] != prosody.SAMPLE_RATE or found[0].size < prosody.FRAME:
        return None
    track = prosody.track(found[0])
    return ReplyTrack(track.times, track.f0_hz, track.level_db)


def _tint(name: str, labels: set[str]) -> str:
    if name in labels:
        return EVIDENCE_TINTS["tone"]
    return EVIDENCE_TINTS["good" if name in GOOD_MOVES else "poor"]


def _chip(text: str, color: QColor, tooltip: str = "") -> QLabel:
    chip = QLabel(text)
    chip.setStyleSheet(theme.chip_style(color))
    chip.setToolTip(tooltip)
    return chip


def _chips(items: list[tuple[str, QColor, str]]) -> QLabel:
    """Chips that wrap like words: (text, colour, tooltip)."""
    html = "&nbsp; ".join(
        f'<span style="background-color:{color.name()}; color:white; font-weight:600">&nbsp;{text}&nbsp;</span>'
        for text, color, _tip in items
    )
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setToolTip("\n".join(f"{text}: {tip}" for text, _color, tip in items if tip))
    return label


def why_text(branch: dict | None, next_line: str | None) -> str:
    """Why the customer reacted as they did, in one short paragraph."""
    if not branch:
        return ""
    before, after = branch.get("mood_before"), branch.get("mood_after")
    change = (
        "" if before is None or after is None else (f"Mood {before:.2f} → {after:.2f} ({_direction(before, after)}). ")
    )
    facts = f" ({branch['facts']})" if branch.get("facts") else ""
    said = f" Next they said: “{next_line}”" if next_line else ""
    return f"{change}Because {branch.get('condition', 'otherwise')}{facts}.{said}"


class ReplyPlot(pg.GraphicsLayoutWidget):
    """A small pitch and loudness plot of the reply, with the tone labels' seconds shaded (`show_spans`).

    Two bare view boxes with their axes rather than pyqtgraph's PlotItem, which builds its context-menu UI
    even with the menu off: 16-18 ms of GUI thread against 46-75 ms for two PlotItems (offscreen, median of
    10). Still too long when a verdict arrives while the learner speaks, so `FeedbackPanel` keeps spares,
    built while the customer speaks."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFixedHeight(130)
        self.setBackground(theme.color("base"))
        self.pitch_view, self.pitch_axis = self._view(0, "Hz")
        self.level_view, self.level_axis = self._view(1, "dB", seconds=True)
        self.level_view.setXLink(self.pitch_view)
        self.curves: dict[str, pg.PlotCurveItem] = {}
        """"pitch" and "level" once the track arrived."""
        self.measured = False
        """True once the reply's track arrived (or was found missing)."""
        self.status = pg.TextItem("measuring…", color=theme.color("muted"))
        self.pitch_view.addItem(self.status)

    def _view(self, row: int, label: str, seconds: bool = False) -> tuple[pg.ViewBox, pg.AxisItem]:
        """A view box at `row` with its left axis (labelled); with `seconds`, a time axis below it (the two
        views share their x range, so one time axis serves both)."""
        view = self.addViewBox(row=row, col=1, enableMenu=False)
        view.setMouseEnabled(False, False)
        view.disableAutoRange()
        axes = [pg.AxisItem("left", linkView=view)]
        axes[0].setWidth(36)
        axes[0].setLabel(label)
        self.addItem(axes[0], row=row, col=0)
        if seconds:
            axes.append(pg.AxisItem("bottom", linkView=view))
            self.addItem(axes[1], row=row + 1, col=1)
        for axis in axes:
            axis.setTextPen(theme.color("muted"))
            axis.setPen(theme.color("muted"))
            cache_axis(axis)
        return view, axes[0]

    def show_spans(self, spans: list[tuple[str, float, float]]) -> None:
        """Shade the seconds of each (name, start, end), full height: plain rectangles (a pyqtgraph
        LinearRegionItem, with its two draggable lines, cost the GUI thread ~2.5 ms each as a verdict arrived)."""
        brush, pen = QColor(217, 154, 30, 70), pg.mkPen(QColor(217, 154, 30, 160))
        for view in (self.pitch_view, self.level_view):
            for name, start, end in spans:
                region = QGraphicsRectItem(start, -SHADE_REACH, end - start, 2 * SHADE_REACH)
                region.setBrush(brush)
                region.setPen(pen)
                region.setToolTip(name)
                view.addItem(region, ignoreBounds=True)

    def show_error(self, exc: Exception) -> None:
        self.measured = True
        self.status.setText(f"could not measure the reply: {exc}")

    def show_track(self, track: ReplyTrack | None) -> None:
        self.measured = True
        if track is None:
            self.status.setText("no recording of this reply")
            return
        self.pitch_view.removeItem(self.status)
        learner = theme.SPEAKER_COLORS["learner"]
        self.curves["pitch"] = pg.PlotCurveItem(
            track.times, track.f0_hz, pen=pg.mkPen(learner, width=2), connect="finite"
        )
        self.curves["level"] = pg.PlotCurveItem(
            track.times, np.maximum(track.level_db, -60), pen=pg.mkPen(learner, width=1)
        )
        self.pitch_view.addItem(self.curves["pitch"])
        self.level_view.addItem(self.curves["level"])
        voiced = track.f0_hz[np.isfinite(track.f0_hz)]
        low, high = (float(voiced.min()) - 20, float(voiced.max()) + 20) if voiced.size else (60.0, 400.0)
        self.pitch_view.setYRange(max(50.0, low), high)  # Python floats: a float32 range overflows pyqtgraph's limits
        self.level_view.setYRange(-60, 0)
        # two labelled ticks per small axis: four crowded labels overlapped each other
        self.pitch_axis.setTicks([[(v, f"{v:.0f}") for v in (10 * round(low / 10 + 0.5), 10 * round(high / 10 - 0.5))]])
        self.level_axis.setTicks([[(-60, "-60"), (0, "0")]])
        self.pitch_view.setXRange(0, float(track.times[-1]) if track.times.size else 1.0)


class FeedbackCard(QFrame):
    """The verdict on one take of one turn."""

    def __init__(
        self,
        record: dict,
        take: int = 1,
        compact: bool = False,
        parent: QWidget | None = None,
        reply_plot: Callable[[], ReplyPlot] = ReplyPlot,
    ):
        """`compact`: two takes side by side (scores in two rows of two); `reply_plot()` gives an empty plot."""
        super().__init__(parent)
        self.compact = compact
        self.record = record
        self.score_chips: dict[str, QLabel] = {}
        self.setObjectName("card")
        self.plot: ReplyPlot | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        heading = QLabel(f"Turn {record.get('turn', '?')}" + (f" · take {take}" if take > 1 else ""))
        heading.setObjectName("heading")
        layout.addWidget(heading)
        layout.addLayout(self._scores())
        evidence = record.get("evidence") or {}
        labels = record.get("labels") or []
        if labels:
            layout.addWidget(
                _chips([(name, QColor("#8a6d1f"), evidence.get(name, {}).get("why", "")) for name in labels])
            )
        moves = record.get("moves") or []
        if moves:
            layout.addWidget(
                _chips(
                    [
                        (
                            m.replace("_", " "),
                            theme.score_color(80 if m in GOOD_MOVES else 20),
                            str(evidence.get(m, "")),
                        )
                        for m in moves
                    ]
                )
            )
        self.transcript = QLabel()
        self.transcript.setWordWrap(True)
        self.transcript.setTextFormat(Qt.TextFormat.RichText)
        self.transcript.setText(self._transcript_html())
        layout.addWidget(self.transcript)
        if record.get("tip"):
            tip = QLabel(f"<b>Tip:</b> {record['tip']}")
            tip.setWordWrap(True)
            layout.addWidget(tip)
        not_judged = record.get("not_judged") or []
        if not_judged:
            note = QLabel("Not judged: " + "; ".join(not_judged))
            note.setObjectName("muted")
            note.setWordWrap(True)
            layout.addWidget(note)
        if record.get("duration_s"):
            spans = [
                (name, a, b)
                for name, item in (record.get("evidence") or {}).items()
                if isinstance(item, dict)
                for a, b in item.get("seconds", [])
            ]
            self.plot = reply_plot()
            self.plot.show_spans(spans)
            layout.addWidget(self.plot)
        timing = timing_sentences(record.get("timing"))
        if timing:
            heard = QLabel(timing)
            heard.setObjectName("muted")
            heard.setWordWrap(True)
            layout.addWidget(heard)
        why = QLabel(why_text(record.get("branch"), record.get("next_line")))
        why.setWordWrap(True)
        why.setObjectName("muted")
        why.setToolTip((record.get("branch") or {}).get("why", ""))
        layout.addWidget(why)

    def _scores(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        scores = self.record.get("scores") or {}
        reasons = "; ".join(self.record.get("not_judged") or []) or "not enough to judge"
        for column, dim in enumerate(DIMENSIONS):
            value = scores.get(dim)
            name = QLabel(dim)
            name.setObjectName("muted")
            text = "not judged" if value is None else f"{value:.0f}"
            chip = _chip(text, theme.score_color(value), reasons if value is None else f"{dim}: {value:.0f} / 100")
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.score_chips[dim] = chip
            row, column = (2 * (column // 2), column % 2) if self.compact else (0, column)
            grid.addWidget(name, row, column)
            grid.addWidget(chip, row + 1, column)
        return grid

    def _transcript_html(self) -> str:
        text = self.record.get("transcript") or ""
        if not text:
            return "<i>(nothing was said)</i>"
        evidence = self.record.get("evidence") or {}
        labels = set(self.record.get("labels") or [])
        colors = {name: _tint(name, labels) for name in evidence}
        return "“" + highlighted_html(text, evidence_spans(text, evidence), colors) + "”"


class FeedbackPanel(QWidget):
    """The cards of the session: the newest turn shown, earlier turns a click away, takes side by side."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.takes: dict[int, list] = {}
        self.session_id: str | None = None
        self.options = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        title = QLabel("Feedback")
        title.setObjectName("heading")
        header.addWidget(title)
        self.turn_buttons = QHBoxLayout()
        self.turn_buttons.setSpacing(2)
        header.addLayout(self.turn_buttons)
        header.addStretch(1)
        layout.addLayout(header)
        self.note_label = QLabel("The feedback on each reply appears here as soon as it is judged.")
        self.note_label.setObjectName("muted")
        self.note_label.setWordWrap(True)
        layout.addWidget(self.note_label)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.scroll, 1)
        self.group = QButtonGroup(self)
        self.group.idClicked.connect(self.select)
        self.shown: int | None = None
        self.cards: list[FeedbackCard] = []
        self._spares: list[ReplyPlot] = []
        self._placing: QWidget | None = None
        """The cards built for the scroll area, until they are put in it."""

    def clear(self) -> None:
        self.takes.clear()
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.deleteLater()
        self.scroll.takeWidget()
        self._placing = None
        self.cards = []
        self.shown = None
        self.note_label.setText("The feedback on each reply appears here as soon as it is judged.")

    def prepare(self) -> None:
        """Build the spare reply plots, one per turn of the event loop (call it while the customer speaks:
        the learner is listening, no live trace is drawn)."""
        if len(self._spares) < SPARE_PLOTS:
            QTimer.singleShot(SPARE_GAP_MS, self, self._add_spare)

    def _add_spare(self) -> None:
        if len(self._spares) < SPARE_PLOTS:
            self._spares.append(ReplyPlot())
            self.prepare()

    def _reply_plot(self) -> ReplyPlot:
        return self._spares.pop() if self._spares else ReplyPlot()

    def note(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.show()

    def show_turn(self, turn, takes: list, session_id: str | None, options) -> None:
        """A turn was judged: keep its takes and show it."""
        self.session_id, self.options = session_id, options
        self.note_label.hide()
        if turn.index not in self.takes:
            button = QPushButton(str(turn.index))
            button.setCheckable(True)
            button.setFixedWidth(32)
            button.setToolTip(f"Show turn {turn.index}")
            self.group.addButton(button, turn.index)
            self.turn_buttons.addWidget(button)
        self.takes[turn.index] = list(takes)
        self.select(turn.index)

    def select(self, index: int) -> None:
        self.shown = index
        self.group.button(index).setChecked(True)
        takes = self.takes[index][-2:]
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 4, 0)
        row.setSpacing(8)
        self.cards = []
        for result in takes:
            card = FeedbackCard(result.to_dict(), result.take, compact=len(takes) > 1, reply_plot=self._reply_plot)
            card.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
            column = QVBoxLayout()
            column.addWidget(card)
            column.addStretch(1)
            row.addLayout(column, 1)
            self.cards.append(card)
        # put in place on the next turn of the event loop, then laid out and painted: building, placing and painting
        # a card at once held the GUI thread ~40-55 ms (2-core CPU) as a verdict arrived
        self._placing = holder
        cards = list(zip(self.cards, takes, strict=True))
        QTimer.singleShot(1, self, lambda: self._place(holder, cards))  # a timer: 0 ms would post an event

    def _place(self, holder: QWidget, cards: list) -> None:
        if holder is self._placing:  # not replaced by a later selection meanwhile
            self._placing = None
            for card, _ in cards:
                if card.plot is not None:  # its room is kept; it is painted on a later turn of the event loop
                    policy = card.plot.sizePolicy()
                    policy.setRetainSizeWhenHidden(True)
                    card.plot.setSizePolicy(policy)
                    card.plot.hide()
                    QTimer.singleShot(PLOT_AFTER_MS, card.plot, card.plot.show)
            self.scroll.setWidget(holder)
            for card, result in cards:
                QTimer.singleShot(MEASURE_AFTER_MS, card, lambda card=card, result=result: self._measure(card, result))

    def _measure(self, card: FeedbackCard, result) -> None:
        if card.plot is None or self.session_id is None or self.options is None:
            return
        tasks.run_in_background(
            load_reply_track,
            self.options.db_url,
            self.options.data_dir,
            self.session_id,
            result.index,
            result.take,
            on_done=card.plot.show_track,
            on_error=lambda exc: card.plot.show_error(exc),
            parent=card.plot,
        )


def _direction(before: float, after: float) -> str:
    """How the customer's mood moved, in words."""
    if after < before - 0.01:
        return "calmer"
    return "angrier" if after > before + 0.01 else "no change"
