"""Capture without a sound card: ring buffer, incremental FLAC, overflow counting, device choice."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pytest

from rehearse.audio import devices
from rehearse.audio.capture import Capture
from rehearse.audio.devices import AudioDevice, NoDeviceError
from rehearse.audio.recorder import FlacRecorder, read_unfinished
from rehearse.audio.ring import RingBuffer

MIC = AudioDevice(3, "USB Headset", "ALSA", 1, 0, 48_000.0)


def test_ring_buffer_keeps_the_newest_seconds_by_absolute_index():
    ring = RingBuffer(1.0, sample_rate=10)
    ring.append(np.arange(7, dtype=np.float32))
    ring.append(np.arange(7, 14, dtype=np.float32))
    assert (ring.start, ring.end) == (4, 14)
    assert ring.slice(0).tolist() == list(range(4, 14))
    assert ring.slice(8, 11).tolist() == [8, 9, 10]
    assert ring.latest(3).tolist() == [11, 12, 13]
    ring.append(np.arange(100, 125, dtype=np.float32))
    assert ring.slice(ring.start).tolist() == list(range(115, 125))


def test_flac_track_survives_a_crash(tmp_path):
    recorder = FlacRecorder(tmp_path / "mic.flac")
    tone = (0.3 * np.sin(np.arange(16_000) / 8.0)).astype(np.float32)
    for _ in range(4):
        recorder.write(tone)
    recorder._file.flush()
    shutil.copy(tmp_path / "mic.flac", tmp_path / "crashed.flac")  # the file as a crash would leave it
    recorder.close()
    audio, rate = read_unfinished(tmp_path / "crashed.flac")
    assert rate == 16_000
    assert audio.size >= 3 * 16_000  # at most about a second is lost
    assert np.allclose(audio[:16_000], tone, atol=1e-3)


def _block(capture, seconds, overflow=False, at=100.0):
    frames = int(capture.rate * seconds)
    indata = (0.1 * np.random.default_rng(0).standard_normal((frames, 1))).astype(np.float32)
    capture._on_audio(indata, frames, SimpleNamespace(inputBufferAdcTime=at), SimpleNamespace(input_overflow=overflow))


def test_capture_resamples_to_16k_and_counts_overflows(tmp_path, caplog):
    capture = Capture(MIC, ring_seconds=5, track=tmp_path / "mic.flac")
    for i in range(20):
        _block(capture, 0.01, overflow=(i == 7), at=100.0 + 0.01 * i)
    blocks = [capture.read(timeout=0.1) for _ in range(20)]
    capture.stop()
    assert capture.overflows == 1
    assert "input overflow" in caplog.text
    total = sum(b.audio.size for b in blocks)
    assert 3200 - 400 <= total <= 3200  # 0.2 s at 16 kHz, less the filter delay soxr holds back
    assert blocks[-1].start == total - blocks[-1].audio.size
    assert capture.ring.end == total
    assert capture.track_path.exists()


def fake_portaudio(monkeypatch, listed):
    apis = [{"name": "ALSA", "default_input_device": 1 if listed else -1, "default_output_device": 2 if listed else -1}]
    monkeypatch.setattr(devices.sd, "query_hostapis", lambda: apis)
    monkeypatch.setattr(devices.sd, "query_devices", lambda: listed)
    monkeypatch.setattr(devices.sd.default, "device", [-1, -1])


def _info(index, name, inputs, outputs):
    return {
        "index": index,
        "name": name,
        "hostapi": 0,
        "max_input_channels": inputs,
        "max_output_channels": outputs,
        "default_samplerate": 48000.0,
    }


def test_choose_defaults_remembers_and_explains(monkeypatch):
    fake_portaudio(
        monkeypatch,
        [
            _info(0, "HDMI", 0, 2),
            _info(1, "Built-in Mic", 2, 0),
            _info(2, "Speakers", 0, 2),
            _info(3, "USB Headset", 1, 2),
        ],
    )
    assert devices.choose("input").name == "Built-in Mic"
    assert devices.choose("output").name == "Speakers"
    headset = devices.choose("input", "usb")
    devices.remember(input_device=headset)
    assert devices.choose("input").name == "USB Headset"
    assert devices.choose("input", "3").index == 3
    with pytest.raises(NoDeviceError, match="no input device matches 'webcam'"):
        devices.choose("input", "webcam")


def test_the_choice_is_remembered_in_the_data_folder_given(monkeypatch, tmp_path):
    fake_portaudio(monkeypatch, [_info(1, "Built-in Mic", 2, 0), _info(3, "USB Headset", 1, 2)])
    devices.remember(input_device=devices.choose("input", "usb"), folder=tmp_path / "elsewhere")
    assert (tmp_path / "elsewhere" / "devices.json").is_file()
    assert devices.choose("input", folder=tmp_path / "elsewhere").name == "USB Headset"
    assert devices.choose("input").name == "Built-in Mic"  # REHEARSE_DATA_DIR's folder remembers nothing


def test_no_input_device_says_what_to_connect(monkeypatch):
    fake_portaudio(monkeypatch, [])
    with pytest.raises(NoDeviceError, match="connect a headset or microphone"):
        devices.choose("input")


def test_a_device_that_comes_back_is_found_by_name(monkeypatch):
    fake_portaudio(monkeypatch, [_info(5, "USB Headset", 1, 2)])
    assert devices.find_again(MIC).index == 5
    fake_portaudio(monkeypatch, [])
    assert devices.find_again(MIC) is None
