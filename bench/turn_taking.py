"""Turn-taking offline: does the end of turn cut learners off, and how long does it keep them waiting?

Runs the live endpointing logic (Silero VAD windows -> `Endpointer`, Smart Turn asked at pauses, the
words of partial transcripts) over audio files at simulated real-time pace, with no devices: each model
answer arrives when it would have in the app, after the compute time it really took here (Whisper
partials every second and the speculative final at each pause share one ASR thread; Smart Turn has its
own). The same audio goes through the new end of turn ("smart_turn") and the old 300 ms silence rule
("silence") in one run.

The set: the realspeech `asr` and `disfluent` clips (finished replies with real pauses inside), the
`pitch` clips as a held-out group (finished sentences from other readers, never used to tune a threshold),
Piper replies with a hesitation of 0.4-1.5 s after an unfinished clause ("..., and | the technician
...") or mid-clause ("check the | installation date") at two speeds and pitches, and complete
replies of 1-15 s. Reported: cut-offs (the turn ended before the reply did) and end of speech -> end
decided (median, p90) on finished replies; then what the transcriber's steps buy for the final
transcript (commit nothing / commit after pauses / commit when two partials agree; final started at the
pause or at the decision).

    python bench/turn_taking.py [--json OUT.json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REALSPEECH = ROOT.parent / "shared" / "realspeech"
SR = 16_000
LEAD_S, TAIL_S = 0.5, 2.5
PARTIAL_EVERY_S = 1.0

HESITATIONS = [  # (first part, second part, kind)
    ("I can see your account, and", "the technician can come tomorrow morning.", "after unfinished clause"),
    ("I'm sorry about the outage, because", "the line was damaged in the storm.", "after unfinished clause"),
    ("So what I can do is", "credit your bill for the days you lost.", "after unfinished clause"),
    ("I understand, um,", "let me look into that for you right now.", "after filler"),
    ("Let me check the", "installation date for you.", "mid-clause"),
    ("We can send a replacement router to", "your home address this week.", "mid-clause"),
]
PAUSES_S = (0.4, 0.8, 1.2, 1.5)
HELD_OUT = "real held-out"
"""Finished English sentences that no end-of-turn threshold was tuned on (realspeech `pitch`: FDA readers)."""
VOICES = ({"rate": 0.85, "pitch_semitones": -2.0}, {"rate": 1.15, "pitch_semitones": 3.0})
COMPLETE = [
    "Yes, I can do that.",
    "I'm sorry, that should not have happened.",
    "I completely understand why you are upset. Let me check your account right now.",
    "Thank you for waiting. I have looked at your account, and I can see the outage started on Monday. "
    "I have booked a technician for tomorrow morning between eight and ten, and I have added a credit "
    "for the three days you were without service. You will get a text message to confirm the visit.",
]


@dataclass
class Clip:
    name: str
    group: str
    audio: np.ndarray
    speech_end: int
    """Sample where the reply's speech really ends (energy, 5 ms frames), in `audio`."""
    pause_s: float | None = None
    pause_kind: str | None = None


def energy_end(audio: np.ndarray) -> int:
    frames = audio[: audio.size // 80 * 80].reshape(-1, 80).astype(np.float64)
    levels = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    floor = np.percentile(levels, 10)
    active = np.flatnonzero(levels > max(floor + 12, -60))
    return int((active[-1] + 1) * 80)


def trim(audio: np.ndarray) -> np.ndarray:
    frames = audio[: audio.size // 80 * 80].reshape(-1, 80)
    active = np.flatnonzero(10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12) > -50)
    return audio[active[0] * 80 : (active[-1] + 1) * 80] if active.size else audio


def padded(audio: np.ndarray) -> tuple[np.ndarray, int]:
    out = np.concatenate(
        [np.zeros(int(LEAD_S * SR), np.float32), audio.astype(np.float32), np.zeros(int(TAIL_S * SR), np.float32)]
    )
    noise = np.random.default_rng(0).normal(0, 3e-4, out.size).astype(np.float32)  # a quiet room, not digital zero
    return out + noise, int(LEAD_S * SR)


def build_set(quick: bool) -> list[Clip]:
    import soxr

    from rehearse.audio.files import load_reply
    from rehearse.models.tts import TextToSpeech, VoiceStyle

    clips: list[Clip] = []
    for folder_name, group in (("asr", "real asr"), ("disfluent", "real disfluent"), ("pitch", HELD_OUT)):
        folder = REALSPEECH / folder_name
        if not folder.is_dir():
            print(f"note: {folder} is missing; the realspeech clips are left out")
            continue
        for path in sorted(folder.glob("*.wav")):
            audio, lead = padded(load_reply(path))
            clips.append(Clip(path.stem, group, audio, lead + energy_end(load_reply(path))))
    tts = TextToSpeech()

    def say(text: str, voice: dict) -> np.ndarray:
        parts = [s.audio for s in tts.sentences(text, VoiceStyle(level_db=-8.0, **voice))]
        return trim(soxr.resample(np.concatenate(parts), tts.sample_rate, SR).astype(np.float32))

    voices = VOICES[:1] if quick else VOICES
    for v, voice in enumerate(voices):
        for i, text in enumerate(COMPLETE):
            speech = say(text, voice)
            audio, lead = padded(speech)
            clips.append(
                Clip(f"complete{i}-v{v} ({speech.size / SR:.1f} s)", "piper complete", audio, lead + energy_end(speech))
            )
        for i, (first, second, kind) in enumerate(HESITATIONS[:3] if quick else HESITATIONS):
            a, b = say(first, voice), say(second, voice)
            for pause in PAUSES_S[1::2] if quick else PAUSES_S:
                speech = np.concatenate([a, np.zeros(int(pause * SR), np.float32), b])
                audio, lead = padded(speech)
                clips.append(
                    Clip(f"hes{i}-{pause:.1f}s-v{v}", "piper hesitation", audio, lead + energy_end(speech), pause, kind)
                )
    return clips


class Words:
    """Whisper transcripts of a clip's audio from its start up to a sample, computed once, with their cost."""

    def __init__(self, stt, audio: np.ndarray):
        self.stt, self.audio, self.cache = stt, audio, {}

    def upto(self, end: int) -> tuple[str, float]:
        key = end // 3200  # 200 ms buckets: old and new runs share decodes
        if key not in self.cache:
            began = time.perf_counter()
            end = max(key * 3200, 3200)
            text = self.stt.transcribe(self.audio[max(0, end - 20 * SR) : end], fitted=True).text  # as live: ≤20 s
            self.cache[key] = (text, time.perf_counter() - began)
        return self.cache[key]


class Probabilities:
    def __init__(self, model, audio: np.ndarray):
        self.model, self.audio, self.cache = model, audio, {}

    def at(self, begin: int, end: int) -> tuple[float, float]:
        if (begin, end) not in self.cache:
            began = time.perf_counter()
            p = self.model.probability(self.audio[max(0, begin, end - 8 * SR) : end])
            self.cache[(begin, end)] = (p, time.perf_counter() - began)
        return self.cache[(begin, end)]


def simulate(clip: Clip, config, smart: bool, words: Words, probs: Probabilities | None) -> dict:
    """One pass of the endpointing logic over `clip` at simulated real-time pace."""
    from rehearse.audio.endpoint import WINDOW, Endpointer, StreamingVad, sounds_unfinished
    from rehearse.audio.turn_end import PRE_SPEECH_S

    vad = StreamingVad()
    endpointer = Endpointer(config, answer_from=None, smart=smart)
    asr_free, asr_wanted = 0.0, None  # one ASR thread; a request waiting for it is replaced by a newer one
    pending: list[tuple[float, str, object]] = []  # (ready at, kind, payload)
    next_partial = None
    for i, prob in enumerate(vad.feed(clip.audio)):
        sample = i * WINDOW
        now = (sample + WINDOW) / SR
        if asr_wanted is not None and asr_free <= now:
            text, took = words.upto(asr_wanted)
            asr_free = max(asr_free, now - WINDOW / SR) + took
            pending.append((asr_free, "words", (text, asr_wanted)))
            asr_wanted = None
        for item in sorted(p for p in pending if p[0] <= now):
            pending.remove(item)
            ready, kind, payload = item
            if kind == "words":
                endpointer.words, endpointer.words_until = payload
                endpointer.unfinished = sounds_unfinished(endpointer.words)
            else:
                endpointer.estimate(*payload)
                if endpointer.check(max(sample, int(ready * SR))):
                    return result(clip, endpointer, ready)
        for d in endpointer.update(prob, sample):
            if d.kind == "speech_start":
                next_partial = now + PARTIAL_EVERY_S
            elif d.kind == "pause":  # speculative final: the words up to the pause
                asr_wanted = d.sample + WINDOW
            elif d.kind == "resume":
                asr_wanted = None
            elif d.kind == "analyse":
                p, took = probs.at(endpointer.speech_start - int(PRE_SPEECH_S * SR), d.sample)
                pending.append((now + took, "estimate", (p, d.sample, 1000 * took)))
            elif d.kind in ("speech_end", "max_length"):
                return result(clip, endpointer, now)
        if next_partial is not None and now >= next_partial and endpointer.speaking:
            asr_wanted = max(asr_wanted or 0, sample + WINDOW)
            next_partial = now + PARTIAL_EVERY_S
    return result(clip, endpointer, None)


def result(clip: Clip, endpointer, decided_s: float | None) -> dict:
    true_end = clip.speech_end / SR
    reasons = endpointer.end_of_turn or {}
    return {
        "clip": clip.name,
        "group": clip.group,
        "pause_s": clip.pause_s,
        "pause_kind": clip.pause_kind,
        "cut_off": decided_s is not None and decided_s < true_end,
        "end_to_decision_ms": None if decided_s is None else round(1000 * (decided_s - true_end)),
        "rule": reasons.get("rule"),
        "probability": reasons.get("probability"),
        "silence_ms": reasons.get("silence_ms"),
        "last_words": reasons.get("last_words"),
    }


def stats(values: list[float]) -> dict:
    if not values:
        return {"median": None, "p90": None, "n": 0}
    return {"median": round(float(np.median(values))), "p90": round(float(np.percentile(values, 90))), "n": len(values)}


def summarize(rows: list[dict]) -> dict:
    finished = [r for r in rows if not r["cut_off"] and r["end_to_decision_ms"] is not None]
    unfinished_pauses = [r for r in rows if r["pause_s"] is not None and r["pause_s"] <= 1.2]
    by_group = {}
    for group in sorted({r["group"] for r in rows}):
        mine = [r for r in rows if r["group"] == group]
        by_group[group] = {
            "cut_offs": sum(r["cut_off"] for r in mine),
            "n": len(mine),
            "end_to_decision_ms": stats(
                [r["end_to_decision_ms"] for r in mine if not r["cut_off"] and r["end_to_decision_ms"] is not None]
            ),
        }
    return {
        "replies": len(rows),
        "cut_offs": sum(r["cut_off"] for r in rows),
        "cut_offs_unfinished_pause_le_1_2s": sum(r["cut_off"] for r in unfinished_pauses),
        "unfinished_pauses_le_1_2s": len(unfinished_pauses),
        "end_to_decision_ms": stats([r["end_to_decision_ms"] for r in finished]),
        "by_group": by_group,
        "rules": {rule: sum(r["rule"] == rule for r in rows) for rule in sorted({str(r["rule"]) for r in rows})},
    }


def final_transcript_steps(stt, clips: list[Clip], decided_ms: dict[str, float]) -> dict:
    """What each transcriber step buys: the final's cost after the end is decided, per commit policy, with the
    final started at the pause (speculative) or at the decision."""
    from rehearse.app.live.transcriber import IncrementalTranscriber

    out = {}
    for mode in ("none", "gap", "agree"):
        waits_pause, waits_decision, tails = [], [], []
        for clip in clips:
            audio = clip.audio
            transcriber = IncrementalTranscriber(
                stt, lambda b, e, a=audio: a[max(b, 0) : e], lambda r: None, commit=mode
            )
            transcriber.close()  # its thread is not needed: decodes run here, one after another
            origin = int((LEAD_S - 0.4) * SR)
            transcriber.begin(origin, speech_from=int(LEAD_S * SR))
            end = clip.speech_end + 2 * 512
            t = origin + SR
            while t < clip.speech_end - SR // 4:
                transcriber._transcribe(transcriber._turn, t, final=False)
                t += int(PARTIAL_EVERY_S * SR)
            tails.append((end - transcriber._committed_until) / SR)
            began = time.perf_counter()
            transcriber._transcribe(transcriber._turn, end, final=True)
            took = 1000 * (time.perf_counter() - began)
            decided = decided_ms.get(clip.name, 0.0)
            pause_delay = 1000 * 2 * 512 / SR  # the pause is announced when the first silent windows are seen
            waits_pause.append(max(0.0, pause_delay + took - decided))
            waits_decision.append(took)
        out[mode] = {
            "tail_s": round(float(np.median(tails)), 2),
            "final_ms": stats(waits_decision),
            "after_decision_if_started_at_pause_ms": stats(waits_pause),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--quick", action="store_true", help="a smaller set (one voice, fewer pauses)")
    parser.add_argument("--json", type=Path, metavar="OUT.json")
    args = parser.parse_args(argv)

    import os

    from rehearse.audio import turn_end
    from rehearse.audio.endpoint import EndpointConfig
    from rehearse.models.stt import SpeechToText

    stt = SpeechToText(args.model, device="cpu")
    model = turn_end.SmartTurn()
    clips = build_set(args.quick)
    load = os.getloadavg()
    began = time.monotonic()
    new_config = EndpointConfig()
    old_config = replace(EndpointConfig(), end_of_turn="silence")
    rows = {"new": [], "old": []}
    for n, clip in enumerate(clips, 1):
        words, probs = Words(stt, clip.audio), Probabilities(model, clip.audio)
        rows["new"].append(simulate(clip, new_config, True, words, probs))
        rows["old"].append(simulate(clip, old_config, False, words, None))
        new = rows["new"][-1]
        print(
            f"  [{n}/{len(clips)}] {clip.name}: new {new['end_to_decision_ms']} ms ({new['rule']}, "
            f"p={new['probability']}, silence {new['silence_ms']} ms, {new['last_words']!r}), "
            f"old {rows['old'][-1]['end_to_decision_ms']} ms",
            flush=True,
        )
    # finished replies the new end of turn did not cut (the 60 s disfluent meeting excerpts are not replies)
    cut = {r["clip"] for r in rows["new"] if r["cut_off"] or r["end_to_decision_ms"] is None}
    finished = [c for c in clips if c.group in ("real asr", "piper complete") and c.name not in cut]
    decided = {r["clip"]: r["end_to_decision_ms"] for r in rows["new"]}
    steps = final_transcript_steps(stt, finished, decided)
    report = {
        "model": args.model,
        "load_avg_1m_at_start": round(load[0], 2),
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "run_s": round(time.monotonic() - began, 1),
        "new": summarize(rows["new"]),
        "old": summarize(rows["old"]),
        "final_transcript": steps,
        "per_reply": {"new": rows["new"], "old": rows["old"]},
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


def print_report(report: dict) -> None:
    print(
        f"turn-taking: {report['new']['replies']} replies, {report['run_s']} s, "
        f"load {report['load_avg_1m_at_start']} -> {report['load_avg_1m_at_end']}"
    )
    for name, label in (("old", "old: 300 ms silence"), ("new", "new: Smart Turn + words + silence")):
        s = report[name]
        e = s["end_to_decision_ms"]
        print(
            f"  {label:36s} cut-offs {s['cut_offs']}/{s['replies']} "
            f"(after unfinished clause, pause <= 1.2 s: {s['cut_offs_unfinished_pause_le_1_2s']}/"
            f"{s['unfinished_pauses_le_1_2s']}); end of speech -> end decided median {e['median']} ms, "
            f"p90 {e['p90']} ms (n={e['n']})"
        )
        for group, g in s["by_group"].items():
            print(
                f"      {group:18s} cut-offs {g['cut_offs']}/{g['n']}  median {g['end_to_decision_ms']['median']} ms"
                f"  p90 {g['end_to_decision_ms']['p90']} ms"
            )
        print(f"      rules: {s['rules']}")
    print("  final transcript (finished replies):")
    for mode, m in report["final_transcript"].items():
        print(
            f"      commit {mode:6s} uncommitted tail {m['tail_s']} s; final decode median "
            f"{m['final_ms']['median']} ms (p90 {m['final_ms']['p90']}); waited after the decision when "
            f"started at the pause: median "
            f"{m['after_decision_if_started_at_pause_ms']['median']} ms (p90 "
            f"{m['after_decision_if_started_at_pause_ms']['p90']})"
        )


if __name__ == "__main__":
    sys.exit(main())
