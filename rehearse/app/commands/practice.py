"""`rehearse practice`: run a scenario live through a headset, by typing, or with recorded replies."""

from __future__ import annotations

import argparse
import sys

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "practice",
        help="practice a scenario",
        description="Practice live: the customer speaks through your headset and you answer "
        "out loud. --type answers by typing; --replies uses recorded replies.",
    )
    parser.add_argument("--scenario", help="scenario id (see `rehearse scenarios list`) or a YAML path")
    parser.add_argument("--replies", nargs="+", metavar="AUDIO", help="recorded replies, one per turn, in order")
    parser.add_argument("--type", action="store_true", help="type your replies instead of speaking (no microphone)")
    parser.add_argument(
        "--input-device",
        metavar="NAME_OR_INDEX",
        help="microphone to listen on (default: the one chosen last time, else the system default)",
    )
    parser.add_argument("--output-device", metavar="NAME_OR_INDEX", help="headphones or speakers for the customer")
    parser.add_argument("--list-devices", action="store_true", help="list audio devices and exit")
    parser.add_argument(
        "--trailing-silence-ms",
        type=_positive,
        default=None,
        help="silence that ends your reply (default 300; longer after 'and', 'um', ...)",
    )
    parser.add_argument(
        "--no-answer-s",
        type=_positive,
        default=None,
        help="silence before the customer asks whether you are still there (default 8)",
    )
    parser.add_argument(
        "--max-turn-s", type=_positive, default=None, help="longest reply before the customer cuts in (default 60)"
    )
    parser.add_argument(
        "--difficulty",
        type=int,
        choices=range(1, 6),
        metavar="1-5",
        help="play the scenario at this level: higher starts the persona angrier and less patient "
        "(see `rehearse next`)",
    )
    parser.add_argument(
        "--baseline",
        metavar="AUDIO",
        help="a calm read in your normal voice; scores are relative to it (default: your first reply)",
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="judge wording with the phrase rules alone: starts ~5 s sooner, misses more paraphrases",
    )
    parser.add_argument("--learner", default="learner", help="whose session this is (default: learner)")
    parser.add_argument("--seed", type=int, default=0, help="chooses line variants; same seed, same session")
    parser.add_argument("--json", action="store_true", help="print one JSON object per turn")
    runtime.add_model_options(parser)
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.app.engine import build_engine
    from rehearse.app.errors import UserError
    from rehearse.app.live.console import Printer, read_stdin_into, run_in_terminal
    from rehearse.app.replies import RecordedReplies, TypedReplies
    from rehearse.audio.devices import NoDeviceError

    if args.list_devices:
        return list_devices(args.data_dir)
    if not args.scenario:
        raise UserError(
            "choose a scenario with --scenario ID (`rehearse scenarios list` lists them), "
            "e.g. rehearse practice --scenario internet-outage"
        )
    options = practice_options(args)
    engine = build_engine(options, replies := _replies(args, options), scenario=runtime.scenario(options))
    engine.subscribe(Printer(engine.scenario.persona.name, args.json))
    if isinstance(replies, TypedReplies):
        if not args.json:
            print("(typed replies; an empty line or Ctrl+D stops)")
        read_stdin_into(replies)
    try:
        code = run_in_terminal(engine)
    except NoDeviceError as exc:
        raise UserError(
            f"{exc}; to practise without a microphone, type your replies: "
            f"rehearse practice --scenario {args.scenario} --type"
        ) from exc
    if isinstance(replies, RecordedReplies):
        for note in replies.notes:
            print(f"note: {note}", file=sys.stderr)
    if (args.input_device or args.output_device) and getattr(replies, "devices", None) is not None:
        from rehearse.audio import devices

        devices.remember(
            replies.devices.input if args.input_device else None,
            replies.devices.output if args.output_device else None,
            folder=args.data_dir,
        )
    return code


def practice_options(args):
    """The command line's choices as the engine's options."""
    from rehearse.app.options import PracticeOptions
    from rehearse.audio.endpoint import EndpointConfig

    chosen = {
        "trailing_silence_ms": args.trailing_silence_ms,
        "no_answer_s": args.no_answer_s,
        "max_turn_s": args.max_turn_s,
    }
    return PracticeOptions(
        scenario=args.scenario,
        model=args.model,
        device=args.device,
        voice=args.voice,
        data_dir=args.data_dir,
        db_url=args.db,
        input_device=args.input_device,
        output_device=args.output_device,
        endpoint=EndpointConfig.from_dict({k: v for k, v in chosen.items() if v is not None}),
        rules_only=args.rules_only,
        learner=args.learner,
        seed=args.seed,
        difficulty=args.difficulty,
        baseline=args.baseline,
    )


def _replies(args, options):
    from rehearse.app.replies import RecordedReplies, TypedReplies

    if args.replies:
        return RecordedReplies(args.replies)
    if args.type:
        return TypedReplies()
    from rehearse.app.live.practice import Microphone

    return Microphone(options.input_device, options.output_device)


def list_devices(folder=None) -> int:
    from rehearse.audio.devices import list_devices as found
    from rehearse.audio.devices import load_choice

    chosen = load_choice(folder)
    for device in found():
        kinds = [k for k, n in (("input", device.inputs), ("output", device.outputs)) if n]
        mark = " (chosen)" if device.name in chosen.values() else ""
        print(
            f"{device.index:3d}  {device.name}  [{device.host_api}; {'/'.join(kinds)}; "
            f"{device.sample_rate:.0f} Hz]{mark}"
        )
    return 0


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value
