"""`rehearse score`: judge one reply, from audio or from text."""

from __future__ import annotations

import json

from rehearse.app import runtime
from rehearse.app.report import feedback_lines


def add_parser(sub) -> None:
    parser = sub.add_parser("score", help="score one reply (audio file or --text)")
    parser.add_argument("reply", nargs="?", help="the reply as an audio file (WAV, FLAC, OGG)")
    parser.add_argument("--text", help="score these words instead of audio (wording only)")
    parser.add_argument("--after", help="the customer line the reply answers (shown with the verdict)")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    runtime.add_model_options(parser, tts=False)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.coach.feedback import judge, judge_text

    if (args.reply is None) == (args.text is None):
        raise SystemExit("rehearse score: give either a reply audio file or --text \"...\"")
    if args.text is not None:
        feedback = judge_text(args.text)
    else:
        from rehearse.audio.files import load_reply

        audio = load_reply(args.reply)
        feedback = judge(runtime.load_stt(args).transcribe(audio), audio)
    if args.json:
        data = feedback.to_dict()
        if args.after:
            data["after"] = args.after
        print(json.dumps(data))
    else:
        if args.after:
            print(f'Customer: "{args.after}"')
        print("\n".join(feedback_lines(feedback, indent="")))
    return 0
