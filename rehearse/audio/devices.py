"""Audio devices: list them, choose sensible defaults, remember the user's choice, notice loss and return.

PortAudio (through sounddevice) enumerates devices only when it initialises, so `refresh()` re-reads
the list; call it only while no stream is open (after a stream failed, for instance).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import sounddevice as sd

from rehearse.constants import data_dir
from rehearse.privacy import private_file, private_folder

_LOGGER = logging.getLogger(__name__)


class NoDeviceError(RuntimeError):
    """No usable input or output device; the message says what to connect or choose."""


@dataclass(frozen=True)
class AudioDevice:
    """One PortAudio device."""

    index: int
    name: str
    host_api: str
    inputs: int
    """Input channels (0 for an output-only device)."""
    outputs: int
    sample_rate: float
    """The device's native (default) sample rate."""

    def to_dict(self) -> dict:
        return asdict(self)


def list_devices(kind: str | None = None) -> list[AudioDevice]:
    """All devices, or only those with inputs (`kind="input"`) or outputs (`kind="output"`)."""
    apis = sd.query_hostapis()
    found = []
    for info in sd.query_devices():
        device = AudioDevice(
            info["index"],
            info["name"],
            apis[info["hostapi"]]["name"],
            info["max_input_channels"],
            info["max_output_channels"],
            float(info["default_samplerate"]),
        )
        if kind == "input" and not device.inputs or kind == "output" and not device.outputs:
            continue
        found.append(device)
    return found


def refresh() -> None:
    """Make PortAudio enumerate devices again, so unplugged ones vanish and new ones appear."""
    sd._terminate()
    sd._initialize()


def _default_index(kind: str) -> int:
    pair = sd.default.device
    index = pair[0] if kind == "input" else pair[1]
    if index is None or index < 0:
        api = sd.query_hostapis()
        candidates = [a[f"default_{kind}_device"] for a in api if a[f"default_{kind}_device"] >= 0]
        index = candidates[0] if candidates else -1
    return index


def choose(kind: str, wanted: str | int | None = None, folder: str | os.PathLike | None = None) -> AudioDevice:
    """The device to use: `wanted` (index or part of a name), else the choice remembered in the data folder
    (`folder`, see `constants.data_dir`), else the default.

    Raises `NoDeviceError` when there is no device of that kind, or `wanted` matches none.
    """
    devices = list_devices(kind)
    if not devices:
        what = "a headset or microphone" if kind == "input" else "headphones or speakers"
        raise NoDeviceError(
            f"no audio {kind} device found: connect {what} (and check that it is not muted "
            f"or used by another program), then run `rehearse practice --list-devices` to see "
            f"what is found"
        )
    if wanted is not None and str(wanted).strip():
        text = str(wanted).strip()
        if text.isdigit():
            match = [d for d in devices if d.index == int(text)]
        else:
            match = [d for d in devices if d.name == text] or [d for d in devices if text.lower() in d.name.lower()]
        if not match:
            names = ", ".join(f"{d.index}: {d.name}" for d in devices)
            raise NoDeviceError(f"no {kind} device matches '{text}'; {kind} devices are: {names}")
        return match[0]
    remembered = load_choice(folder).get(kind)
    if remembered:
        match = [d for d in devices if d.name == remembered]
        if match:
            return match[0]
        _LOGGER.info("the remembered %s device '%s' is not connected; using the default", kind, remembered)
    default = _default_index(kind)
    return next((d for d in devices if d.index == default), devices[0])


def find_again(device: AudioDevice) -> AudioDevice | None:
    """After `refresh()`: the same device (by name) if it is connected again, else None."""
    kind = "input" if device.inputs else "output"
    return next((d for d in list_devices(kind) if d.name == device.name), None)


def _choice_file(folder: str | os.PathLike | None) -> Path:
    return data_dir(folder) / "devices.json"


def load_choice(folder: str | os.PathLike | None = None) -> dict[str, str]:
    """The device names remembered in the data folder (`folder`, see `constants.data_dir`) by kind ("input",
    "output")."""
    try:
        return json.loads(_choice_file(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remember(
    input_device: AudioDevice | None = None,
    output_device: AudioDevice | None = None,
    folder: str | os.PathLike | None = None,
) -> None:
    """Remember the user's choice by device name (indexes change when devices come and go), in the data folder."""
    choice = load_choice(folder)
    if input_device is not None:
        choice["input"] = input_device.name
    if output_device is not None:
        choice["output"] = output_device.name
    path = _choice_file(folder)
    private_folder(path.parent)
    path.write_text(json.dumps(choice, indent=1), encoding="utf-8")
    private_file(path)


def close_stream(stream, what: str) -> None:
    """Abort and close a PortAudio stream; a device that has already vanished is only logged."""
    try:
        stream.abort()
        stream.close()
    except sd.PortAudioError as exc:
        _LOGGER.info("closing the %s stream: %s", what, exc)
