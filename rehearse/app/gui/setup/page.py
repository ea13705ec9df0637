"""Audio set-up: input and output pickers (remembered), a live input meter, a 5-second mic test played back,
warnings (no device, too quiet, clipping), and the calibration read that sets the learner's baseline."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from rehearse.app.gui import tasks
from rehearse.app.gui.setup.level_bar import LevelBar
from rehearse.app.gui.setup.monitor import InputMonitor, check_recording
from rehearse.app.gui.widgets import card, label

_LOGGER = logging.getLogger(__name__)

TEST_S = 5.0
CALIBRATION_MAX_S = 40.0
PASSAGE = (
    "Good morning, and thank you for calling. My name is Alex, and I will be looking after you today. "
    "I have your account open in front of me, so let me check what happened with your last order. "
    "It should only take a moment, and I will explain each step as I go."
)
"""Read aloud in the learner's ordinary, calm voice: about 20 seconds."""


def baseline_path(learner: str) -> Path:
    from rehearse.store.db import data_dir

    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in learner) or "learner"
    return data_dir() / "baselines" / f"{safe}.wav"


def measure_calibration(audio: np.ndarray, path: Path, model: str):
    """Transcribe the read with the real speech-to-text model, measure the baseline, save the read as WAV."""
    import soundfile as sf

    from rehearse.coach.feedback import measure_baseline
    from rehearse.models.stt import SpeechToText

    transcript = SpeechToText(model, device="auto").transcribe(audio)
    baseline = measure_baseline(transcript, audio)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), audio, 16_000, subtype="PCM_16")
    return transcript.text, baseline


class SetupPage(QWidget):
    devices_listed = Signal()
    test_finished = Signal(list)
    calibrated = Signal(str)

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.inputs: list = []
        self.outputs: list = []
        self.monitor: InputMonitor | None = None
        self.player = None
        self._mode: str | None = None  # "test" or "calibration" while recording
        self._build()
        self._timer = QTimer(self, interval=33, timeout=self._tick)

    # -- building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 12)
        outer.setSpacing(12)
        outer.addWidget(label("Audio set-up", "title"))
        outer.addWidget(
            label(
                "Choose your headset, check that it hears you, and read a short passage so the coach "
                "knows your normal voice.",
                "muted",
                wrap=True,
            )
        )
        self.no_mic, no_mic_layout = card("banner")
        self.no_mic_text = label("", wrap=True)
        no_mic_layout.addWidget(self.no_mic_text)
        typed = QPushButton("Practise by typing instead")
        typed.clicked.connect(self._typed_practice)
        no_mic_layout.addWidget(typed, 0, Qt.AlignmentFlag.AlignLeft)
        self.no_mic.hide()
        outer.addWidget(self.no_mic)

        columns = QHBoxLayout()
        columns.setSpacing(16)
        devices, layout = card()
        layout.addWidget(label("1. Your headset", "heading"))
        grid = QGridLayout()
        self.input_combo = QComboBox()
        self.output_combo = QComboBox()
        self.input_combo.currentIndexChanged.connect(self._input_chosen)
        self.output_combo.currentIndexChanged.connect(self._output_chosen)
        grid.addWidget(label("Microphone"), 0, 0)
        grid.addWidget(self.input_combo, 0, 1)
        grid.addWidget(label("Headphones"), 1, 0)
        grid.addWidget(self.output_combo, 1, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        refresh = QPushButton("Look for devices again")
        refresh.clicked.connect(lambda: self.refresh_devices(rescan=True))
        layout.addWidget(refresh, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(8)
        layout.addWidget(label("Input level — speak and watch it move", "muted"))
        meter_row = QHBoxLayout()
        self.level = LevelBar()
        self.level_text = label("–", "muted")
        self.level_text.setFixedWidth(70)
        meter_row.addWidget(self.level, 1)
        meter_row.addWidget(self.level_text)
        layout.addLayout(meter_row)
        layout.addSpacing(8)
        layout.addWidget(label("2. Mic test", "heading"))
        layout.addWidget(
            label(f"Say a few sentences for {TEST_S:.0f} seconds; you will hear them played back.", wrap=True)
        )
        self.test_button = QPushButton(f"Record a {TEST_S:.0f}-second test", objectName="primary", enabled=False)
        self.test_button.clicked.connect(self.start_test)
        layout.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.test_result = label("", wrap=True)
        layout.addWidget(self.test_result)
        layout.addStretch(1)
        columns.addWidget(devices, 1)

        calibration, layout = card()
        layout.addWidget(label("3. Calibration read", "heading"))
        layout.addWidget(
            label(
                "Read this aloud in your normal, calm voice. Your pitch, loudness and pace become "
                "the baseline that live feedback compares you with.",
                "muted",
                wrap=True,
            )
        )
        passage = label(PASSAGE, wrap=True, selectable=True)
        passage.setStyleSheet("font-size: 14pt; line-height: 140%; padding: 8px 2px;")
        layout.addWidget(passage)
        row = QHBoxLayout()
        self.calibrate_button = QPushButton("Start reading", objectName="primary", enabled=False)
        self.calibrate_button.clicked.connect(self.toggle_calibration)
        row.addWidget(self.calibrate_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.calibration_result = label("", wrap=True, selectable=True)
        layout.addWidget(self.calibration_result)
        layout.addStretch(1)
        columns.addWidget(calibration, 1)
        outer.addLayout(columns)
        outer.addStretch(1)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        done = QPushButton("Done: go to Home")
        done.clicked.connect(self._done)
        bottom.addWidget(done)
        outer.addLayout(bottom)
        self._show_baseline()

    # -- devices ------------------------------------------------------------------------------------
    def entered(self) -> None:
        self.refresh_devices()

    def refresh_devices(self, rescan: bool = False) -> None:
        """List the devices in the background; `rescan` makes PortAudio look again (after plugging one in)."""
        monitor, player = self.monitor, self.player
        self._timer.stop()
        self.monitor, self.player, self._mode = None, None, None
        self.window_.status("Looking for audio devices…")
        tasks.run_in_background(
            _list_devices, monitor, player, rescan, on_done=self._listed, on_error=self._no_audio, parent=self
        )

    def _listed(self, found) -> None:
        self.inputs, self.outputs, chosen = found
        for combo, devices, kind in (
            (self.input_combo, self.inputs, "input"),
            (self.output_combo, self.outputs, "output"),
        ):
            combo.blockSignals(True)
            combo.clear()
            for device in devices:
                combo.addItem(device.name, device.index)
            if not devices:
                combo.addItem("none found", None)
            if chosen.get(kind) is not None:
                combo.setCurrentIndex(max(0, combo.findData(chosen[kind].index)))
            combo.blockSignals(False)
        has_input = bool(self.inputs)
        QSettings().setValue("audio/no_input", not has_input)
        self.no_mic.setVisible(not has_input)
        if not has_input:
            self.no_mic_text.setText(
                "No microphone was found. Connect a headset (and check it is not muted or used "
                "by another program), then press “Look for devices again”. You can still "
                "practise by typing your replies."
            )
        elif not self.outputs:
            self.no_mic.show()
            self.no_mic_text.setText(
                "No headphones or speakers were found: you will not hear the customer. "
                "Connect a headset, or practise by typing."
            )
        self.test_button.setEnabled(has_input)
        self.calibrate_button.setEnabled(has_input)
        self.window_.status(f"{len(self.inputs)} input and {len(self.outputs)} output devices found", 4000)
        self._start_monitor()
        self.devices_listed.emit()

    def _no_audio(self, exc: BaseException) -> None:
        self.inputs, self.outputs = [], []
        QSettings().setValue("audio/no_input", True)
        self.no_mic.show()
        self.no_mic_text.setText(f"Audio is not available here ({exc}). You can still practise by typing.")
        self.devices_listed.emit()

    def selected_input(self):
        index = self.input_combo.currentData()
        return next((d for d in self.inputs if d.index == index), None)

    def selected_output(self):
        index = self.output_combo.currentData()
        return next((d for d in self.outputs if d.index == index), None)

    def _input_chosen(self, _i: int) -> None:
        device = self.selected_input()
        if device is not None:
            tasks.run_in_background(_remember, device, None)
            self._stop_monitor()
            self._start_monitor()

    def _output_chosen(self, _i: int) -> None:
        device = self.selected_output()
        if device is not None:
            tasks.run_in_background(_remember, None, device)

    # -- the live meter -----------------------------------------------------------------------------
    def _start_monitor(self) -> None:
        device = self.selected_input()
        if device is None or not self.isVisible():
            return
        self.monitor = InputMonitor(device)
        self.monitor.start()
        self._timer.start()

    def _stop_monitor(self) -> None:
        self._timer.stop()
        monitor, self.monitor = self.monitor, None
        if monitor is not None:
            tasks.run_in_background(monitor.stop)
        self._mode = None

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.monitor is None and self.inputs:
            self._start_monitor()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._stop_monitor()  # the practice page needs the microphone

    def _tick(self) -> None:
        monitor = self.monitor
        if monitor is None:
            return
        if monitor.error:
            self.level_text.setText("no signal")
            self.test_result.setText(
                f"The microphone stopped: {monitor.error}. Choose another one, or press “Look for devices again”."
            )
            self._stop_monitor()
            return
        reading = monitor.reading
        if reading is not None:
            self.level.set_level(reading.level_db, monitor.peak_db)
            self.level_text.setText(f"{reading.level_db:.0f} dBFS")
        if self._mode == "test" and monitor.recording_done():
            self._test_recorded(monitor.finish_recording())

    def level_db(self) -> float | None:
        """The live input level shown (for tests)."""
        return self.level.level_db if self.monitor and self.monitor.reading else None

    # -- mic test -----------------------------------------------------------------------------------
    def start_test(self) -> None:
        if self.monitor is None:
            return
        self._mode = "test"
        self.test_button.setEnabled(False)
        self.test_result.setText(f"Recording for {TEST_S:.0f} seconds: speak now…")
        self.monitor.record(TEST_S)

    def _test_recorded(self, audio: np.ndarray) -> None:
        self._mode = None
        self.test_button.setEnabled(True)
        warnings = check_recording(audio)
        self.test_result.setText(
            "\n".join(f"⚠ {w}" for w in warnings) if warnings else "Sounds good. Playing it back now…"
        )
        self.test_finished.emit(warnings)
        self._play_back(audio)

    def _play_back(self, audio: np.ndarray) -> None:
        from rehearse.app.gui.player import Player

        if self.player is not None:
            tasks.run_in_background(self.player.close)
        output = self.selected_output()
        self.player = Player(audio, 16_000, output.index if output else None)
        player = self.player

        def opened(_result) -> None:
            player.play()

        def failed(exc) -> None:
            self.test_result.setText(self.test_result.text() + f"\nCannot play it back: {exc}")

        tasks.run_in_background(player.open, on_done=opened, on_error=failed, parent=self)

    # -- calibration --------------------------------------------------------------------------------
    def toggle_calibration(self) -> None:
        if self.monitor is None:
            return
        if self._mode == "calibration":
            self._finish_calibration()
            return
        self._mode = "calibration"
        self.monitor.record(CALIBRATION_MAX_S)
        self.calibrate_button.setText("I have finished reading")
        self.calibration_result.setText("Recording: read the passage at your own pace…")

    def _finish_calibration(self) -> None:
        audio = self.monitor.finish_recording()
        self._mode = None
        self.calibrate_button.setText("Read it again")
        warnings = check_recording(audio)
        if audio.size < 16_000 * 3 or warnings:
            self.calibration_result.setText("\n".join(warnings) or "That was too short: read the whole passage.")
            return
        self.calibrate_button.setEnabled(False)
        from rehearse.app.gui.main_window import learner_name
        from rehearse.models.registry import DEFAULT_WHISPER

        learner = learner_name()
        path = baseline_path(learner)
        self.calibration_result.setText("Measuring your voice (loading the speech model)…")
        self.window_.status("Loading the speech-to-text model for the calibration read…")
        tasks.run_in_background(
            measure_calibration,
            audio,
            path,
            DEFAULT_WHISPER,
            on_done=lambda result: self._calibrated(learner, path, result),
            on_error=self._calibration_failed,
            parent=self,
        )

    def _calibrated(self, learner: str, path: Path, result) -> None:
        text, baseline = result
        QSettings().setValue(f"baseline/{learner}", str(path))
        self.calibrate_button.setEnabled(True)
        self.window_.status(f"Baseline saved for {learner}", 6000)
        self._show_baseline(baseline, text)
        self.calibrated.emit(str(path))

    def _calibration_failed(self, exc: BaseException) -> None:
        self.calibrate_button.setEnabled(True)
        self.calibration_result.setText(f"Could not measure the read: {exc}")
        self.window_.status(f"Calibration: {exc}", 15000)

    def _show_baseline(self, baseline=None, heard: str | None = None) -> None:
        from rehearse.app.gui.main_window import learner_name

        learner = learner_name()
        saved = QSettings().value(f"baseline/{learner}")
        if baseline is None:
            self.calibration_result.setText(
                f"Baseline for {learner}: saved ({saved})."
                if saved and Path(saved).is_file()
                else f"No baseline for {learner} yet: until there is one, your first reply of each session sets it."
            )
            return
        values = baseline.to_dict()
        parts = [
            f"{name.replace('_', ' ')} {value:.0f}" for name, value in values.items() if isinstance(value, (int, float))
        ]
        self.calibration_result.setText(
            f"Baseline saved for {learner}: {', '.join(parts) or 'too little speech'}.\nHeard: “{heard}”"
        )

    # -- leaving ------------------------------------------------------------------------------------
    def _typed_practice(self) -> None:
        self.window_.home.start_recommended("typed")

    def _done(self) -> None:
        QSettings().setValue("setup/done", True)
        self.window_.show_page("home")

    def shutdown(self) -> None:
        self._timer.stop()
        if self.monitor is not None:
            self.monitor.stop()
        if self.player is not None:
            self.player.close()


def _list_devices(monitor: InputMonitor | None, player, rescan: bool):
    """Stop this page's streams, then list the devices (PortAudio may re-scan only with no stream open)."""
    from rehearse.audio import devices

    if monitor is not None:
        monitor.stop()
    if player is not None:
        player.close()
    if rescan:
        devices.refresh()
    chosen = {}
    for kind in ("input", "output"):
        try:
            chosen[kind] = devices.choose(kind)
        except devices.NoDeviceError:
            chosen[kind] = None
    return devices.list_devices("input"), devices.list_devices("output"), chosen


def _remember(input_device, output_device) -> None:
    from rehearse.audio import devices

    devices.remember(input_device, output_device)
