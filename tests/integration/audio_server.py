"""A private PulseAudio server with a virtual microphone and a virtual speaker, for tests and the bench.

    mic_feed (null sink) --monitor--> mic (remap source): what `play()` sends here, the app hears.
    speaker (null sink, the default output): what the app plays; `record()` taps its monitor.

PortAudio 19.6 reaches PulseAudio through ALSA's "pulse"/"default" devices (libasound2-plugins);
the client side only needs PULSE_SERVER, which `start()` sets for this process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

MIC_FEED = "rehearse_mic_feed"
MIC = "rehearse_mic"
SPEAKER = "rehearse_speaker"


PLAY_BUFFER_MS = 250
"""How much of a clip PulseAudio holds ahead for `play()`. With 10 ms, `paplay` on a busy 2-core machine ran dry
inside clips: the virtual microphone got gaps and garbled stretches (150 ms over a 3 s clip, its onset unmatched)."""
EDGE_S = 0.15
"""Half the stretch of a clip that `where_it_landed` aligns around one sample."""
SEARCH_S = 0.3
"""How far from the whole clip's alignment that stretch is looked for."""


def _correlation(recorded: np.ndarray, part: np.ndarray) -> np.ndarray:
    size = 1 << (recorded.size + part.size - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(recorded, size) * np.conj(np.fft.rfft(part, size)), size)[: recorded.size]


def where_it_landed(recorded: np.ndarray, clip: np.ndarray, sample: int) -> int:
    """The index in `recorded` (16 kHz) where sample `sample` of `clip` landed: the clip's 0.3 s around that
    sample, aligned within 0.3 s of where the whole clip aligns best. A clip played into a virtual device can
    arrive with gaps, and then the whole clip's alignment falls between its parts, off at both ends. A sample not
    yet recorded (with 0.15 s after it) is placed by the whole clip's alignment."""
    whole = int(np.argmax(_correlation(recorded, clip)))
    begin = max(0, sample - int(EDGE_S * 16_000))
    part = clip[begin : sample + int(EDGE_S * 16_000)]
    if whole + begin + part.size > recorded.size:
        return whole + sample  # not all heard yet (a reply cut off before its end): where the whole clip puts it
    low = max(0, whole + begin - int(SEARCH_S * 16_000))
    near = _correlation(recorded, part)[low : whole + begin + int(SEARCH_S * 16_000)]
    return low + int(np.argmax(near)) + sample - begin


class AudioServerError(RuntimeError):
    """PulseAudio could not be started here."""


class VirtualAudio:
    """Start with `start()`, stop with `stop()`; `restart()` simulates a device that goes and comes back."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.socket = self.folder / "pulse.sock"
        self._process: subprocess.Popen | None = None
        self._saved_env: dict[str, str | None] = {}

    @staticmethod
    def available() -> str | None:
        """None when the tools are installed, else what is missing."""
        missing = [tool for tool in ("pulseaudio", "pactl", "paplay", "parecord") if not shutil.which(tool)]
        return f"missing {', '.join(missing)} (apt install pulseaudio pulseaudio-utils)" if missing else None

    def _server_env(self) -> dict[str, str]:
        env = dict(
            os.environ,
            HOME=str(self.folder),
            XDG_RUNTIME_DIR=str(self.folder),
            XDG_CONFIG_HOME=str(self.folder / "config"),
        )
        env.pop("PULSE_SERVER", None)
        return env

    def client_env(self) -> dict[str, str]:
        return dict(os.environ, PULSE_SERVER=f"unix:{self.socket}")

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.socket.exists():
            self.socket.unlink()
        command = [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--system=no",
            "--disallow-exit",
            "--no-cpu-limit",  # its load limiter ended the server mid-test on a busy 2-core machine
            "--use-pid-file=no",
            "--log-target=stderr",
            "--log-level=error",
            "-L",
            f"module-native-protocol-unix socket={self.socket} auth-anonymous=1",
            "-L",
            f"module-null-sink sink_name={MIC_FEED} rate=48000 channels=1",
            "-L",
            f"module-remap-source master={MIC_FEED}.monitor source_name={MIC} channels=1",
            "-L",
            f"module-null-sink sink_name={SPEAKER} rate=48000 channels=1",
        ]
        log = open(self.folder / "pulseaudio.log", "ab")
        self._process = subprocess.Popen(
            command, env=self._server_env(), stdout=log, stderr=log, start_new_session=True
        )
        for name, value in (("PULSE_SERVER", f"unix:{self.socket}"),):
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AudioServerError(f"pulseaudio exited: {(self.folder / 'pulseaudio.log').read_text()[-500:]}")
            if subprocess.run(["pactl", "info"], env=self.client_env(), capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        else:
            raise AudioServerError("pulseaudio did not answer within 10 s")
        self.pactl("set-default-source", MIC)
        self.pactl("set-default-sink", SPEAKER)

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.client_env(), capture_output=True, text=True, check=True)
        return done.stdout

    def play(self, path: Path) -> subprocess.Popen:
        """Speak a recording into the virtual microphone (returns at once; `.wait()` for the end)."""
        return subprocess.Popen(
            ["paplay", f"--device={MIC_FEED}", f"--latency-msec={PLAY_BUFFER_MS}", str(path)], env=self.client_env()
        )

    def record(self, path: Path) -> subprocess.Popen:
        """Record what the app plays (the speaker's monitor) to a WAV file until `.terminate()`."""
        return subprocess.Popen(
            ["parecord", f"--device={SPEAKER}.monitor", "--file-format=wav", "--channels=1", "--rate=48000", str(path)],
            env=self.client_env(),
        )

    def kill(self) -> None:
        """Stop the server abruptly, as when a USB headset is pulled out."""
        if self._process is not None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)
            self._process = None

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()


def virtual_audio_fixture(folder: Path):
    """Body of the pytest fixtures: a started server (skips when PulseAudio is missing), stopped after."""
    import pytest

    problem = VirtualAudio.available()
    if problem:
        pytest.skip(f"no virtual audio devices: {problem}")
    from rehearse.audio import devices

    server = VirtualAudio(folder)
    try:
        server.start()
    except AudioServerError as exc:
        pytest.skip(f"PulseAudio does not start here: {exc}")
    devices.refresh()
    if not devices.list_devices("input"):
        server.stop()
        pytest.skip("PortAudio does not see the PulseAudio devices: install libasound2-plugins (ALSA's pulse plugin)")
    try:
        yield server
    finally:
        server.stop()
        devices.refresh()
