"""Light and dark palettes (following the system unless forced) and the colours every screen shares."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_LOGGER = logging.getLogger(__name__)

SPEAKER_COLORS = {"customer": QColor("#e07b39"), "learner": QColor("#3b82c4")}
"""The customer's voice is orange, the learner's blue, on every screen."""

_GOOD, _FAIR, _POOR, _NONE = QColor("#2e9d5b"), QColor("#d99a1e"), QColor("#d2483c"), QColor("#8a8f98")
_MOODS = (QColor("#2e9d5b"), QColor("#d99a1e"), QColor("#d2483c"))

_LIGHT = {
    "window": "#f4f5f7",
    "base": "#ffffff",
    "alt": "#eceef2",
    "text": "#1d2128",
    "muted": "#5c6370",
    "button": "#e9ebef",
    "highlight": "#3b82c4",
    "border": "#d3d7de",
    "card": "#ffffff",
    "rail": "#e6e9ee",
}
_DARK = {
    "window": "#1e2127",
    "base": "#262a31",
    "alt": "#2c313a",
    "text": "#e6e8eb",
    "muted": "#a0a7b4",
    "button": "#323842",
    "highlight": "#4b94d6",
    "border": "#3c424d",
    "card": "#282c34",
    "rail": "#181b20",
}


def score_color(value: float | None) -> QColor:
    """Green from 70, amber from 45, red below; grey when not judged."""
    if value is None:
        return QColor(_NONE)
    return QColor(_GOOD if value >= 70 else _FAIR if value >= 45 else _POOR)


def mood_color(mood: float | None) -> QColor:
    """Calm (0) green, through amber, to furious (1) red."""
    if mood is None:
        return QColor(_NONE)
    mood = min(1.0, max(0.0, float(mood)))
    low, high, t = (_MOODS[0], _MOODS[1], mood * 2) if mood < 0.5 else (_MOODS[1], _MOODS[2], mood * 2 - 1)
    return QColor.fromRgbF(
        low.redF() + (high.redF() - low.redF()) * t,
        low.greenF() + (high.greenF() - low.greenF()) * t,
        low.blueF() + (high.blueF() - low.blueF()) * t,
    )


class _Theme(QObject):
    """The scheme in use; `changed` fires after the palette switched (pages recolour their plots)."""

    changed = Signal(str)

    def __init__(self):
        super().__init__()
        self.forced: str | None = None
        self.scheme = "light"


_THEME: _Theme | None = None


def current() -> _Theme:
    global _THEME
    if _THEME is None:
        _THEME = _Theme()
    return _THEME


def is_dark() -> bool:
    return current().scheme == "dark"


def color(name: str) -> QColor:
    """A named colour of the scheme in use: window, base, alt, text, muted, button, highlight, border, card, rail."""
    return QColor((_DARK if is_dark() else _LIGHT)[name])


def system_scheme(app: QApplication) -> str:
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


def apply(app: QApplication, scheme: str | None = None) -> None:
    """Use `scheme` ("light"/"dark"), or follow the system when None (and keep following it)."""
    theme = current()
    first = theme.forced is None and not getattr(app, "_rehearse_themed", False)
    theme.forced = scheme
    if first:
        app._rehearse_themed = True
        app.setStyle("Fusion")
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: theme.forced is None and _switch(app, None))
    _switch(app, scheme)


def _switch(app: QApplication, scheme: str | None) -> None:
    theme = current()
    theme.scheme = scheme or system_scheme(app)
    colors = _DARK if theme.scheme == "dark" else _LIGHT
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "window",
        QPalette.ColorRole.Base: "base",
        QPalette.ColorRole.AlternateBase: "alt",
        QPalette.ColorRole.WindowText: "text",
        QPalette.ColorRole.Text: "text",
        QPalette.ColorRole.ButtonText: "text",
        QPalette.ColorRole.Button: "button",
        QPalette.ColorRole.Highlight: "highlight",
        QPalette.ColorRole.ToolTipBase: "card",
        QPalette.ColorRole.ToolTipText: "text",
        QPalette.ColorRole.PlaceholderText: "muted",
        QPalette.ColorRole.Mid: "border",
    }
    for role, name in roles.items():
        palette.setColor(role, QColor(colors[name]))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, QColor(colors["highlight"]))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colors["muted"]))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet(colors))
    try:
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True, background=colors["base"], foreground=colors["muted"])
    except ImportError:  # plots are optional at start-up
        pass
    _LOGGER.debug("theme: %s", theme.scheme)
    theme.changed.emit(theme.scheme)


def stylesheet(c: dict[str, str]) -> str:
    """The few rules a palette cannot express: cards, the navigation rail, chips."""
    return f"""
    QWidget#rail {{ background: {c["rail"]}; }}
    QPushButton#railButton {{ text-align: left; padding: 10px 14px; border: none; border-radius: 6px;
        font-size: 11pt; color: {c["text"]}; background: transparent; }}
    QPushButton#railButton:checked {{ background: {c["highlight"]}; color: white; }}
    QPushButton#railButton:hover:!checked {{ background: {c["alt"]}; }}
    QFrame#card {{ background: {c["card"]}; border: 1px solid {c["border"]}; border-radius: 8px; }}
    QFrame#invalidCard {{ background: {c["card"]}; border: 1px dashed #d2483c; border-radius: 8px; }}
    QFrame#banner {{ background: {c["alt"]}; border: 1px solid {c["highlight"]}; border-radius: 8px; }}
    QLabel#muted {{ color: {c["muted"]}; }}
    QLabel#title {{ font-size: 15pt; font-weight: 600; }}
    QLabel#heading {{ font-size: 11.5pt; font-weight: 600; }}
    QLabel#chip {{ border-radius: 4px; padding: 1px 6px; color: white; font-weight: 600; }}
    QPushButton#primary {{ background: {c["highlight"]}; color: white; border: none; border-radius: 6px;
        padding: 6px 14px; font-weight: 600; }}
    QPushButton#primary:disabled {{ background: {c["border"]}; color: {c["muted"]}; }}
    QScrollArea {{ border: none; background: transparent; }}
    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 0; }}
    QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 0; }}
    QScrollBar::handle {{ background: {c["border"]}; border-radius: 4px; min-height: 24px; min-width: 24px; }}
    QScrollBar::handle:hover {{ background: {c["muted"]}; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
    QScrollArea > QWidget > QWidget {{ background: transparent; }}
    """


def chip_style(background: QColor) -> str:
    return f"background: {background.name()}; color: white; border-radius: 4px; padding: 1px 6px; font-weight: 600;"
