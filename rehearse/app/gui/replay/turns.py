"""One card per turn: the scores, tone labels, moves with their evidence, the tip, why the customer reacted,
and any earlier takes of the turn beside the one kept."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from rehearse.app.gui import theme
from rehearse.app.gui.widgets import card, chip, label, score_chips
from rehearse.app.turn_timing import timing_sentences


def take_column(turn: dict, title: str, narrow: bool = False) -> QWidget:
    """What one take of a turn said and how it was judged."""
    feedback = turn.get("feedback") or {}
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(label(title, "muted"))
    said = turn.get("transcript") or ""
    layout.addWidget(label(f"“{said}”" if said else "(no answer)", wrap=True, selectable=True))
    if feedback.get("judged", True) is False or not feedback.get("scores"):
        why = "; ".join(feedback.get("not_judged") or []) or "not judged"
        layout.addWidget(label(why, "muted", wrap=True))
        return column
    layout.addWidget(score_chips(feedback.get("scores") or {}, columns=2 if narrow else 4))
    labels = feedback.get("labels") or []
    if labels:
        row = QHBoxLayout()
        row.setSpacing(4)
        for name in labels:
            why = (feedback.get("evidence") or {}).get(name) or {}
            widget = chip(name, theme.color("highlight"))
            if isinstance(why, dict):
                widget.setToolTip(why.get("why", ""))
            row.addWidget(widget)
        row.addStretch(1)
        layout.addLayout(row)
    moves = feedback.get("moves") or []
    evidence = feedback.get("evidence") or {}
    if moves:
        parts = [
            f"<b>{html.escape(m.replace('_', ' '))}</b>"
            + (f" “{html.escape(str(evidence[m]))}”" if isinstance(evidence.get(m), str) else "")
            for m in moves
        ]
        layout.addWidget(label("Moves: " + ", ".join(parts), wrap=True))
    if feedback.get("tip"):
        layout.addWidget(label(f"Tip: {feedback['tip']}", wrap=True))
    timing = timing_sentences(feedback.get("timing"))
    if timing:
        layout.addWidget(label(timing, "muted", wrap=True))
    layout.addStretch(1)
    return column


class TurnCard(QWidget):
    """A turn of the active path; `jump(turn)` asks the page to play from it."""

    jump = Signal(int)

    def __init__(self, turn: dict, earlier: list[dict], parent=None):
        super().__init__(parent)
        self.index = int(turn["index"])
        frame, layout = card()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        top = QHBoxLayout()
        take = int(turn.get("take", 1) or 1)
        top.addWidget(label(f"Turn {self.index}" + (f"  ·  take {take}" if take > 1 else ""), "heading"), 1)
        mood = turn.get("customer_mood")
        if mood is not None:
            top.addWidget(chip(f"customer mood {mood:.2f}", theme.mood_color(mood)))
        button = QPushButton("Play from here")
        button.clicked.connect(lambda: self.jump.emit(self.index))
        top.addWidget(button)
        layout.addLayout(top)
        customer = label(f"Customer: “{turn.get('customer_line', '')}”", "muted", wrap=True, selectable=True)
        layout.addWidget(customer)
        takes = QHBoxLayout()
        takes.setSpacing(14)
        narrow = bool(earlier)  # takes side by side: the score chips in two rows
        takes.addWidget(take_column(turn, "Your reply" + (" (kept)" if earlier else ""), narrow), 1)
        for old in earlier:
            takes.addWidget(take_column(old, f"Earlier take {old.get('take', 1)} (replaced)", narrow), 1)
        layout.addLayout(takes)
        step = turn.get("step") or {}
        if step:
            before, after = step.get("mood_before"), step.get("mood_after")
            mood_text = f"; mood {before:.2f} → {after:.2f}" if before is not None and after is not None else ""
            why = f"Why the customer reacted: {step.get('condition', '?')} → {step.get('goto', '?')}{mood_text}" + (
                f" ({step['facts']})" if step.get("facts") else ""
            )
            reason = label(why, "muted", wrap=True)
            reason.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(reason)
