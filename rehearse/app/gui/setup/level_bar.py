"""A horizontal input level meter: green, amber near the top, red at clipping, with a falling peak mark."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from rehearse.app.gui import theme

FLOOR_DB = -60.0


class LevelBar(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.level_db = FLOOR_DB
        self.peak_db = FLOOR_DB
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_level(self, level_db: float, peak_db: float) -> None:
        self.level_db, self.peak_db = level_db, peak_db
        self.update()

    @staticmethod
    def fraction(db: float) -> float:
        return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(theme.color("border"))
        painter.setBrush(theme.color("alt"))
        painter.drawRoundedRect(rect, 4, 4)
        level = self.fraction(self.level_db)
        color = (
            QColor("#d2483c") if self.level_db > -3 else QColor("#d99a1e") if self.level_db > -12 else QColor("#2e9d5b")
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(rect.x() + 2, rect.y() + 2, (rect.width() - 4) * level, rect.height() - 4), 3, 3)
        painter.setPen(theme.color("text"))
        x = rect.x() + 2 + (rect.width() - 4) * self.fraction(self.peak_db)
        painter.drawLine(int(x), int(rect.top() + 2), int(x), int(rect.bottom() - 2))
        painter.end()
