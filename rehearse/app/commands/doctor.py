"""`rehearse doctor`: what runs where (CPU or GPU) and why, audio devices, model files, data folder."""

from __future__ import annotations

import functools
import importlib.util
import json

from rehearse.app.runtime import add_model_options


def add_parser(sub) -> None:
    parser = sub.add_parser("doctor", help="check models, devices and storage, with reasons")
    add_model_options(parser, tts=False)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def _check(name: str, fn) -> dict:
    try:
        return {"check": name, "ok": True, "detail": fn()}
    except Exception as exc:  # doctor reports every failure instead of stopping at the first
        return {"check": name, "ok": False, "detail": f"{type(exc).__name__}: {exc}"}


def _speech_to_text(model: str, device: str) -> str:
    from rehearse.models.stt import SpeechToText

    stt = SpeechToText(model, device=device)
    chosen = f" (--model auto: {stt.model_reason})" if stt.auto else ""
    return f"Whisper {stt.name}{chosen} on {stt.choice.device} ({stt.choice.compute_type}): {stt.choice.reason}"


def _language_check() -> str:
    from rehearse.models.language import LANGUAGE_MODEL
    from rehearse.models.registry import whisper_model_path

    folder = whisper_model_path(LANGUAGE_MODEL)
    return f"Whisper {LANGUAGE_MODEL} tells other languages where an English-only model is unsure ({folder})"


def _cuda_libraries() -> str:
    import ctranslate2

    from rehearse.models import cuda_libs

    found = cuda_libs.preload().describe()
    if ctranslate2.get_cuda_device_count() == 0:
        return f"not needed without a CUDA GPU ({found})"
    return f"for Whisper on the GPU: {found}"


def _text_to_speech() -> str:
    from rehearse.models.tts import TextToSpeech

    tts = TextToSpeech()
    return f"voice {tts.name}, {tts.sample_rate} Hz, CPU (onnxruntime)"


def _end_of_turn() -> str:
    from rehearse.audio.turn_end import describe

    return describe()


@functools.cache
def _torch_device(requested: str) -> tuple[str, str]:
    """Where torch models run and why, after a first computation on the GPU (a failure there means CPU)."""
    from rehearse.models.device import torch_device

    device, reason = torch_device(requested)
    if device == "cuda":
        import torch

        try:
            probe = torch.ones(64, 64, device="cuda")
            float((probe @ probe).sum().item())
        except RuntimeError as exc:
            if requested == "cuda":
                raise
            return "cpu", f"{reason}, but CUDA failed at the first computation ({exc})"
    return device, reason


def _wording_model(device: str) -> str:
    from rehearse.models.embeddings import SentenceEmbeddings

    where, reason = _torch_device(device)
    model = SentenceEmbeddings(device=where)
    if where == "cuda":  # the model's own first computation: it moves to the CPU with a warning if it fails
        model.encode(["Thanks for waiting."])
    return f"{model.name} + the fitted wording layer on {model.device}: {reason}"


def _diarization(device: str) -> str:
    if importlib.util.find_spec("rehearse.models.diarization") is None:
        return "not part of this version"
    where, reason = _torch_device(device)
    return f"pyannote segmentation-3.0 + CAM++ (call import) on {where}: {reason}"


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
        _check("speech-to-text", lambda: _speech_to_text(args.model, args.device)),
        _check("language check", _language_check),
        _check("CUDA 12 libs", _cuda_libraries),
        _check("wording model", lambda: _wording_model(args.device)),
        _check("diarization", lambda: _diarization(args.device)),
        _check("text-to-speech", _text_to_speech),
        _check("end of turn", _end_of_turn),
        _check("audio devices", _audio_devices),
        _check("storage", _storage),
    ]
    if args.json:
        print(json.dumps(checks))
    else:
        for c in checks:
            print(f"{'ok ' if c['ok'] else 'FAIL'} {c['check']:<15} {c['detail']}")
    return 0 if all(c["ok"] for c in checks) else 1
