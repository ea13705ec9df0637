"""The setup page (being built)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class SetupPage(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window_ = window
        QVBoxLayout(self).addWidget(QLabel("SetupPage"))

    def refresh(self) -> None:
        pass

    def start_recommended(self) -> None:
        pass

    def open_session(self, session_id, turn=None) -> None:
        pass
