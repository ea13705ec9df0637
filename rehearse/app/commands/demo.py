"""`rehearse demo`: the whole loop with a synthesized learner, no microphone needed.

The learner gives one good reply and one poor one; the demo shows the scores and the branches they
cause, plays the conversation through the default output device, or writes it to a WAV file.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np

from rehearse.app import runtime
from rehearse.app.report import branch_line, customer_lines, feedback_lines

_LOGGER = logging.getLogger(__name__)

GOOD_REPLY = ("I'm really sorry, I can hear how frustrating this is, and a third call is not okay. "
              "I'll take care of this myself and I'll book a technician for tomorrow morning.")
POOR_REPLY = "Calm down. You should have restarted the router like we told you."
LEARNER_VOICE = {"rate": 0.66, "pitch_semitones": -2.0, "level_db": -8.0, "expressiveness": 0.6}
"""A calm, unhurried voice for the learner (Piper's joe speaks at about 200 words a minute)."""


def add_parser(sub) -> None:
    parser = sub.add_parser("demo", help="hear a practice call with a synthesized learner")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the conversation to this WAV file instead of playing it")
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


def run(args) -> int:
    import soundfile as sf
    import soxr

    from rehearse.app.session import Session
    from rehearse.models.tts import VoiceStyle
    from rehearse.scenarios.library import find

    scenario = find("internet-outage")
    tts = runtime.load_tts(args.voice)
    session = Session(scenario, runtime.load_stt(args), tts, runtime.open_store(args), learner="demo", seed=args.seed)
    learner_style = VoiceStyle.from_dict(LEARNER_VOICE)
    device = None if args.out else _output_device()
    pieces: list[np.ndarray] = []
    pause = np.zeros(int(0.6 * tts.sample_rate), dtype=np.float32)

    def hear(audio: np.ndarray) -> None:
        if device:
            import sounddevice as sd

            sd.play(audio, tts.sample_rate, blocking=True)
        pieces.extend([audio, pause])

    print(f"Demo: {scenario.title}\n{scenario.context.strip()}\n")
    for label, reply_text in (("a good reply", GOOD_REPLY), ("a poor reply", POOR_REPLY)):
        spoken = session.customer_line()
        print("\n".join(customer_lines(scenario.persona.name, spoken.line.text, spoken.line.mood, spoken.line.band)))
        hear(spoken.audio)
        reply, rate = tts.synthesize(reply_text, learner_style)
        hear(reply)
        turn = session.answer(soxr.resample(reply, rate, 16_000))
        print(f"  The learner gives {label}:")
        print("\n".join(feedback_lines(turn.feedback)))
        print(branch_line(turn.step) + "\n")
    final = session.customer_line()
    print("\n".join(customer_lines(scenario.persona.name, final.line.text, final.line.mood, final.line.band)))
    hear(final.audio)
    session.close(note="demo")
    if device is None:
        out = args.out or (session.store.folder / "demo.wav")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            sf.write(str(out), np.concatenate(pieces), tts.sample_rate, subtype="PCM_16")
        except (OSError, RuntimeError) as exc:
            print(f"rehearse: error: cannot write {out}: {exc}", file=sys.stderr)
            return 2
        reason = "" if args.out else " (no audio output device found)"
        print(f"\nThe conversation is in {out}{reason}.")
    else:
        print(f"\nPlayed through {device}.")
    print(f"Session saved: {session.id}")
    return 0
