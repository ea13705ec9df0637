"""Live latency through real (virtual) audio devices, as a learner with a headset meets it.

Starts a private PulseAudio server (virtual microphone and speaker), runs live practice sessions
back to back for `--duration-s` (at least `--turns` replies, and every reply file at least once), and
after each customer line plays the next recorded reply into the virtual microphone. For each reply it
measures, from the true end of the learner's speech (found by aligning the file with the captured track):
  (a) -> end decided, (b) -> final transcript, (c) -> scores ready (turn judged and saved), (d) -> the
  customer's next line audibly starting (device time), plus mic -> meter lag and input overflows.
No reply is left out: one whose turn ended at a pause inside it counts as a cut-off (its timings are
not latencies). `--endpointer old new` measures today's end of turn and the old 300 ms silence rule
one after the other in the same run, on the same server and models; `--window fitted whole` likewise
Whisper's window fitted to the speech (the live default) and its whole 30 s window.

    python bench/live_latency.py [--replies DIR_OR_FILES ...] [--endpointer new old] [--window fitted whole]
                                 [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.audio_server import VirtualAudio, where_it_landed  # noqa: E402

REALSPEECH = ROOT.parent / "shared" / "realspeech"
AUDIO_TYPES = (".wav", ".flac", ".ogg")
PAUSE_BEFORE_REPLY_S = 0.3


def reply_files(items: list[str] | None) -> list[Path]:
    if not items:
        folder = REALSPEECH / "asr"
        if not folder.is_dir():
            raise SystemExit(f"no default replies: {folder} is missing; pass --replies DIR_OR_FILES")
        items = [str(folder)]
    files: list[Path] = []
    for item in items:
        path = Path(item)
        files += sorted(p for p in path.iterdir() if p.suffix.lower() in AUDIO_TYPES) if path.is_dir() else [path]
    if not files:
        raise SystemExit("no audio files among --replies")
    return files


def speech_span(audio: np.ndarray) -> tuple[int, int, float]:
    """First and last sample of speech in a clean recording (Silero VAD, as the app decides), and the
    longest silence inside it in ms."""
    from rehearse.audio.endpoint import WINDOW, StreamingVad

    probs = np.array(StreamingVad().feed(np.concatenate([audio, np.zeros(WINDOW, np.float32)])))
    speech = np.flatnonzero(probs >= 0.5)
    if not speech.size:
        return 0, 0, 0.0
    quiet = np.concatenate([[0], (probs[speech[0] : speech[-1] + 1] < 0.35).astype(int), [0]])
    edges = np.flatnonzero(np.diff(quiet))
    longest = max((b - a for a, b in zip(edges[::2], edges[1::2], strict=False)), default=0)
    return int(speech[0] * WINDOW), int((speech[-1] + 1) * WINDOW), 1000.0 * longest * WINDOW / 16_000


def stats(values: list[float]) -> dict:
    if not values:
        return {"median": None, "p90": None, "n": 0}
    return {
        "median": round(float(np.median(values)), 1),
        "p90": round(float(np.percentile(values, 90)), 1),
        "n": len(values),
    }


class Driver:
    """Answers each customer line with the next reply file and records what happened when."""

    def __init__(self, audio: VirtualAudio, files: list[Path]):
        from rehearse.audio.files import load_reply

        self.audio, self.files = audio, files
        self.clips = {f: load_reply(f) for f in files}
        self.spans = {f: speech_span(a) for f, a in self.clips.items()}
        silent = [f for f in files if self.spans[f][1] == 0]
        if silent:
            raise SystemExit(f"no speech found in {', '.join(f.name for f in silent)}")
        self.next = 0
        self.engine = None
        self.overflows = 0
        self.until = float("inf")
        """Monotonic time after which the session is stopped at its next verdict (once `wanted` replies are in)."""
        self.wanted = 0
        self.pending: dict | None = None
        self.turns: list[dict] = []
        self.lags: list[float] = []

    def on_event(self, event) -> None:
        from rehearse.app import events

        now = time.monotonic()
        if isinstance(event, events.Meter):
            self.lags.append(1000 * event.lag_s)
        elif isinstance(event, events.CustomerSpeaking):
            last = self.turns[-1] if self.turns else None
            if last is not None and "customer_at" not in last:
                self.turns[-1]["customer_at"] = event.started_at
        elif isinstance(event, events.CustomerDone) and not self.engine.session.finished:
            path = self.files[self.next % len(self.files)]
            self.next += 1
            self.pending = {"file": path, "ring_end": self.engine.replies.capture.ring.end}
            threading.Timer(PAUSE_BEFORE_REPLY_S, self.audio.play, args=(path,)).start()
        elif isinstance(event, events.SpeechEnded):
            if self.pending is not None and "decided_at" not in self.pending:
                self.pending["decided_at"] = now
                self.pending["speech_ended"] = event.reason
        elif isinstance(event, events.FinalTranscript):
            if self.pending is not None and "transcript_at" not in self.pending:
                self.pending["transcript_at"] = event.at
        elif isinstance(event, events.Verdict) and self.pending is not None:
            self._finish(event)
            if now > self.until and len(self.turns) >= self.wanted:
                self.engine.stop()

    def _finish(self, event) -> None:
        pending, self.pending = self.pending, None
        capture = self.engine.replies.capture
        self.overflows = capture.overflows
        clip = self.clips[pending["file"]]
        begin = pending["ring_end"]
        recorded = capture.ring.slice(begin)
        true_end = capture.time_at(begin + where_it_landed(recorded, clip, self.spans[pending["file"]][1]))
        heard = event.turn
        decided = pending.get("decided_at")
        self.turns.append(
            {
                "file": pending["file"].name,
                "transcript": heard.feedback.transcript,
                "true_end": true_end,
                "decided_at": decided,
                "transcript_at": pending.get("transcript_at"),
                "scores_at": event.at,
                "cut_off": decided is None or decided < true_end,
                "pause_inside_ms": round(self.spans[pending["file"]][2]),
                "end_of_turn": (heard.timing or {}).get("end_of_turn"),
                "ended_session": heard.next_line.outcome is not None,
            }
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--replies", nargs="+", metavar="DIR_OR_FILES", help="recorded replies (default: the realspeech asr clips)"
    )
    parser.add_argument(
        "--turns",
        type=int,
        default=0,
        help="replies to measure at least per end-of-turn detector (default: each reply file once)",
    )
    parser.add_argument(
        "--duration-s",
        type=float,
        default=0.0,
        help="continuous run length per detector (default 0: as long as the replies take)",
    )
    parser.add_argument(
        "--endpointer",
        nargs="+",
        choices=("new", "old"),
        default=["new", "old"],
        help="new: Smart Turn + words + silence; old: 300 ms of silence (default: both, in turn)",
    )
    parser.add_argument(
        "--window",
        nargs="+",
        choices=("fitted", "whole"),
        default=["fitted"],
        help="Whisper's window for live decodes: fitted to the speech (the app's) or the whole 30 s",
    )
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--scenario", default="internet-outage")
    parser.add_argument("--trailing-silence-ms", type=float, default=None)
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="judge wording with the phrase rules alone, as `practice --rules-only` (default: all layers)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    files = reply_files(args.replies)
    with tempfile.TemporaryDirectory(prefix="rehearse-bench-") as tmp:
        server = VirtualAudio(Path(tmp) / "pulse")
        server.start()
        try:
            result = {"load_avg_1m": round(os.getloadavg()[0], 2)}
            runs = [(name, window) for name in args.endpointer for window in args.window]
            for name, window in runs:
                label = name if len(args.window) == 1 else f"{name}/{window}"
                result[label] = run(args, files, server, Path(tmp) / label.replace("/", "-"), name, window)
            result["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
        finally:
            server.stop()
    for key in [k for k in result if isinstance(result[k], dict)]:
        print_report(result[key])
    print(f"load average (1 min): {result['load_avg_1m']} at start, {result['load_avg_1m_at_end']} at end")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


class WholeWindow:
    """A speech-to-text model whose live decodes use Whisper's whole 30 s window (the baseline for `fitted`)."""

    def __init__(self, stt):
        self._stt = stt

    def __getattr__(self, name: str):
        return getattr(self._stt, name)

    def transcribe(self, audio, *args, fitted: bool = False, **kwargs):
        return self._stt.transcribe(audio, *args, **kwargs)


def run(
    args, files: list[Path], server: VirtualAudio, tmp: Path, endpointer: str = "new", window: str = "fitted"
) -> dict:
    """Live sessions through the engine, one after another (the customer's ending starts the next)."""
    from rehearse.app.engine import build_engine
    from rehearse.app.live.practice import Microphone
    from rehearse.app.options import PracticeOptions
    from rehearse.audio import devices
    from rehearse.audio.endpoint import EndpointConfig
    from rehearse.models.stt import SpeechToText
    from rehearse.models.tts import TextToSpeech
    from rehearse.scenarios.library import find
    from rehearse.store import SessionStore

    devices.refresh()
    stt, tts = SpeechToText(args.model, device="cpu"), TextToSpeech()
    if window == "whole":
        stt = WholeWindow(stt)
    store = SessionStore(folder=tmp / "store")
    scenario = find(args.scenario)
    chosen = {"end_of_turn": "smart_turn" if endpointer == "new" else "silence"}
    if args.trailing_silence_ms is not None:
        chosen["trailing_silence_ms"] = args.trailing_silence_ms
    config = EndpointConfig.from_dict(chosen)
    driver = Driver(server, files)
    started, seed, overflows = time.monotonic(), 0, 0
    driver.until = started + args.duration_s
    wanted = driver.wanted = max(args.turns, len(files))
    while time.monotonic() - started < args.duration_s or len(driver.turns) < wanted:
        options = PracticeOptions(scenario=args.scenario, seed=seed, rules_only=args.rules_only, endpoint=config)
        driver.engine = build_engine(options, Microphone(), stt=stt, tts=tts, store=store, scenario=scenario)
        driver.engine.subscribe(driver.on_event)
        driver.engine.run()
        if driver.engine.error is not None:
            raise SystemExit(f"live session failed: {driver.engine.error}")
        overflows, driver.overflows, seed = overflows + driver.overflows, 0, seed + 1
    return summarize(driver, overflows, time.monotonic() - started, args, seed, endpointer, window)


def summarize(
    driver: Driver, overflows: int, seconds: float, args, sessions: int, endpointer: str = "new", window: str = "fitted"
) -> dict:
    # A reply the endpointer ended early (at a pause inside it) is a cut-off: its timings are not latencies.
    turns = [t for t in driver.turns if not t["cut_off"]]

    def to_ms(key: str) -> list[float]:
        return [1000 * (t[key] - t["true_end"]) for t in turns if t.get(key) is not None]

    return {
        "endpointer": endpointer,
        "window": window,
        "model": args.model,
        "wording": "phrase rules" if args.rules_only else "all layers",
        "turns": len(turns),
        "cut_offs": len(driver.turns) - len(turns),
        "cut_off_files": sorted({t["file"] for t in driver.turns if t["cut_off"]}),
        "files_measured": sorted({t["file"] for t in turns}),
        "sessions": sessions,
        "run_s": round(seconds, 1),
        "end_to_decision_ms": stats(to_ms("decided_at")),
        "end_to_transcript_ms": stats(to_ms("transcript_at")),
        "end_to_scores_ms": stats(to_ms("scores_at")),
        "end_to_customer_ms": stats(to_ms("customer_at")),
        "meter_lag_ms": stats(driver.lags),
        "overflows": overflows,
        "per_turn": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in t.items()} for t in driver.turns],
    }


def print_report(result: dict) -> None:
    print(
        f"[{result['endpointer']} end of turn, {result['window']} window] {result['turns']} replies "
        f"({len(result['files_measured'])} files) "
        f"over {result['run_s']} s ({result['sessions']} session(s)), model {result['model']}, "
        f"wording by {result['wording']}"
    )
    for key in ("end_to_decision_ms", "end_to_transcript_ms", "end_to_scores_ms", "end_to_customer_ms", "meter_lag_ms"):
        value = result[key]
        print(f"  {key:22s} median {value['median']} ms   p90 {value['p90']} ms   (n={value['n']})")
    print(f"  overflows              {result['overflows']}")
    print(f"  cut-offs               {result['cut_offs']} {result['cut_off_files'] or ''}")


if __name__ == "__main__":
    sys.exit(main())
