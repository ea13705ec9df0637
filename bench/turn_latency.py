"""Per-turn processing time: end of the reply audio -> scores ready, for tiny.en and base.

Runs over the realspeech asr clips (../shared/realspeech), reporting model load times, the median
and p90 processing time per clip (transcription with word timestamps + prosody + wording with all its
layers, as practice runs it + scores), the median over clips up to 10 s (the target: <= 500 ms for
tiny.en on a 2-core CPU), the median with the phrase rules alone (`practice --rules-only`) and the WER.

    .venv/bin/python bench/turn_latency.py [--models tiny.en base] [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.audio.files import load_reply  # noqa: E402
from rehearse.coach.feedback import judge  # noqa: E402
from rehearse.models.stt import SpeechToText  # noqa: E402
from tests.wer import word_error_rate  # noqa: E402

DEFAULT_SET = ROOT.parent / "shared" / "realspeech"


def _clips(folder: Path) -> list[tuple[str, np.ndarray, str]]:
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["kind"] == "asr"]
    return [(r["id"], load_reply(folder / r["file"]), r["label"]) for r in rows]


def _p90(values: list[float]) -> float:
    return float(np.percentile(values, 90))


def measure(model: str, clips, repeats: int, device: str) -> dict:
    started = time.perf_counter()
    stt = SpeechToText(model, device=device)
    load_ms = 1000 * (time.perf_counter() - started)
    judge(stt.transcribe(clips[0][1]), clips[0][1], semantic=True)  # warm-up: loads and first-call allocations
    per_clip, rules_only, texts = {}, {}, {}
    for clip_id, audio, _ in clips:
        times, rule_times = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            transcript = stt.transcribe(audio)
            t1 = time.perf_counter()
            judge(transcript, audio, semantic=False)
            t2 = time.perf_counter()
            judge(transcript, audio, semantic=True)
            t3 = time.perf_counter()
            rule_times.append(1000 * (t2 - t0))
            times.append(1000 * (t1 - t0 + t3 - t2))
        per_clip[clip_id] = statistics.median(times)
        rules_only[clip_id] = statistics.median(rule_times)
        texts[clip_id] = transcript.text
    durations = {cid: audio.size / 16_000 for cid, audio, _ in clips}
    short = [ms for cid, ms in per_clip.items() if durations[cid] <= 10.0]
    return {
        "model": model,
        "device": stt.choice.device,
        "device_reason": stt.choice.reason,
        "load_ms": round(load_ms, 1),
        "turn_ms": {
            "median": round(statistics.median(per_clip.values()), 1),
            "p90": round(_p90(list(per_clip.values())), 1),
        },
        "turn_ms_up_to_10s": {"median": round(statistics.median(short), 1), "p90": round(_p90(short), 1)},
        "turn_ms_rules_only": {"median": round(statistics.median(rules_only.values()), 1)},
        "per_clip_ms": {cid: round(ms, 1) for cid, ms in per_clip.items()},
        "clip_seconds": {cid: round(d, 2) for cid, d in durations.items()},
        "wer": round(word_error_rate([ref for *_, ref in clips], [texts[cid] for cid, *_ in clips]), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--repeats", type=int, default=3, help="runs per clip; the median is kept")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--realspeech", type=Path, default=DEFAULT_SET)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not (args.realspeech / "manifest.csv").is_file():
        print(f"realspeech set not found at {args.realspeech}", file=sys.stderr)
        return 2
    clips = _clips(args.realspeech)
    results = [measure(m, clips, args.repeats, args.device) for m in args.models]
    print(
        f"{'model':<8} {'device':<6} {'load ms':>8} {'turn median':>12} {'p90':>8} {'<=10 s median':>14}"
        f" {'rules-only median':>18} {'WER':>6}"
    )
    for r in results:
        print(
            f"{r['model']:<8} {r['device']:<6} {r['load_ms']:>8.0f} {r['turn_ms']['median']:>12.0f} "
            f"{r['turn_ms']['p90']:>8.0f} {r['turn_ms_up_to_10s']['median']:>14.0f}"
            f" {r['turn_ms_rules_only']['median']:>18.0f} {r['wer']:>6.1%}"
        )
    if len(results) > 1:
        base = results[0]["turn_ms"]["median"]
        for r in results[1:]:
            print(f"{r['model']} / {results[0]['model']} median ratio: {r['turn_ms']['median'] / base:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"clips": len(clips), "results": results}, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
