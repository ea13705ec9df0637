"""`rehearse say`: synthesize a customer line in a voice that carries a mood."""

from __future__ import annotations

from pathlib import Path

from rehearse.app import runtime
from rehearse.scenarios.persona import VOICE_PRESETS, Persona


def add_parser(sub) -> None:
    parser = sub.add_parser("say", help="synthesize a customer line to a WAV file")
    parser.add_argument("text", help="what the customer says")
    parser.add_argument("--mood", type=float, default=0.5, help="0 calm .. 1 furious (default 0.5)")
    parser.add_argument("--out", type=Path, required=True, help="WAV file to write")
    parser.add_argument("--voice", default=None, help="Piper voice: joe or a path to a .onnx voice")
    parser.add_argument("--persona", default="joe", choices=sorted(VOICE_PRESETS),
                        help="persona voice preset: pitch and rate on top of the Piper voice (default joe)")
    parser.set_defaults(run=run)


def run(args) -> int:
    import soundfile as sf

    from rehearse.scenarios.voice import speak

    if not 0.0 <= args.mood <= 1.0:
        raise SystemExit("rehearse say: --mood must be from 0 (calm) to 1 (furious)")
    if not args.text.strip():
        raise SystemExit("rehearse say: the text is empty")
    preset = VOICE_PRESETS[args.persona]
    persona = Persona("customer", "customer", voice=args.voice or preset.base, pitch=preset.pitch, rate=preset.rate)
    audio, rate = speak(runtime.load_tts(persona.voice), args.text, persona, args.mood)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(args.out), audio, rate, subtype="PCM_16")
    except (OSError, RuntimeError) as exc:
        raise SystemExit(f"rehearse say: cannot write {args.out}: {exc}") from exc
    print(f"wrote {args.out} ({len(audio) / rate:.2f} s at {rate} Hz, mood {args.mood:.2f}, persona {args.persona})")
    return 0
