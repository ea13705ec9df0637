"""Reading replies from audio files and writing turn tracks, with errors a user can act on."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from rehearse.constants import SAMPLE_RATE
from rehearse.privacy import private_file


class AudioFileError(ValueError):
    """An audio file cannot be used; the message names the file and what is wrong."""


def to_mono_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mix down to mono and resample to 16 kHz float32 (soxr)."""
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if sample_rate != SAMPLE_RATE and audio.size:
        audio = soxr.resample(audio, sample_rate, SAMPLE_RATE, quality="HQ")
    return np.ascontiguousarray(audio, dtype=np.float32)


def load_reply(path: str | os.PathLike) -> np.ndarray:
    """Load a learner's reply as 16 kHz mono float32. Raises `AudioFileError` with the reason."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"{path}: no such file")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not an audio file")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty")
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise AudioFileError(f"{path}: not a readable audio file ({exc}); use WAV, FLAC or OGG") from exc
    if audio.size == 0:
        raise AudioFileError(f"{path}: the file holds no audio samples")
    if not np.all(np.isfinite(audio)):
        raise AudioFileError(f"{path}: the audio holds invalid (NaN or infinite) samples")
    return to_mono_16k(audio, rate)


def write_flac(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Write a mono track as 16-bit FLAC, atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    sf.write(str(partial), np.clip(audio, -1.0, 1.0), sample_rate, format="FLAC", subtype="PCM_16")
    private_file(partial)
    os.replace(partial, path)
    return path


def ends_early(path: str | os.PathLike) -> str | None:
    """A note when a WAV file holds less audio than its header promises (cut off while it was copied or
    recorded), else None. The part that is there can still be used."""
    try:
        declared = _declared_wav_frames(Path(path))
        held = sf.info(str(path)).frames if declared is not None else None
    except (OSError, RuntimeError, sf.LibsndfileError):
        return None
    if declared is None or held is None or held >= declared * 0.99:
        return None
    rate = sf.info(str(path)).samplerate
    return (
        f"{path} ends early: its header promises {declared / rate:.1f} s but it holds {held / rate:.1f} s "
        f"(cut off while it was copied or recorded?); only what is there is judged"
    )


def _declared_wav_frames(path: Path) -> int | None:
    """Frames the RIFF/WAVE header declares, or None for other formats (or a header that cannot tell)."""
    with path.open("rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        block_align = None
        while True:
            chunk = handle.read(8)
            if len(chunk) < 8:
                return None
            kind, size = chunk[:4], int.from_bytes(chunk[4:], "little")
            if kind == b"fmt ":
                fmt = handle.read(size)
                block_align = int.from_bytes(fmt[12:14], "little") if len(fmt) >= 14 else None
                handle.seek(size % 2, 1)
            elif kind == b"data":
                if not block_align or size in (0, 0xFFFFFFFF):  # streamed WAVs leave the size unset
                    return None
                return size // block_align
            else:
                handle.seek(size + size % 2, 1)
