"""Reading a recorded call (WAV, FLAC, MP3, M4A, OGG...) as 16 kHz tracks, refusing what cannot be a call.

WAV, FLAC, OGG and MP3 are read with libsndfile (soundfile); anything else FFmpeg decodes (M4A/AAC, Opus...)
through PyAV, whose wheel brings FFmpeg's libraries (it is a dependency of faster-whisper). Every refusal
is an `AudioFileError` that names the file and says what to do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from rehearse.audio.files import AudioFileError, ends_early, to_mono_16k
from rehearse.constants import SAMPLE_RATE

MAX_CALL_S = 2 * 3600.0
"""Longest call imported in one piece (a 2-hour call takes ~30 min on a 2-core CPU)."""
MIN_CALL_S = 1.0
MIN_RATE = 8000
MAX_RATE = 384_000
SAME_CHANNELS = 0.98
"""Two channels correlated this much carry the same mix (a mono call saved as stereo): diarize it."""


@dataclass(frozen=True)
class CallAudio:
    """A call's audio at 16 kHz: one track (a mono mix) or two (one party per channel)."""

    path: Path
    tracks: tuple[np.ndarray, ...]
    source_rate: int
    sha256: str
    """Hash of the file's bytes: the same call under another name is found again."""
    note: str | None = None
    """Something the user should know (the file ends early, stereo with the same mix on both channels)."""

    @property
    def duration_s(self) -> float:
        return self.tracks[0].size / SAMPLE_RATE

    @property
    def mono(self) -> np.ndarray:
        return self.tracks[0] if len(self.tracks) == 1 else np.mean(self.tracks, axis=0).astype(np.float32)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_call(path: str | Path, max_s: float = MAX_CALL_S) -> CallAudio:
    """Decode a call file. Raises `AudioFileError` for an empty, unreadable, too long or many-channel file."""
    path = Path(path)
    if not path.exists():
        raise AudioFileError(f"{path}: no such file")
    if path.is_dir():
        raise AudioFileError(f"{path}: is a folder, not a call recording")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty (0 bytes); export the call again")
    try:
        audio, rate = _read_soundfile(path, max_s)
    except _NotForLibsndfile:
        audio, rate = _read_ffmpeg(path, max_s)
    _check(path, audio, rate, max_s)
    note = ends_early(path)
    tracks = tuple(to_mono_16k(audio[:, c], rate) for c in range(audio.shape[1]))
    if len(tracks) == 2 and _same_mix(*tracks):
        tracks = (to_mono_16k(audio, rate),)
        note = (note + "; " if note else "") + f"{path}: both channels hold the same mix, so it is diarized as mono"
    return CallAudio(path, tracks, rate, file_hash(path), note)


class _NotForLibsndfile(Exception):
    pass


def _read_soundfile(path: Path, max_s: float) -> tuple[np.ndarray, int]:
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        raise _NotForLibsndfile from exc
    _check_header(path, info.channels, info.samplerate, info.frames / max(info.samplerate, 1), max_s)
    try:
        audio, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioFileError(f"{path}: the audio cannot be decoded ({exc}); the file may be damaged") from exc
    return audio, rate


def _read_ffmpeg(path: Path, max_s: float) -> tuple[np.ndarray, int]:
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioFileError(
            f"{path}: not an audio file Rehearse can read, or a damaged one ({getattr(exc, 'strerror', None) or exc}); "
            "give a call recording as WAV, FLAC, MP3, M4A or OGG"
        ) from exc
    with container:
        if not container.streams.audio:
            raise AudioFileError(f"{path}: holds no audio stream; give a call recording as WAV, FLAC, MP3, M4A or OGG")
        stream = container.streams.audio[0]
        if stream.codec_context is None:
            raise AudioFileError(
                f"{path}: its audio codec (format tag unknown to FFmpeg) is not supported; "
                f"convert it to WAV or FLAC, e.g. ffmpeg -i '{path.name}' call.wav"
            )
        rate = stream.codec_context.sample_rate or stream.rate or 0
        channels = stream.codec_context.channels
        seconds = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
        _check_header(path, channels, rate, seconds, max_s)
        blocks = []
        planar = av.AudioResampler(format="fltp")  # keeps the rate and channels
        try:
            for frame in container.decode(stream):
                for out in planar.resample(frame):
                    blocks.append(out.to_ndarray().T)  # (samples, channels) float32
        except av.error.FFmpegError as exc:
            if not blocks:
                raise AudioFileError(
                    f"{path}: the audio cannot be decoded ({exc}); convert it to WAV or FLAC, e.g. "
                    f"ffmpeg -i '{path.name}' call.wav"
                ) from exc
        except NotImplementedError as exc:  # a codec this FFmpeg build cannot decode
            raise AudioFileError(
                f"{path}: its codec ({stream.codec_context.name}) is not supported; convert it to WAV or FLAC"
            ) from exc
    if not blocks:
        raise AudioFileError(f"{path}: the file holds no audio samples (cut off or damaged?)")
    return np.concatenate(blocks).astype(np.float32), int(rate)


def _check_header(path: Path, channels: int, rate: int, seconds: float, max_s: float) -> None:
    """Refuse before decoding what a call cannot be."""
    if channels > 2:
        raise AudioFileError(
            f"{path}: has {channels} channels; a call has one (both parties mixed: diarized) or two "
            "(one party per channel). Export the two parties' channels as a stereo file"
        )
    if rate and not MIN_RATE <= rate <= MAX_RATE:
        raise AudioFileError(
            f"{path}: its sample rate ({rate} Hz) is outside {MIN_RATE}-{MAX_RATE} Hz; resample it, "
            "e.g. ffmpeg -i IN -ar 16000 call.wav"
        )
    if max_s and seconds > max_s:
        raise AudioFileError(
            f"{path}: is {seconds / 3600:.1f} hours long; Rehearse imports calls of up to "
            f"{max_s / 3600:.0f} hours: split it (e.g. ffmpeg -i IN -f segment -segment_time 3600 part%d.wav)"
        )


def _check(path: Path, audio: np.ndarray, rate: int, max_s: float) -> None:
    if audio.size == 0:
        raise AudioFileError(f"{path}: the file holds no audio samples (cut off or damaged?)")
    _check_header(path, audio.shape[1], rate, audio.shape[0] / rate, max_s)
    if audio.shape[0] / rate < MIN_CALL_S:
        raise AudioFileError(f"{path}: holds only {audio.shape[0] / rate:.2f} s of audio: too short for a call")
    if not np.all(np.isfinite(audio)):
        raise AudioFileError(f"{path}: the audio holds invalid (NaN or infinite) samples")


def _same_mix(left: np.ndarray, right: np.ndarray) -> bool:
    if not left.any() or not right.any():
        return False
    return float(np.corrcoef(left, right)[0, 1]) >= SAME_CHANNELS
