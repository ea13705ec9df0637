"""The conversation as text: who said what, evidence words marked, the word being played highlighted."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from rehearse.app.gui import theme

_STRIP = " ,.?!;:\"'"


def evidence_phrases(feedback: dict) -> dict[str, str]:
    """Evidence phrase (lower case) -> the move or label it showed."""
    out = {}
    for name, item in ((feedback or {}).get("evidence") or {}).items():
        words = item.get("words") if isinstance(item, dict) else item
        for phrase in re.split(r";\s*", str(words or "")):
            phrase = phrase.strip().strip(".").lower()
            if phrase and "..." not in phrase:
                out.setdefault(phrase, name)
    return out


class TranscriptView(QTextEdit):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self._words: dict[tuple[int, int], tuple[int, int]] = {}
        """(segment number, word index) -> character span in the document."""
        self._current: tuple[int, int] | None = None
        self._view = None
        theme.current().changed.connect(self._theme_changed)

    def _theme_changed(self, _scheme: str) -> None:
        if self._view is not None:
            self.show_session(self._view)

    def show_session(self, view) -> None:
        self._view = view
        self.clear()
        self._words = {}
        self._current = None
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        plain.setForeground(theme.color("text"))
        by_turn = {int(t["index"]): t for t in view.turns}
        last_turn = None
        for number, segment in enumerate(view.conversation.segments):
            if segment.turn != last_turn:
                heading = QTextCharFormat()
                heading.setFontWeight(QFont.Weight.Bold)
                heading.setForeground(theme.color("muted"))
                cursor.insertText(("\n" if last_turn is not None else "") + f"Turn {segment.turn}\n", heading)
                last_turn = segment.turn
            who = QTextCharFormat()
            who.setFontWeight(QFont.Weight.DemiBold)
            who.setForeground(theme.SPEAKER_COLORS[segment.speaker])
            cursor.insertText("Customer: " if segment.speaker == "customer" else "You: ", who)
            phrases = (
                evidence_phrases(by_turn.get(segment.turn, {}).get("feedback")) if segment.speaker == "learner" else {}
            )
            marked = _marked_words(segment.text, phrases)
            for i, word in enumerate(segment.words or [_Word(w) for w in segment.text.split()]):
                form = QTextCharFormat(plain)
                if i in marked:
                    form.setFontUnderline(True)
                    form.setUnderlineColor(theme.color("highlight"))
                    form.setForeground(theme.color("highlight"))
                    form.setToolTip(f"evidence: {marked[i]}")
                start = cursor.position()
                cursor.insertText(word.text, form)
                self._words[(number, i)] = (start, cursor.position())
                cursor.insertText(" ", plain)
            cursor.insertText("\n", plain)
        ending = view.turns[-1].get("next_line") if view.turns else None
        if ending:
            outcome = view.turns[-1].get("outcome")
            form = QTextCharFormat()
            form.setFontItalic(True)
            form.setForeground(theme.color("muted"))
            label = f"Ending ({outcome.replace('_', ' ')})" if outcome else "The customer's next line (not answered)"
            cursor.insertText(f"\n{label}: {ending}\n", form)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def highlight(self, segment_number: int | None, word: int | None) -> None:
        """Mark the word being played (None clears)."""
        key = None if segment_number is None or word is None else (segment_number, word)
        if key == self._current:
            return
        self._current = key
        span = self._words.get(key) if key else None
        if span is None:
            self.setExtraSelections([])
            return
        selection = QTextEdit.ExtraSelection()
        selection.cursor = QTextCursor(self.document())
        selection.cursor.setPosition(span[0])
        selection.cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        color = QColor(theme.color("highlight"))
        selection.format.setBackground(color)
        selection.format.setForeground(QColor("#ffffff"))
        self.setExtraSelections([selection])
        visible = QTextCursor(self.document())
        visible.setPosition(span[0])
        self.setTextCursor(visible)
        self.ensureCursorVisible()

    def highlighted_text(self) -> str | None:
        """The highlighted word (for tests and accessibility)."""
        selections = self.extraSelections()
        return selections[0].cursor.selectedText() if selections else None


class _Word:
    def __init__(self, text: str):
        self.text = text


def _marked_words(text: str, phrases: dict[str, str]) -> dict[int, str]:
    """Indexes of the words (split on spaces) that belong to an evidence phrase -> its name."""
    words = [w.strip(_STRIP).lower() for w in text.split()]
    out: dict[int, str] = {}
    for phrase, name in phrases.items():
        target = [w.strip(_STRIP) for w in phrase.split()]
        for i in range(len(words) - len(target) + 1):
            if words[i : i + len(target)] == target:
                out.update({j: name for j in range(i, i + len(target))})
    return out
