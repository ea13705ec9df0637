"""`rehearse app`: open the desktop window."""

from __future__ import annotations

import os
import sys

NO_DISPLAY = "rehearse: no display here for the window; try `rehearse demo` to hear a practice call in the terminal"


def add_parser(sub) -> None:
    parser = sub.add_parser("app", help="open the desktop window")
    parser.add_argument(
        "--theme",
        choices=("system", "light", "dark"),
        default="system",
        help="colour scheme (default: follow the system)",
    )
    parser.set_defaults(run=run)


def has_display() -> bool:
    """Whether a window can be shown: always on macOS and Windows; on Linux, an X11 or Wayland display
    (or Qt's offscreen platform)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM") == "offscreen"
    )


def run(args) -> int:
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from rehearse.app.gui import main

    return main([], scheme=None if args.theme == "system" else args.theme)
