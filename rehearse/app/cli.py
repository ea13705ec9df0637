"""The `rehearse` command line. Each subcommand lives in `app/commands/<name>.py`.

Errors a user can fix print one line ("rehearse: error: ...") and exit 2; `--debug` shows tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from rehearse import __version__
from rehearse.app.errors import UserError
from rehearse.audio.files import AudioFileError
from rehearse.models.errors import ModelLoadError
from rehearse.scenarios.library import UnknownScenario
from rehearse.scenarios.schema import ScenarioError
from rehearse.store import StoreError

COMMANDS = (
    "app",
    "practice",
    "score",
    "say",
    "demo",
    "replay",
    "scenarios",
    "next",
    "team",
    "calibrate",
    "report",
    "export",
    "import_sessions",
    "import_calls",
    "models",
    "doctor",
)
USER_ERRORS = (AudioFileError, ModelLoadError, ScenarioError, UnknownScenario, StoreError, UserError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rehearse", description="Voice role-play practice for hard conversations.")
    parser.add_argument("--version", action="version", version=f"rehearse {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details and show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"rehearse.app.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:  # plain `rehearse`: the window where there is a display, else a pointer to the demo
        argv = ["app"]
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if getattr(args, "db", None):
            from rehearse.app.runtime import check_db_url

            check_db_url(args.db)
        return int(args.run(args) or 0)
    except USER_ERRORS as exc:
        if args.debug:
            raise
        return _report(str(exc) or type(exc).__name__)
    except Exception as exc:
        reason = _database_url_error(exc)
        if reason is None or args.debug:
            raise
        return _report(reason)
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("rehearse: stopped", file=sys.stderr)
        return 130


def _report(message: str) -> int:
    """Print a user error as one `rehearse: error:` line (further lines of a list indented) and return 2."""
    first, *rest = message.splitlines() or [message]
    print(f"rehearse: error: {first}", file=sys.stderr)
    for line in rest:
        print(f"  {line}", file=sys.stderr)
    return 2


def _database_url_error(exc: Exception) -> str | None:
    """What to tell the user when SQLAlchemy refused a --db URL that got past `check_db_url` (None: not that)."""
    kind = type(exc)
    if kind.__module__.startswith("sqlalchemy") and kind.__name__ in ("ArgumentError", "NoSuchModuleError"):
        return f"cannot use that database URL: {str(exc).splitlines()[0]}; {_DB_HINT}"
    return None


_DB_HINT = "give --db like sqlite:////path/to/rehearse.db or postgresql+psycopg://user@host/name, or leave it out"


def entry() -> None:
    """The `rehearse` program. After Ctrl+C it exits at once: everything is saved by then (the session
    closed and committed, the audio files closed), and skipping the interpreter's teardown keeps native
    model thread pools (CTranslate2, onnxruntime) from aborting the process while they are destroyed."""
    code = main()
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
