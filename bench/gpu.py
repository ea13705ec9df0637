"""CPU against CUDA in one run: what a GPU buys each part of Rehearse (a GPU machine runs it in < 5 min).

For each device (CPU, then CUDA when CTranslate2 or torch can use one; otherwise the CUDA column says why not):
  - Whisper tiny.en, base (and any larger model given with --models): load time, median transcription time
    per realspeech asr clip (beam 1, word timestamps, as the app transcribes), real-time factor, and WER;
  - the wording layer (phrase rules + example matching + the fitted MiniLM layer) per reply, on labeled replies;
  - turn latency through the engine: each asr clip as a recorded reply in a real practice session (the model
    `--model auto` picks for the device), reply received -> verdict (transcript, prosody, wording, scores,
    the turn saved);
  - `rehearse import` of a mono call of `--call-s` seconds (600, a 10-minute call; a real two-party phone
    call repeated; the CPU imports `--cpu-call-s`, 120, to keep the run short, hence the per-minute row): the whole
    import and its stages (diarization with pyannote segmentation-3.0 + CAM++, transcription, scoring); skipped
    with the reason where this version has no call import.

    .venv/bin/python bench/gpu.py [--quick] [--devices cpu cuda] [--models tiny.en base] [--json OUT.json]

`--quick` (2 clips per measure, 10 wording replies, a 30 s call) proves the script on a small CPU.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.audio.files import load_reply  # noqa: E402
from rehearse.constants import SAMPLE_RATE  # noqa: E402
from rehearse.models.errors import ModelLoadError  # noqa: E402
from tests.wer import word_error_rate  # noqa: E402

REALSPEECH = ROOT.parent / "shared" / "realspeech"
WORDING_REPLIES = ROOT / "tests" / "data" / "coach_replies.yaml"
_LOGGER = logging.getLogger("bench.gpu")


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 1)


def _clips(folder: Path, limit: int | None) -> list[dict]:
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == "asr"]
    rows = rows[:limit] if limit else rows
    return [
        {"id": r["id"], "path": folder / r["file"], "audio": load_reply(folder / r["file"]), "ref": r["label"]}
        for r in rows
    ]


def availability(device: str) -> dict[str, str | None]:
    """For each engine, None when it can run on `device`, else why not."""
    if device == "cpu":
        return {"ctranslate2": None, "torch": None}
    from rehearse.models.device import ctranslate2_device, torch_device

    out: dict[str, str | None] = {}
    for engine, choose in (("ctranslate2", ctranslate2_device), ("torch", torch_device)):
        try:
            choose("cuda")
            out[engine] = None
        except ModelLoadError as exc:
            out[engine] = str(exc)
    return out


def whisper(model: str, device: str, clips: list[dict]) -> dict:
    """Load time, median ms per clip, real-time factor and WER of one Whisper model on `device`."""
    from rehearse.models.stt import SpeechToText

    started = time.perf_counter()
    stt = SpeechToText(model, device=device)
    load = time.perf_counter() - started
    stt.transcribe(clips[0]["audio"])  # first-call allocations, off the clock
    times, texts = [], []
    for clip in clips:
        t0 = time.perf_counter()
        texts.append(stt.transcribe(clip["audio"]).text)
        times.append(time.perf_counter() - t0)
    audio_s = sum(c["audio"].size for c in clips) / SAMPLE_RATE
    return {
        "ran_on": f"{stt.choice.device} ({stt.choice.compute_type})",
        "load_ms": _ms(load),
        "median_ms_per_clip": _ms(statistics.median(times)),
        "rtf": round(sum(times) / audio_s, 4),
        "wer": round(word_error_rate([c["ref"] for c in clips], texts), 4),
    }


def wording(device: str, texts: list[str]) -> dict:
    """The wording layer's median time per reply on `device` (the models loaded first, off the clock)."""
    from rehearse.coach import classifier

    classifier.load_adapter(device=device)
    classifier.detect(texts[0])
    times = []
    for text in texts:
        t0 = time.perf_counter()
        classifier.detect(text)
        times.append(time.perf_counter() - t0)
    from rehearse.coach import examples

    return {"ran_on": examples.embeddings().device, "median_ms_per_reply": _ms(statistics.median(times))}


def turn_latency(device: str, clips: list[dict]) -> dict:
    """Reply received -> verdict through the engine, one practice session per clip, `--model auto`."""
    from rehearse.app import events
    from rehearse.app.engine import build_engine
    from rehearse.app.options import PracticeOptions
    from rehearse.app.replies import RecordedReplies
    from rehearse.models.stt import SpeechToText

    stt = SpeechToText("auto", device=device)
    latencies = []
    with tempfile.TemporaryDirectory() as folder:
        for index, clip in enumerate([clips[0]] + clips):  # the first session warms the engine, off the clock
            options = PracticeOptions(
                scenario="internet-outage", model="auto", device=device, data_dir=Path(folder), learner="bench"
            )
            engine = build_engine(options, RecordedReplies([clip["path"]]), stt=stt)
            received: list[float] = []
            judged: list[float] = []
            done = threading.Event()

            def on_event(event, received=received, judged=judged, done=done):
                if isinstance(event, events.ReplyReceived):
                    received.append(time.monotonic())
                elif isinstance(event, events.Verdict):
                    judged.append(event.at)
                elif isinstance(event, events.SessionEnded):
                    done.set()

            engine.subscribe(on_event)
            engine.start()
            engine.wait()
            if engine.error is not None:
                raise engine.error
            if index and received and judged:
                latencies.append(judged[0] - received[0])
    return {
        "model": f"{stt.name} (auto)",
        "ran_on": stt.choice.device,
        "median_ms": _ms(statistics.median(latencies)),
        "max_ms": _ms(max(latencies)),
        "turns": len(latencies),
    }


def call_audio(seconds: float) -> np.ndarray:
    """`seconds` of a real two-party phone call (the realspeech pyannote sample, repeated)."""
    whole = load_reply(REALSPEECH / "conversation" / "conv_pyannote_sample_phonecall.wav")
    reps = int(np.ceil(seconds * SAMPLE_RATE / whole.size))
    return np.tile(whole, reps)[: int(seconds * SAMPLE_RATE)]


def call_import(device: str, seconds: float) -> dict:
    """`rehearse import` of a `seconds`-long mono call on `device` (models loaded by a 30 s call first), with
    the time of each stage (speakers = diarization, transcribe, score, save)."""
    try:
        from rehearse.app.calls.importer import ImportSettings, import_file
    except ImportError as exc:
        return {"skipped": f"this version has no call import ({exc})"}
    import soundfile as sf

    from rehearse.models.device import torch_device

    audio = call_audio(seconds)
    with tempfile.TemporaryDirectory() as folder:
        settings = ImportSettings(model="auto", device=device, data_dir=folder, learner="bench")
        sf.write(Path(folder) / "warm-up.wav", call_audio(45)[15 * SAMPLE_RATE :], SAMPLE_RATE)  # other bytes
        import_file(Path(folder) / "warm-up.wav", settings)
        sf.write(Path(folder) / "call.wav", audio, SAMPLE_RATE)
        t0 = time.perf_counter()
        imported = import_file(Path(folder) / "call.wav", settings)
        took = time.perf_counter() - t0
    result = imported["result"]
    stages = {f"{stage}_s": round(s, 2) for stage, s in result["stage_s"].items()}
    return {
        "ran_on": torch_device(device)[0],
        "audio_s": seconds,
        "s": round(took, 2),
        "s_per_call_minute": round(60 * took / seconds, 2),
        **stages,
        "turns": len(result["turns"]),
    }


def _wording_texts(limit: int) -> list[str]:
    replies = yaml.safe_load(WORDING_REPLIES.read_text(encoding="utf-8"))
    return [r["text"] for r in replies[:limit]]


def measure(device: str, args, clips: list[dict]) -> dict:
    ready = availability(device)
    column: dict = {"unavailable": {k: v for k, v in ready.items() if v}}
    if ready["ctranslate2"] is None:
        column["whisper"] = {m: whisper(m, device, clips) for m in args.models}
        column["turn_latency"] = turn_latency(device, clips)
    if ready["torch"] is None:
        column["wording"] = wording(device, _wording_texts(args.wording_replies))
        column["call_import"] = call_import(device, args.call_s if device == "cuda" else args.cpu_call_s)
    return column


def _cell(column: dict, *keys) -> str:
    value = column
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return "-"
        value = value[key]
    return f"{value:.1%}" if keys[-1] == "wer" else str(value)


def print_table(results: dict, models: list[str]) -> None:
    devices = list(results)
    rows = []
    for model in models:
        for key in ("load_ms", "median_ms_per_clip", "rtf", "wer"):
            rows.append((f"whisper {model} {key}", ("whisper", model, key)))
    rows += [
        ("turn latency model", ("turn_latency", "model")),
        ("turn latency median ms", ("turn_latency", "median_ms")),
        ("turn latency max ms", ("turn_latency", "max_ms")),
        ("wording ms per reply", ("wording", "median_ms_per_reply")),
        ("call import s", ("call_import", "s")),
        ("call import s per call minute", ("call_import", "s_per_call_minute")),
        ("  of which diarization s", ("call_import", "speakers_s")),
        ("  of which transcription s", ("call_import", "transcribe_s")),
        ("call audio s", ("call_import", "audio_s")),
    ]
    print(f"{'measure':<34}" + "".join(f"{d:>22}" for d in devices))
    for label, keys in rows:
        print(f"{label:<34}" + "".join(f"{_cell(results[d], *keys):>22}" for d in devices))
    for device, column in results.items():
        for engine, why in column.get("unavailable", {}).items():
            print(f"{device} unavailable for {engine}: {why}")
        skipped = column.get("call_import", {}).get("skipped")
        if skipped:
            print(f"{device} call import skipped: {skipped}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda"], choices=("cpu", "cuda"))
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"], help="Whisper models (names or folders)")
    parser.add_argument("--quick", action="store_true", help="2 clips, 10 wording replies, a 30 s call")
    parser.add_argument("--call-s", type=float, default=None, help="imported call's length (default 600, quick 30)")
    parser.add_argument(
        "--cpu-call-s", type=float, default=None, help="the CPU's call (default 120, so the run stays under 5 min)"
    )
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not (args.realspeech / "manifest.csv").is_file():
        print(f"bench/gpu.py: the realspeech set is not at {args.realspeech} (--realspeech DIR)", file=sys.stderr)
        return 2
    args.call_s = args.call_s or (30.0 if args.quick else 600.0)
    args.cpu_call_s = args.cpu_call_s or (30.0 if args.quick else 120.0)
    args.wording_replies = 10 if args.quick else 40
    clips = _clips(args.realspeech, 2 if args.quick else None)
    started = time.perf_counter()
    results = {}
    for device in args.devices:
        t0 = time.perf_counter()
        results[device] = measure(device, args, clips)
        results[device]["wall_s"] = round(time.perf_counter() - t0, 1)
    print_table(results, args.models)
    load = os.getloadavg()[0]
    took = time.perf_counter() - started
    print(f"clips: {len(clips)}; whole run {took:.0f} s; {os.cpu_count()} CPUs, load average {load:.1f}")
    if args.json:
        summary = {"clips": len(clips), "quick": args.quick, "cpus": os.cpu_count(), "load_average_1m": load}
        args.json.write_text(json.dumps({**summary, "results": results}, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
