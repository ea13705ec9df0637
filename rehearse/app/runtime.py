"""What the commands share: loading the models and the store with options from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from rehearse.models.registry import DEFAULT_VOICE, DEFAULT_WHISPER


def add_model_options(parser: argparse.ArgumentParser, tts: bool = True) -> None:
    parser.add_argument(
        "--model",
        default=DEFAULT_WHISPER,
        help="Whisper model: tiny.en (default), base, auto (the most accurate that keeps live feedback in time: "
        "base on a GPU, tiny.en on a CPU), a model folder, or a cached hub name",
    )
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="where models run")
    if tts:
        parser.add_argument("--voice", default=None, help=f"Piper voice: {DEFAULT_VOICE} or a path to a .onnx voice")


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="where sessions are saved (default: user data folder)"
    )
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in the data folder)")


def load_stt(args: argparse.Namespace):
    from rehearse.models.stt import SpeechToText

    return SpeechToText(args.model, device=args.device)


def load_tts(voice: str | None):
    from rehearse.models.tts import TextToSpeech

    return TextToSpeech(voice or DEFAULT_VOICE)


def open_store(args: argparse.Namespace):
    from rehearse.store import SessionStore

    if args.db:
        check_db_url(args.db)
    return SessionStore(url=args.db, folder=args.data_dir)


def check_db_url(url: str) -> None:
    """Raise `UserError` unless `url` is a database URL whose dialect and driver are installed (before any
    model loads, and instead of SQLAlchemy's tracebacks)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from rehearse.app.errors import UserError
    from rehearse.store.db import database_url

    hint = "or leave --db out to keep sessions in SQLite in the data folder"
    try:
        parsed = make_url(database_url(url))
    except (ArgumentError, ValueError):
        shown = url if "@" not in url else "the value given"
        raise UserError(
            f"--db: {shown!r} is not a database URL; give one like sqlite:////path/to/rehearse.db or "
            f"postgresql+psycopg://user@host/name, {hint}"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        raise UserError(
            f"--db {shown}: unknown kind of database '{parsed.drivername}'; use sqlite:// or "
            f"postgresql+psycopg://, {hint}"
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        driver = exc.name or parsed.get_driver_name()
        raise UserError(
            f"--db {shown}: its Python database driver (the module {driver}) is not installed; install it, {hint}"
        ) from None


def scenario(options):
    """The scenario that `options` name, at their difficulty (raises a user error when it is not found)."""
    from rehearse.app.engine import load_scenario

    return load_scenario(options.scenario, options.difficulty)
