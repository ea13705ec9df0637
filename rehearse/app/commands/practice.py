"""`rehearse practice`: run a scenario live through a headset, by typing, or with recorded replies."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from rehearse.app import runtime
from rehearse.app.report import branch_line, customer_lines, feedback_lines, session_end_line


def add_parser(sub) -> None:
    parser = sub.add_parser("practice", help="practice a scenario",
                            description="Practice live: the customer speaks through your headset and you answer "
                                        "out loud. --type answers by typing; --replies uses recorded replies.")
    parser.add_argument("--scenario", help="scenario id (see `rehearse scenarios list`) or a YAML path")
    parser.add_argument("--replies", nargs="+", metavar="AUDIO", help="recorded replies, one per turn, in order")
    parser.add_argument("--type", action="store_true", help="type your replies instead of speaking (no microphone)")
    parser.add_argument("--input-device", metavar="NAME_OR_INDEX",
                        help="microphone to listen on (default: the one chosen last time, else the system default)")
    parser.add_argument("--output-device", metavar="NAME_OR_INDEX", help="headphones or speakers for the customer")
    parser.add_argument("--list-devices", action="store_true", help="list audio devices and exit")
    parser.add_argument("--trailing-silence-ms", type=_positive, default=None,
                        help="silence that ends your reply (default 300; longer after 'and', 'um', ...)")
    parser.add_argument("--no-answer-s", type=_positive, default=None,
                        help="silence before the customer asks whether you are still there (default 8)")
    parser.add_argument("--max-turn-s", type=_positive, default=None, help="longest reply before the customer cuts in (default 60)")
    parser.add_argument("--difficulty", type=int, choices=range(1, 6), metavar="1-5",
                        help="play the scenario at this level: higher starts the persona angrier and less patient "
                             "(see `rehearse next`)")
    parser.add_argument("--baseline", metavar="AUDIO",
                        help="a calm read in your normal voice; scores are relative to it (default: your first reply)")
    parser.add_argument("--rules-only", action="store_true",
                        help="judge wording with the phrase rules alone: starts ~5 s sooner, misses more paraphrases")
    parser.add_argument("--learner", default="learner", help="whose session this is (default: learner)")
    parser.add_argument("--seed", type=int, default=0, help="chooses line variants; same seed, same session")
    parser.add_argument("--json", action="store_true", help="print one JSON object per turn")
    runtime.add_model_options(parser)
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.scenarios.library import find

    if args.list_devices:
        return list_devices()
    if not args.scenario:
        raise SystemExit("rehearse practice: choose a scenario with --scenario ID (see `rehearse scenarios list`)")
    scenario = find(args.scenario)
    if args.difficulty is not None:
        from rehearse.scenarios.adaptive import with_difficulty

        scenario = with_difficulty(scenario, args.difficulty)
    if args.replies:
        return run_with_replies(args, scenario)
    if args.type:
        return run_typed(args, scenario)
    from rehearse.app.live.console import run_live

    return run_live(args, scenario)


def list_devices() -> int:
    from rehearse.audio.devices import list_devices as found, load_choice

    chosen = load_choice()
    for device in found():
        kinds = [k for k, n in (("input", device.inputs), ("output", device.outputs)) if n]
        mark = " (chosen)" if device.name in chosen.values() else ""
        print(f"{device.index:3d}  {device.name}  [{device.host_api}; {'/'.join(kinds)}; "
              f"{device.sample_rate:.0f} Hz]{mark}")
    return 0


def _print_turn(args, turn) -> None:
    if args.json:
        print(json.dumps(turn.to_dict()), flush=True)
        return
    print("\n".join(feedback_lines(turn.feedback)))
    print(branch_line(turn.step), flush=True)


def _print_ending(args, session, store, ran_out: str, line_shown: bool = False) -> None:
    """The customer's last line (unless already on screen) and what was saved."""
    if args.json:
        return
    if not line_shown:
        line = session.conversation.line()
        print()
        print("\n".join(customer_lines(session.scenario.persona.name, line.text, line.mood, line.band)))
    print("\n" + session_end_line(session, store.url, ran_out))


def run_typed(args, scenario) -> int:
    """Practice by typing: the customer's lines are printed, each typed line is one reply."""
    from rehearse.app.session import Session

    store = runtime.open_store(args)
    session = Session(scenario, None, runtime.load_tts(args.voice or scenario.persona.voice),
                      store, learner=args.learner, seed=args.seed,  # typed replies need no speech-to-text
                      paraphrases=not args.rules_only)
    name = scenario.persona.name
    if not args.json:
        print(f"{scenario.title} — session {session.id} (typed replies; an empty line or Ctrl+D stops)")
    with _closed_on_interrupt(session):
        while not session.finished:
            line = session.conversation.line()
            if not args.json:
                print()
                print("\n".join(customer_lines(name, line.text, line.mood, line.band)))
            print("> ", end="", file=sys.stderr, flush=True)
            text = sys.stdin.readline()
            if not text.strip():
                break
            _print_turn(args, session.answer_text(text.strip()))
    session.close()
    _print_ending(args, session, store, "stopped", line_shown=not session.finished)
    return 0


def run_with_replies(args, scenario) -> int:
    from rehearse.app.session import Session
    from rehearse.audio.files import load_reply

    # Every file is read before the session starts: a bad one stops nothing half-way.
    replies = [_within_turn_limit(path, load_reply(path), args.max_turn_s) for path in args.replies]
    store = runtime.open_store(args)
    stt, tts = runtime.load_stt(args), runtime.load_tts(args.voice or scenario.persona.voice)
    session = Session(scenario, stt, tts, store, learner=args.learner, seed=args.seed,
                      baseline=load_baseline(stt, args.baseline), paraphrases=not args.rules_only)
    name = scenario.persona.name
    if not args.json:
        print(f"{scenario.title} — session {session.id}")
    with _closed_on_interrupt(session):
        for path, reply in zip(args.replies, replies):
            if session.finished:
                print(f"note: the conversation ended; {path} and later replies were not used", file=sys.stderr)
                break
            spoken = session.customer_line()
            if not args.json:
                print()
                print("\n".join(customer_lines(name, spoken.line.text, spoken.line.mood, spoken.line.band)))
            _print_turn(args, session.answer(reply))
    session.close()
    _print_ending(args, session, store, "replies ran out")
    return 0


@contextlib.contextmanager
def _closed_on_interrupt(session):
    """Ctrl+C ends the session as "unfinished" with every completed turn kept."""
    try:
        yield
    except KeyboardInterrupt:
        session.close(note="stopped by the learner")
        raise


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _within_turn_limit(path: str, reply, max_turn_s: float | None):
    """A recorded reply longer than a live turn may be is cut where the customer would cut in."""
    from rehearse.audio.endpoint import EndpointConfig
    from rehearse.audio.files import SAMPLE_RATE

    limit = EndpointConfig().max_turn_s if max_turn_s is None else max_turn_s
    if reply.size <= limit * SAMPLE_RATE:
        return reply
    print(f"note: {path} is {reply.size / SAMPLE_RATE:.0f} s long; as in a live call, only the first "
          f"{limit:.0f} s are judged (the customer cuts in there; --max-turn-s changes it)", file=sys.stderr)
    return reply[: int(limit * SAMPLE_RATE)]


def load_baseline(stt, path: str | None):
    """The learner's baseline from a calm read, or None (then their first reply sets it)."""
    if not path:
        return None
    from rehearse.audio.files import load_reply
    from rehearse.coach.feedback import measure_baseline

    calm = load_reply(path)
    return measure_baseline(stt.transcribe(calm), calm)
