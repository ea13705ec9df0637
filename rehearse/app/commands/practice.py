"""`rehearse practice`: run a scenario with recorded replies (or live, with a headset)."""

from __future__ import annotations

import json
import sys

from rehearse.app import runtime
from rehearse.app.report import customer_lines, feedback_lines


def add_parser(sub) -> None:
    parser = sub.add_parser("practice", help="practice a scenario")
    parser.add_argument("--scenario", required=True, help="scenario id (see `rehearse scenarios list`) or a YAML path")
    parser.add_argument("--replies", nargs="+", metavar="AUDIO", help="recorded replies, one per turn, in order")
    parser.add_argument("--learner", default="learner", help="whose session this is (default: learner)")
    parser.add_argument("--seed", type=int, default=0, help="chooses line variants; same seed, same session")
    parser.add_argument("--json", action="store_true", help="print one JSON object per turn")
    runtime.add_model_options(parser)
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.scenarios.library import find

    scenario = find(args.scenario)
    if not args.replies:
        raise SystemExit("rehearse practice: live practice through a headset is not available yet; "
                         "pass recorded replies with --replies a.wav b.wav ...")
    return run_with_replies(args, scenario)


def run_with_replies(args, scenario) -> int:
    from rehearse.app.session import Session
    from rehearse.audio.files import AudioFileError, load_reply

    store = runtime.open_store(args)
    stt, tts = runtime.load_stt(args), runtime.load_tts(args.voice or scenario.persona.voice)
    session = Session(scenario, stt, tts, store, learner=args.learner, seed=args.seed)
    name = scenario.persona.name
    if not args.json:
        print(f"{scenario.title} — session {session.id}")
    try:
        for path in args.replies:
            if session.finished:
                print(f"note: the conversation ended; {path} and later replies were not used", file=sys.stderr)
                break
            spoken = session.customer_line()
            if not args.json:
                print()
                print("\n".join(customer_lines(name, spoken.line.text, spoken.line.mood, spoken.line.band)))
            reply = load_reply(path)
            turn = session.answer(reply)
            if args.json:
                print(json.dumps(turn.to_dict()), flush=True)
            else:
                print("\n".join(feedback_lines(turn.feedback)))
                print(f"  Branch:   {turn.step.condition} -> {turn.step.goto} "
                      f"(mood {turn.step.mood_before:.2f} -> {turn.step.mood_after:.2f})")
    except AudioFileError as exc:
        session.close(note=f"stopped at a bad reply file: {exc}")
        raise
    status = session.close()
    if not args.json:
        line = session.conversation.line()
        print()
        print("\n".join(customer_lines(name, line.text, line.mood, line.band)))
        ending = f"ended: {session.conversation.outcome}" if session.finished else "unfinished (replies ran out)"
        print(f"\nSession {status}, {ending}. {len(session.turns)} turn(s) saved to {store.url}")
    return 0
