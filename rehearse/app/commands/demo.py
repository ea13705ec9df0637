"""`rehearse demo`: the whole loop with a synthesized learner, no microphone needed.

The learner gives one good reply and one poor one; the demo shows the scores and the branches they
cause, plays the conversation through the default output device, or writes it to a WAV file. It runs
through the same engine as every practice session.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np

from rehearse.app import events, runtime
from rehearse.constants import SAMPLE_RATE

_LOGGER = logging.getLogger(__name__)

GOOD_REPLY = (
    "I'm really sorry, I can hear how frustrating this is, and a third call is not okay. "
    "I'll take care of this myself and I'll book a technician for tomorrow morning."
)
POOR_REPLY = "Calm down. You should have restarted the router like we told you."
PAUSE_S = 0.6


def add_parser(sub) -> None:
    parser = sub.add_parser("demo", help="hear a practice call with a synthesized learner")
    parser.add_argument(
        "--out", type=Path, default=None, help="write the conversation to this WAV file instead of playing it"
    )
    parser.add_argument("--seed", type=int, default=0)
    runtime.add_model_options(parser)
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def _output_device() -> str | None:
    """Name of the default output device, or None when there is none."""
    try:
        import sounddevice as sd

        return sd.query_devices(kind="output")["name"]
    except Exception as exc:  # PortAudio missing, no server, no device: all mean "no speaker"
        _LOGGER.debug("no output device: %s", exc)
        return None


class Conversation:
    """Hears the demo as it goes: plays each voice (or keeps it for the WAV) and says which reply is which."""

    def __init__(self, device: str | None):
        self.device = device
        self.pieces: list[tuple[np.ndarray, int]] = []
        self.labels = ["a good reply", "a poor reply"]

    def __call__(self, event: events.Event) -> None:
        match event:
            case events.CustomerLine(audio=audio, sample_rate=rate) if audio is not None:
                self.hear(audio, rate)
            case events.ReplyReceived(audio=audio) if audio is not None:
                self.hear(audio, SAMPLE_RATE)
                if self.labels:
                    print(f"  The learner gives {self.labels.pop(0)}:", flush=True)

    def hear(self, audio: np.ndarray, rate: int) -> None:
        if self.device:
            import sounddevice as sd

            sd.play(audio, rate, blocking=True)
        self.pieces.append((audio, rate))

    def write(self, path: Path, rate: int) -> float:
        import soundfile as sf
        import soxr

        pause = np.zeros(int(PAUSE_S * rate), dtype=np.float32)
        parts = []
        for audio, source_rate in self.pieces:
            parts += [audio if source_rate == rate else soxr.resample(audio, source_rate, rate), pause]
        joined = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), joined, rate, subtype="PCM_16")
        return joined.size / rate


def run(args) -> int:
    from rehearse.app.engine import build_engine
    from rehearse.app.live.console import Printer, run_in_terminal
    from rehearse.app.options import PracticeOptions
    from rehearse.app.replies import DemoLearner

    options = PracticeOptions(
        scenario="internet-outage",
        model=args.model,
        device=args.device,
        voice=args.voice,
        data_dir=args.data_dir,
        db_url=args.db,
        learner="demo",
        seed=args.seed,
        rules_only=True,
    )
    engine = build_engine(options, DemoLearner([GOOD_REPLY, POOR_REPLY]), scenario=runtime.scenario(options))
    print(f"Demo: {engine.scenario.title}\n{engine.scenario.context.strip()}")
    device = None if args.out else _output_device()
    heard = Conversation(device)
    engine.subscribe(Printer(engine.scenario.persona.name, as_json=False))
    engine.subscribe(heard)
    run_in_terminal(engine)
    if device is None:
        out = args.out or (engine.store.folder / "demo.wav")
        try:
            seconds = heard.write(out, engine.tts.sample_rate)
        except (OSError, RuntimeError) as exc:
            print(f"rehearse: error: cannot write {out}: {exc}", file=sys.stderr)
            return 2
        reason = "" if args.out else " (no audio output device found)"
        print(f"\nThe conversation ({seconds:.0f} s) is in {out}{reason}.")
    else:
        print(f"\nPlayed through {device}.")
    return 0
