"""How far the coach agrees with references, on real speech and the labeled replies; prints one table.

    python bench/coach_eval.py [--realspeech ../shared/realspeech] [--model tiny.en]

Rows: vocal tension (AUC of scores.calm, angry vs neutral EmoDB clips, each speaker's neutral clip
as baseline), pace (WPM from word timestamps vs the reference word count over the voiced span),
pitch (median F0 vs full-resolution librosa.pyin, and vs the FDA laryngograph; cost per second),
wording (precision/recall/F1 on each labeled set in tests/data: rules alone, with the example-sentence
layer, and with the learned layer; per move on the set that no rule or weight has seen) and fillers on
the AMI disfluent clips (reference, Whisper plain, Whisper with the disfluency prompt, acoustic detector).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rehearse.audio import prosody  # noqa: E402
from rehearse.audio.files import load_reply  # noqa: E402
from rehearse.coach import classifier, wording  # noqa: E402
from rehearse.coach.feedback import judge, measure_baseline  # noqa: E402
from rehearse.coach.fillers import FILLER_PROMPT, filled_pauses  # noqa: E402
from rehearse.coach.pace import count_fillers, measure  # noqa: E402
from rehearse.constants import VOCABULARY  # noqa: E402
from rehearse.models.stt import SpeechToText  # noqa: E402
from tests.agreement import auc, move_agreement  # noqa: E402

ROWS: list[tuple[str, str, str]] = []


def row(measure_name: str, value: str, target: str = "") -> None:
    ROWS.append((measure_name, value, target))


def _rows(manifest, kind):
    return [r for r in manifest if r["kind"] == kind]


def tension(stt, folder, manifest):
    by_speaker: dict[str, dict[str, dict]] = {}
    for r in _rows(manifest, "emotion"):
        by_speaker.setdefault(r["speaker"], {})[r["label"]] = r
    angry, neutral, angry_raw, neutral_raw = [], [], [], []
    for clips in by_speaker.values():
        if {"angry", "neutral"} - clips.keys():
            continue
        audio = {k: load_reply(folder / clips[k]["file"]) for k in ("angry", "neutral")}
        text = {k: stt.transcribe(a) for k, a in audio.items()}
        base = measure_baseline(text["neutral"], audio["neutral"])
        for label, scores, raw in (("angry", angry, angry_raw), ("neutral", neutral, neutral_raw)):
            calm = judge(text[label], audio[label], baseline=base).scores["calm"]
            scores.append(calm if calm is not None else 50.0)
            bare = judge(text[label], audio[label]).scores["calm"]
            raw.append(bare if bare is not None else 50.0)
    # calm should be higher for neutral: AUC of "neutral scores above angry"
    row(
        "vocal tension: AUC of scores.calm, neutral vs angry (speaker's neutral = baseline)",
        f"{auc(neutral, angry):.3f} ({len(angry)} pairs)",
        ">= 0.85",
    )
    row("vocal tension: same AUC without any baseline", f"{auc(neutral_raw, angry_raw):.3f}", "(info)")
    row(
        "  calm scores angry / neutral (with baseline)",
        f"{', '.join(f'{s:.0f}' for s in angry)} / {', '.join(f'{s:.0f}' for s in neutral)}",
    )


def pace(stt, folder, manifest):
    errors, skipped = [], []
    for r in _rows(manifest, "asr"):
        audio = load_reply(folder / r["file"])
        span = prosody.voiced_span(prosody.track(audio))
        ours = judge(stt.transcribe(audio), audio).metrics.wpm
        if span is None or ours is None:
            skipped.append(r["file"])
            continue
        reference = 60.0 * len(r["label"].split()) / (span[1] - span[0])
        errors.append(abs(ours / reference - 1.0) * 100.0)
    within = sum(e <= 10.0 for e in errors)
    row(
        "pace: metrics.wpm within 10% of reference word count / voiced span (asr clips)",
        f"{within}/{len(errors)} (median error {np.median(errors):.1f}%, max {max(errors):.1f}%)"
        if errors
        else "no clip",
        "all within 10%",
    )
    _skipped_row("pace", skipped)


def _skipped_row(what: str, skipped: list[str]) -> None:
    if skipped:
        row(f"  {what}: clips without voicing or words, not measured", ", ".join(skipped))


def pitch(folder, manifest):
    import librosa

    rel, rel_emotion, cost, pyin_cost, seconds = [], [], 0.0, 0.0, 0.0
    laryngograph, skipped = [], []
    for r in _rows(manifest, "asr") + _rows(manifest, "pitch") + _rows(manifest, "emotion"):
        audio = load_reply(folder / r["file"])
        if prosody.voiced_span(prosody.track(audio)) is None:
            skipped.append(r["file"])
            continue
        started = time.perf_counter()
        reference = librosa.pyin(audio, fmin=60.0, fmax=500.0, sr=prosody.SAMPLE_RATE)[0]
        pyin_cost += time.perf_counter() - started
        prosody.summarize(audio)  # warm
        started = time.perf_counter()
        track = prosody.track(audio)
        ours = prosody.summarize(audio, track).pitch_median_hz
        cost += time.perf_counter() - started
        seconds += audio.size / prosody.SAMPLE_RATE
        error = abs(ours / float(np.nanmedian(reference)) - 1.0) * 100.0
        (rel_emotion if r["kind"] == "emotion" else rel).append(error)
        if r["kind"] == "pitch":
            f0ref = np.loadtxt(folder / Path(r["file"]).parent / r["label"])
            ours_at_ref = np.interp(np.arange(f0ref.size) * 0.015, track.times, np.nan_to_num(track.f0_hz))
            both = (f0ref > 0) & (ours_at_ref > 0)
            gross = float(np.mean(np.abs(ours_at_ref[both] / f0ref[both] - 1.0) > 0.2)) * 100.0
            laryngograph.append((abs(ours / float(np.median(f0ref[f0ref > 0])) - 1.0) * 100.0, gross))
    row(
        "pitch: median F0 within 5% of full-resolution pyin (read speech: asr + pitch clips)",
        f"{sum(e <= 5 for e in rel)}/{len(rel)} (max error {max(rel):.1f}%)",
        "all within 5%",
    )
    row(
        "pitch: same on acted emotion clips (shouted anger included)",
        f"{sum(e <= 5 for e in rel_emotion)}/{len(rel_emotion)} (max error {max(rel_emotion):.1f}%)",
        "(info)",
    )
    row(
        "pitch: vs FDA laryngograph: median error / frames off by >20% (jointly voiced)",
        f"max {max(e for e, _ in laryngograph):.1f}% / max {max(g for _, g in laryngograph):.1f}% "
        f"over {len(laryngograph)} clips",
        "(info)",
    )
    row(
        "pitch: cost of all prosody per second of audio",
        f"{1000 * cost / seconds:.1f} ms (pyin full resolution here: {1000 * pyin_cost / seconds:.0f} ms)",
        "<= 20 ms",
    )
    _skipped_row("pitch", skipped)


def wording_rows():
    from train_wording_classifier import FIRST_SCORED_WITH, HELD_OUT, LABELED, SETS

    sets = {name: yaml.safe_load((LABELED / f"{name}.yaml").read_text(encoding="utf-8")) for name in SETS}
    everything = [c for cases in sets.values() for c in cases]
    started = time.perf_counter()
    rules = {name: [[h.move for h in wording.detect(c["text"])] for c in cases] for name, cases in sets.items()}
    rule_ms = 1000 * (time.perf_counter() - started) / len(everything)
    started = time.perf_counter()
    classifier.load_adapter()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    both = {
        name: [[h.move for h in wording.detect(c["text"], semantic=True)] for c in cases]
        for name, cases in sets.items()
    }
    both_ms = 1000 * (time.perf_counter() - started) / len(everything)
    started = time.perf_counter()
    learned = {name: [[h.move for h in classifier.detect(c["text"])] for c in cases] for name, cases in sets.items()}
    learned_ms = 1000 * (time.perf_counter() - started) / len(everything)
    for name, cases in sets.items():
        scores = []
        for detected in (rules[name], both[name], learned[name]):
            _, total = move_agreement(zip((c["moves"] for c in cases), detected, strict=True), VOCABULARY)
            scores.append(f"{total.precision:.3f} / {total.recall:.3f} / {total.f1:.3f}")
        if name == HELD_OUT:
            tag, target = "held out: no rule or weight saw it", ">= 0.85 F1"
        elif name in FIRST_SCORED_WITH or name == "coach_replies":
            tag, target = "rules tuned on it; learned layer fitted on it", "(regression)"
        else:
            tag, target = "rules never saw it; learned layer fitted on it", "(regression)"
        row(
            f"wording {name} ({len(cases)} replies, {tag}): P / R / F1 rules | + examples | + learned",
            " | ".join(scores),
            target,
        )
    cases = sets[HELD_OUT]
    per_move, _ = move_agreement(zip((c["moves"] for c in cases), learned[HELD_OUT], strict=True), VOCABULARY)
    for m in per_move:
        row(
            f"  {m.move} ({HELD_OUT}, all layers)",
            f"P {m.precision or 0:.2f} R {m.recall or 0:.2f} "
            f"F1 {m.f1 or 0:.2f} (tp {m.true_pos} fp {m.false_pos} fn {m.false_neg})",
        )
    row(
        "wording: cost per reply, rules / + examples / + examples + learned layer",
        f"{rule_ms:.1f} ms / {both_ms:.1f} ms / {learned_ms:.1f} ms (+{load_s:.1f} s once to load the models)",
        "",
    )
    row("wording: leave-one-set-out cross-validation of the learned layer", "python bench/train_wording_classifier.py")


def fillers(stt, folder, manifest):
    for r in _rows(manifest, "disfluent"):
        audio = load_reply(folder / r["file"])
        plain = stt.transcribe(audio)
        prompted = stt.transcribe(audio, prompt=FILLER_PROMPT)
        heard = filled_pauses(audio, prosody.track(audio), plain.words)
        ref = count_fillers(r["label"])
        fmt = lambda d: ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "none"  # noqa: E731
        row(
            f"fillers {r['speaker']}: reference / plain / prompt / acoustic",
            f"{fmt(ref)} / {fmt(measure(plain.words).fillers)} / {fmt(measure(prompted.words).fillers)} / "
            f"{len(heard)} filled pause(s) at {', '.join(f'{p.start:.1f}s' for p in heard) or '-'}",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realspeech", type=Path, default=ROOT.parent / "shared" / "realspeech")
    parser.add_argument("--model", default="tiny.en")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    folder = args.realspeech
    if (folder / "manifest.csv").is_file():
        with (folder / "manifest.csv").open(newline="", encoding="utf-8") as handle:
            manifest = list(csv.DictReader(handle))
        stt = SpeechToText(args.model, device="cpu")
        tension(stt, folder, manifest)
        pace(stt, folder, manifest)
        pitch(folder, manifest)
        fillers(stt, folder, manifest)
    else:
        row("real speech", f"not found at {folder}: audio rows skipped")
    wording_rows()
    width = max(len(r[0]) for r in ROWS)
    value_width = max(len(r[1]) for r in ROWS)
    print(f"{'measure':<{width}}  {'value':<{value_width}}  target")
    print("-" * (width + value_width + 12))
    for name, value, target in ROWS:
        print(f"{name:<{width}}  {value:<{value_width}}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
