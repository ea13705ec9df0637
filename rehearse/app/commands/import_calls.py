"""`rehearse import`: recorded calls scored turn by turn as practice scores replies, saved as "real call" sessions.

One file: progress on stderr, a summary (or `--json`: one object). A folder: every call in it, in parallel
with `--workers N` (a local Ray cluster) or `--ray auto|ADDRESS`; a rerun skips calls already imported
(same bytes), failures are listed at the end and the rest carry on.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rehearse.app import runtime
from rehearse.app.calls.stages import STAGE_NAMES, call_done
from rehearse.app.errors import UserError

CALL_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".aac")


def add_parser(sub) -> None:
    parser = sub.add_parser("import", help="import recorded calls: score the agent's turns, save them for replay")
    parser.add_argument("call", type=Path, help="a call recording (WAV, FLAC, MP3, M4A, OGG) or a folder of them")
    parser.add_argument("--agent-channel", choices=("left", "right"), help="stereo calls: the agent's channel")
    parser.add_argument("--swap", action="store_true", help="the other party is the agent (when the guess was wrong)")
    parser.add_argument("--agent-sample", type=Path, help="a recording of the agent's voice, to tell them apart")
    parser.add_argument("--learner", help="the agent's name in the store (their practice voice picks them out)")
    parser.add_argument(
        "--diarization", default="bundled", help="'bundled' (default) or a folder holding a pyannote pipeline"
    )
    parser.add_argument("--rules-only", action="store_true", help="judge wording with the phrase rules alone")
    parser.add_argument("--workers", type=int, default=1, help="folder: calls scored at once on this machine (Ray)")
    parser.add_argument("--ray", metavar="auto|ADDRESS", help="folder: run on a Ray cluster ('auto' or its address)")
    parser.add_argument("--json", action="store_true", help="print the call (one JSON object per call)")
    runtime.add_model_options(parser, tts=False)
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.app.calls.importer import DEFAULT_LEARNER, ImportSettings, enrollment, import_file

    if args.workers < 1:
        raise UserError("--workers must be 1 or more")
    if args.call.is_dir():
        files = sorted(p for p in args.call.iterdir() if p.suffix.lower() in CALL_SUFFIXES and p.is_file())
        if not files:
            raise UserError(f"{args.call}: no call recordings in it ({', '.join(CALL_SUFFIXES)})")
    elif args.workers > 1 or args.ray:
        raise UserError("--workers and --ray import a folder of calls; give a folder, or drop them")
    store = runtime.open_store(args)
    learner = args.learner or DEFAULT_LEARNER
    enrolled, why = None, "no learner given"
    if args.agent_sample:
        enrolled, why = _sample_print(args.agent_sample, args.device), f"the voice in {args.agent_sample}"
    elif args.learner:
        enrolled, why = enrollment(store, args.learner, args.device)
    settings = ImportSettings(
        model=args.model,
        device=args.device,
        diarization=args.diarization,
        db=args.db,
        data_dir=str(store.folder),
        learner=learner,
        agent_channel=args.agent_channel,
        swap=args.swap,
        semantic=not args.rules_only,
        enrolled=tuple(float(v) for v in enrolled) if enrolled is not None else None,
    )
    if not args.json:
        print(
            f"agent's voice: {why}" if enrolled is not None else f"agent: whoever opens the call ({why})",
            file=sys.stderr,
        )
    if args.call.is_dir():
        return _folder(files, settings, args)
    progress = Progress(args.call.name)
    outcome = import_file(args.call, settings, on_stage=progress, store=store)
    progress.done()
    _show(outcome, args.json)
    return 0


def _sample_print(path: Path, device: str):
    from rehearse.audio.files import load_reply
    from rehearse.models.device import torch_device
    from rehearse.models.speaker_embedding import voice_print

    vector = voice_print(load_reply(path), torch_device(device)[0])
    if vector is None:
        raise UserError(f"--agent-sample {path}: too little speech in it to know the voice (give 5 s or more)")
    return vector


def _show(outcome: dict, as_json: bool) -> None:
    if outcome.get("note"):
        print(f"note: {outcome['note']}", file=sys.stderr)
    if outcome["status"] == "skipped":
        if as_json:
            print(json.dumps({"file": outcome["file"], "skipped": True, "session": outcome["session"]}), flush=True)
        else:
            print(f"{outcome['file']}: already imported as session {outcome['session'][:8]}; skipped")
        return
    data = outcome["result"]
    if as_json:
        print(json.dumps(data), flush=True)
        return
    print("\n".join(summary_lines(data)))


def summary_lines(data: dict) -> list[str]:
    """A call's import as text: the agent and how sure, the call figures, each agent turn's scores and tip."""
    agent, over, quiet = data["agent"], data["overtalk"], data["silences"]
    ratio = data["talk_ratio"]
    tension = data["customer_tension"]
    lines = [
        f"{data['file']}: {data['duration_s']:.0f} s, {data['method']}, session {data['session'][:8]}",
        f"  agent: {agent['speaker']} ({agent['method']}, confidence {agent['confidence']:.2f}: {agent['why']}); "
        "--swap if wrong",
        f"  talk ratio: agent {ratio:.0%}" if ratio is not None else "  talk ratio: -",
        "  overtalk: agent cut in {count}x ({seconds:.1f} s), ".format(**over["agent_interrupted"])
        + "customer {count}x ({seconds:.1f} s)".format(**over["customer_interrupted"]),
        f"  silences over {quiet['longer_than_s']:.0f} s: {quiet['count']} ({quiet['seconds']:.1f} s)",
        f"  customer calm: mean {tension['mean_calm']}, change over the call {tension['change']}",
    ]
    for turn in data["turns"]:
        scores = ", ".join(f"{k} {v:.0f}" for k, v in turn["scores"].items() if v is not None) or "not judged"
        lines += ["", f'Turn {turn["turn"]} ({turn["start"]:.1f}-{turn["end"]:.1f} s): "{turn["transcript"]}"']
        lines.append(f"  scores: {scores}")
        if turn.get("tip"):
            lines.append(f"  tip:    {turn['tip']}")
    return lines


def _folder(files: list[Path], settings, args) -> int:
    from rehearse.app.calls.folder import import_folder

    outcomes = import_folder(files, settings, workers=args.workers, ray_address=args.ray, on_done=_folder_line(args))
    failed = [o for o in outcomes if o["status"] == "failed"]
    counts = {s: sum(1 for o in outcomes if o["status"] == s) for s in ("imported", "skipped", "failed")}
    print(
        f"{counts['imported']} imported, {counts['skipped']} skipped (already imported), {counts['failed']} failed",
        file=sys.stderr,
    )
    for outcome in failed:
        print(f"  failed: {outcome['file']}: {outcome['error']}", file=sys.stderr)
    return 1 if failed else 0


def _folder_line(args):
    def show(outcome: dict) -> None:
        if outcome["status"] == "failed":
            print(f"failed: {outcome['file']}: {outcome['error']}", file=sys.stderr)
        elif args.json and outcome["status"] == "imported":
            print(json.dumps(outcome["result"]), flush=True)
        else:
            print(f"{outcome['status']}: {outcome['file']} -> session {outcome['session'][:8]}", file=sys.stderr)

    return show


class Progress:
    """A progress bar on stderr with the stage and the time left: one updating line on a terminal, else a
    line per stage."""

    WIDTH = 24

    def __init__(self, name: str):
        self.name, self.tty = name, sys.stderr.isatty()
        self.started, self.stage = time.monotonic(), None

    def __call__(self, stage: str, share: float) -> None:
        done = call_done(stage, share)
        elapsed = time.monotonic() - self.started
        if not self.tty:
            if stage != self.stage:
                print(f"{self.name}: {STAGE_NAMES.get(stage, stage)}...", file=sys.stderr, flush=True)
            self.stage = stage
            return
        self.stage = stage
        left = f", ~{_clock(elapsed / done - elapsed)} left" if done > 0.05 and elapsed > 3 else ""
        bar = "#" * round(self.WIDTH * done) + "-" * (self.WIDTH - round(self.WIDTH * done))
        text = f"\r{self.name}: [{bar}] {done:4.0%} {STAGE_NAMES.get(stage, stage)}{left}"
        print(f"{text:<90}", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty:
            print(f"\r{'':<90}\r", end="", file=sys.stderr, flush=True)


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
