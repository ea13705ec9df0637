"""`rehearse score`: judge replies, from audio files or from text, one verdict per reply."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rehearse.app import runtime
from rehearse.app.errors import UserError
from rehearse.app.report import feedback_lines
from rehearse.audio.endpoint import EndpointConfig
from rehearse.constants import SAMPLE_RATE

MAX_REPLY_S = EndpointConfig().max_turn_s
"""A reply is judged like a live turn: the customer would have cut in after this long."""
PROGRESS_FROM_S = 30.0
"""Transcribing a reply longer than this shows progress."""


def add_parser(sub) -> None:
    parser = sub.add_parser("score", help="score replies (audio files, --text or --texts FILE)")
    parser.add_argument("reply", nargs="*", help="replies as audio files (WAV, FLAC, OGG), judged in order")
    parser.add_argument("--text", help="score these words instead of audio (wording only)")
    parser.add_argument("--texts", type=Path, help="score each line of this text file (wording only)")
    parser.add_argument(
        "--baseline",
        help="a calm calibration read (audio file) that sets the learner's own "
        "pitch, loudness and pace; 'first' uses the first reply",
    )
    parser.add_argument("--after", help="the customer line the reply answers (shown with the verdict)")
    parser.add_argument("--name", help="the customer's name, so that using it is recognised")
    parser.add_argument(
        "--keep-fillers",
        action="store_true",
        help="transcribe with a prompt that keeps um/uh (Whisper tends to drop them)",
    )
    parser.add_argument(
        "--no-paraphrases",
        action="store_true",
        help="phrase rules only: skip the sentence-embedding model (saves ~5 s of loading)",
    )
    parser.add_argument(
        "--max-s",
        type=float,
        default=MAX_REPLY_S,
        help=f"judge at most this many seconds of each reply (default {MAX_REPLY_S:.0f}, the longest "
        "live turn; 0 judges all of it)",
    )
    parser.add_argument("--json", action="store_true", help="print each verdict as one line of JSON")
    runtime.add_model_options(parser, tts=False)
    parser.set_defaults(run=run)


def _texts(args) -> list[str]:
    if args.text is not None:
        return [args.text]
    try:
        lines = args.texts.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(
            f"--texts: cannot read {args.texts}: {exc.strerror or exc}; give a text file with one reply per line"
        ) from exc
    except UnicodeDecodeError as exc:
        raise UserError(
            f"--texts: {args.texts} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 text with one reply per line"
        ) from exc
    return [line for line in lines if line.strip()]


def _audio_verdicts(args, semantic: bool):
    from rehearse.audio.files import load_reply
    from rehearse.coach.feedback import judge, measure_baseline
    from rehearse.coach.fillers import FILLER_PROMPT

    stt = runtime.load_stt(args)
    prompt = FILLER_PROMPT if args.keep_fillers else None
    baseline = None
    if args.baseline and args.baseline != "first":
        calm = load_reply(args.baseline)
        baseline = measure_baseline(stt.transcribe(calm, prompt=prompt), calm)
    for i, path in enumerate(args.reply):
        audio = _within_limit(path, load_reply(path), args.max_s)
        seconds = audio.size / SAMPLE_RATE
        progress = _Progress(path) if seconds > PROGRESS_FROM_S else None
        transcript = stt.confirm_language(stt.transcribe(audio, prompt=prompt, on_progress=progress), audio)
        if progress is not None:
            progress.done()
        if args.baseline == "first" and i == 0:
            baseline = measure_baseline(transcript, audio)
        yield judge(transcript, audio, baseline=baseline, semantic=semantic, customer_name=args.name)


def run(args) -> int:
    from rehearse.coach.feedback import judge_text

    sources = sum((bool(args.reply), args.text is not None, args.texts is not None))
    if sources != 1:
        raise UserError(
            'give reply audio files, --text "..." or --texts FILE (one of them), '
            'e.g. rehearse score --text "I am sorry, let me fix that"'
        )
    if args.baseline and not args.reply:
        raise UserError(
            "--baseline needs reply audio files (it calibrates pitch, loudness and pace, which "
            "text does not have); drop --baseline or score audio files"
        )
    semantic = not args.no_paraphrases
    if args.reply:
        verdicts = _audio_verdicts(args, semantic)
    else:
        verdicts = (judge_text(t, semantic=semantic, customer_name=args.name) for t in _texts(args))
    for i, feedback in enumerate(verdicts):
        if args.json:
            data = feedback.to_dict()
            if args.after:
                data["after"] = args.after
            print(json.dumps(data), flush=True)
            continue
        if i:
            print()
        if args.after:
            print(f'Customer: "{args.after}"')
        print("\n".join(feedback_lines(feedback, indent="")))
    return 0


def _within_limit(path, audio, max_s: float):
    """The reply as judged: cut at `max_s` (said on stderr), with a note when the file ends early."""
    from rehearse.audio.files import ends_early

    note = ends_early(path)
    if note:
        print(f"note: {note}", file=sys.stderr)
    if max_s and audio.size > max_s * SAMPLE_RATE:
        print(
            f"note: {path} is {audio.size / SAMPLE_RATE:.0f} s long; as in a live call, only the first "
            f"{max_s:.0f} s are judged (--max-s 0 judges all of it, which takes longer)",
            file=sys.stderr,
        )
        return audio[: int(max_s * SAMPLE_RATE)]
    return audio


class _Progress:
    """Transcription progress of a long reply on stderr: one updating line on a terminal, else every quarter."""

    def __init__(self, path):
        self.name, self.tty, self.shown = path, sys.stderr.isatty(), 0.0

    def __call__(self, done_s: float, total_s: float) -> None:
        share = min(1.0, done_s / total_s) if total_s else 1.0
        if self.tty:
            print(
                f"\rtranscribing {self.name}: {share:4.0%} ({done_s:.0f}/{total_s:.0f} s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
        elif share - self.shown >= 0.25:
            self.shown = share
            print(f"transcribing {self.name}: {share:.0%}", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)
