"""Writing a user's audio file (a synthesized line, an exported call) atomically: into a temporary file in the
same folder, flushed to disk, checked, then renamed over the target. A failed write (a full disk, a file size
limit, a folder that cannot be written) leaves any existing file exactly as it was and no temporary file behind,
and raises `AudioFileError` saying what happened and what to do."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from rehearse.audio.files import AudioFileError

FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}
"""File name endings that can be written, with their format and sample encoding."""


def check_output(path: str | os.PathLike) -> Path:
    """The path if an audio file can be written there (judged from its name and folder, before any work is
    done); raises `AudioFileError` otherwise."""
    path = Path(path)
    if path.is_dir():
        raise AudioFileError(f"{path} is a folder; give a file name, e.g. {path / 'call.wav'}")
    if path.suffix.lower() not in FORMATS:
        kinds = ", ".join(FORMATS)
        raise AudioFileError(
            f"cannot write {path}: unknown audio format '{path.suffix or '(none)'}'; end the file name with {kinds}"
        )
    folder = _existing_parent(path)
    if not folder.is_dir():
        raise AudioFileError(f"cannot write {path}: {folder} is a file, not a folder; choose another place")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise AudioFileError(f"cannot write {path}: no permission to write in {folder}; choose another place")
    return path


def _existing_parent(path: Path) -> Path:
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def write_audio(path: str | os.PathLike, audio: np.ndarray, sample_rate: int) -> Path:
    """Write mono or multichannel float audio to `path` (format from its ending), atomically."""
    path = check_output(path)
    fmt, subtype = FORMATS[path.suffix.lower()]
    existed = path.exists()
    keep = "the existing file is unchanged" if existed else "nothing was written"

    def failed(reason) -> AudioFileError:
        return AudioFileError(f"cannot write {path}: {reason}; {keep}; check free disk space and permissions")

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise failed(exc.strerror or exc) from exc
    audio = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    try:
        sf.write(temporary, audio, sample_rate, format=fmt, subtype=subtype)
        _sync(temporary)
        written = sf.info(temporary).frames
        if written != len(audio):  # libsndfile does not always report a short write; the file tells
            raise OSError(f"only {written} of {len(audio)} frames reached the disk")
        if existed:
            with contextlib.suppress(OSError):
                os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except (OSError, RuntimeError, ValueError, TypeError) as exc:  # sf.LibsndfileError is a RuntimeError
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise failed(getattr(exc, "strerror", None) or exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut once the folder is synced
        _sync(path.parent)
    return path


def _sync(path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
