"""The Qt window: `main(argv)` opens it. Only this package imports PySide6 and pyqtgraph."""

from __future__ import annotations

import logging
import sys

_LOGGER = logging.getLogger(__name__)

ORGANIZATION, APPLICATION = "Rehearse", "Rehearse"


def main(argv: list[str] | None = None, scheme: str | None = None) -> int:
    """Open the window and run until it is closed. `scheme` forces "light" or "dark" (default: the system's)."""
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    app.setApplicationDisplayName("Rehearse")
    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow

    theme.apply(app, scheme)
    window = MainWindow()
    window.show()
    code = app.exec()
    QSettings().sync()
    window.deleteLater()
    return code
