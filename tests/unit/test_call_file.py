"""Call files that cannot be imported are refused before any model runs, with a message naming the file."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile as sf

from rehearse.audio.call_file import load_call
from rehearse.audio.files import AudioFileError
from rehearse.constants import SAMPLE_RATE


def _speechlike(seconds: float, rate: int = SAMPLE_RATE, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    return (0.2 * np.sin(2 * np.pi * 180 * t) * (rng.random(t.size) > 0.3)).astype(np.float32)


def _refused(path, *words: str) -> str:
    with pytest.raises(AudioFileError) as info:
        load_call(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message
    return message


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    _refused(path, "empty")


def test_a_file_that_is_not_audio_is_refused(tmp_path):
    path = tmp_path / "notes.mp3"
    path.write_text("minutes of the meeting\n" * 50)
    _refused(path, "not an audio file")


def test_a_file_cut_off_inside_its_header_is_refused(tmp_path):
    whole = tmp_path / "whole.wav"
    sf.write(whole, _speechlike(3.0), SAMPLE_RATE)
    path = tmp_path / "cut.wav"
    path.write_bytes(whole.read_bytes()[:30])
    _refused(path, "damaged")


def test_a_truncated_wav_is_read_as_far_as_it_goes_with_a_note(tmp_path):
    whole = tmp_path / "whole.wav"
    sf.write(whole, _speechlike(6.0), SAMPLE_RATE, subtype="PCM_16")
    path = tmp_path / "cut.wav"
    path.write_bytes(whole.read_bytes()[: 44 + 2 * SAMPLE_RATE * 2])
    call = load_call(path)
    assert call.duration_s == pytest.approx(2.0, abs=0.01)
    assert "ends early" in call.note and str(path) in call.note


def test_an_unsupported_codec_is_refused(tmp_path):
    data = (np.random.default_rng(1).normal(0, 1000, SAMPLE_RATE)).astype(np.int16).tobytes()
    fmt = struct.pack("<HHIIHH", 0x1234, 1, SAMPLE_RATE, 2 * SAMPLE_RATE, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path = tmp_path / "codec.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    _refused(path, "codec", "not supported")


def test_six_channels_are_refused(tmp_path):
    path = tmp_path / "surround.wav"
    sf.write(path, np.zeros((SAMPLE_RATE * 2, 6), dtype=np.float32), SAMPLE_RATE)
    _refused(path, "6 channels")


def test_a_three_hour_call_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "long.flac"
    rate = 8000
    with sf.SoundFile(path, "w", rate, 1, format="FLAC") as out:
        block = np.zeros(rate * 600, dtype=np.float32)
        for _ in range(18):  # 3 hours of silence (FLAC keeps it small)
            out.write(block)
    _refused(path, "3.0 hours", "split it")


def test_192_khz_audio_is_resampled_to_16_khz(tmp_path):
    path = tmp_path / "studio.wav"
    sf.write(path, _speechlike(2.0, rate=192_000), 192_000)
    call = load_call(path)
    assert call.source_rate == 192_000 and len(call.tracks) == 1
    assert call.tracks[0].size == 2 * SAMPLE_RATE


def test_a_sample_rate_no_call_has_is_refused(tmp_path):
    path = tmp_path / "odd.wav"
    sf.write(path, _speechlike(2.0, rate=4000), 4000)
    _refused(path, "4000 Hz")


def test_stereo_keeps_one_track_per_channel_and_the_same_mix_twice_is_mono(tmp_path):
    left, right = _speechlike(3.0, seed=1), _speechlike(3.0, seed=2)[::-1].copy()
    split = tmp_path / "split.wav"
    sf.write(split, np.stack([left, right], axis=1), SAMPLE_RATE)
    assert len(load_call(split).tracks) == 2
    same = tmp_path / "same.wav"
    sf.write(same, np.stack([left, left], axis=1), SAMPLE_RATE)
    call = load_call(same)
    assert len(call.tracks) == 1 and "same mix" in call.note


def test_m4a_and_mp3_are_decoded(tmp_path):
    import av

    audio = _speechlike(2.0)
    mp3 = tmp_path / "call.mp3"
    sf.write(mp3, audio, SAMPLE_RATE)
    m4a = tmp_path / "call.m4a"
    with av.open(str(m4a), "w") as out:
        stream = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray((audio[None] * 32767).astype(np.int16), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    for path in (mp3, m4a):
        call = load_call(path)
        assert abs(call.duration_s - 2.0) < 0.15  # AAC adds its encoder delay (~1,000 samples) and padding
        assert len(call.sha256) == 64
