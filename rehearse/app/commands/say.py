"""`rehearse say`: synthesize a customer line in a voice that carries a mood."""

from __future__ import annotations

from pathlib import Path

from rehearse.app import runtime
from rehearse.scenarios.persona import VOICE_PRESETS, Persona


def add_parser(sub) -> None:
    parser = sub.add_parser("say", help="synthesize a customer line to a WAV file")
    parser.add_argument("text", help="what the customer says")
    parser.add_argument("--mood", type=float, default=0.5, help="0 calm .. 1 furious (default 0.5)")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="audio file to write (.wav, .flac or .ogg); an existing one is replaced only once the new one is complete",
    )
    parser.add_argument("--voice", default=None, help="Piper voice: joe or a path to a .onnx voice")
    parser.add_argument(
        "--persona",
        default="joe",
        choices=sorted(VOICE_PRESETS),
        help="persona voice preset: pitch and rate on top of the Piper voice (default joe)",
    )
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.app.errors import UserError
    from rehearse.audio.output import check_output, write_audio
    from rehearse.scenarios.voice import speak

    if not 0.0 <= args.mood <= 1.0:
        raise UserError(f"--mood must be from 0 (calm) to 1 (furious), not {args.mood:g}")
    if not args.text.strip():
        raise UserError(
            'the text to say is empty; give the customer\'s line, e.g. rehearse say "Where is my order?" --out line.wav'
        )
    check_output(args.out)  # before the voice loads
    preset = VOICE_PRESETS[args.persona]
    persona = Persona("customer", "customer", voice=args.voice or preset.base, pitch=preset.pitch, rate=preset.rate)
    audio, rate = speak(runtime.load_tts(persona.voice), args.text, persona, args.mood)
    write_audio(args.out, audio, rate)
    print(f"wrote {args.out} ({len(audio) / rate:.2f} s at {rate} Hz, mood {args.mood:.2f}, persona {args.persona})")
    return 0
