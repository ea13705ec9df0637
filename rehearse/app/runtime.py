"""What the commands share: loading the models and the store with options from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from rehearse.models.registry import DEFAULT_VOICE, DEFAULT_WHISPER


def add_model_options(parser: argparse.ArgumentParser, tts: bool = True) -> None:
    parser.add_argument("--model", default=DEFAULT_WHISPER,
                        help="Whisper model: tiny.en (default), base, a model folder, or a cached hub name")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"), help="where models run")
    if tts:
        parser.add_argument("--voice", default=None, help=f"Piper voice: {DEFAULT_VOICE} or a path to a .onnx voice")


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None, help="where sessions are saved (default: user data folder)")
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in the data folder)")


def load_stt(args: argparse.Namespace):
    from rehearse.models.stt import SpeechToText

    return SpeechToText(args.model, device=args.device)


def load_tts(voice: str | None):
    from rehearse.models.tts import TextToSpeech

    return TextToSpeech(voice or DEFAULT_VOICE)


def open_store(args: argparse.Namespace):
    from rehearse.store import SessionStore

    return SessionStore(url=args.db, folder=args.data_dir)



def scenario(options):
    """The scenario that `options` name, at their difficulty (raises a user error when it is not found)."""
    from rehearse.app.engine import load_scenario

    return load_scenario(options.scenario, options.difficulty)
