"""`rehearse doctor`: what runs where (CPU or GPU) and why, audio devices, model files, data folder."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    parser = sub.add_parser("doctor", help="check models, devices and storage, with reasons")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def _check(name: str, fn) -> dict:
    try:
        return {"check": name, "ok": True, "detail": fn()}
    except Exception as exc:  # doctor reports every failure instead of stopping at the first
        return {"check": name, "ok": False, "detail": f"{type(exc).__name__}: {exc}"}


def _speech_to_text() -> str:
    from rehearse.models.stt import SpeechToText

    stt = SpeechToText()
    return f"{stt.name} on {stt.choice.device} ({stt.choice.compute_type}): {stt.choice.reason}"


def _text_to_speech() -> str:
    from rehearse.models.tts import TextToSpeech

    tts = TextToSpeech()
    return f"voice {tts.name}, {tts.sample_rate} Hz, CPU (onnxruntime)"


def _end_of_turn() -> str:
    from rehearse.audio.turn_end import describe

    return describe()


def _torch() -> str:
    from rehearse.models.device import torch_device

    device, reason = torch_device()
    return f"{device}: {reason}"


def _audio_devices() -> str:
    import sounddevice as sd

    devices = sd.query_devices()
    inputs = [d["name"] for d in devices if d["max_input_channels"] > 0]
    outputs = [d["name"] for d in devices if d["max_output_channels"] > 0]
    if not inputs and not outputs:
        return "no audio devices: connect a headset to practice live (recorded replies still work)"
    return f"{len(inputs)} input(s) {inputs[:3]}, {len(outputs)} output(s) {outputs[:3]}"


def _storage() -> str:
    import shutil

    from rehearse.constants import data_dir

    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free / 1e9
    return f"{folder} ({free:.1f} GB free)"


def run(args) -> int:
    checks = [
        _check("speech-to-text", _speech_to_text),
        _check("text-to-speech", _text_to_speech),
        _check("end of turn", _end_of_turn),
        _check("torch models", _torch),
        _check("audio devices", _audio_devices),
        _check("storage", _storage),
    ]
    if args.json:
        print(json.dumps(checks))
    else:
        for c in checks:
            print(f"{'ok ' if c['ok'] else 'FAIL'} {c['check']:<15} {c['detail']}")
    return 0 if all(c["ok"] for c in checks) else 1
