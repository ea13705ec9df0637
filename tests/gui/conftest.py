"""Window tests: offscreen Qt, settings in a temporary folder, real sessions made by the real models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch, qapp):
    """QSettings in tmp_path, the set-up marked done (the window opens on Home), learner "sam"."""
    from PySide6.QtCore import QCoreApplication, QSettings

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("REHEARSE_SCENARIOS", raising=False)
    QCoreApplication.setOrganizationName("RehearseTest")
    QCoreApplication.setApplicationName("RehearseTest")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))
    settings = QSettings()
    settings.clear()
    settings.setValue("setup/done", True)
    settings.setValue("learner", "sam")
    settings.setValue("models/warm_up", False)  # each test's window would load Whisper and the wording models
    settings.sync()
    yield


@pytest.fixture()
def window(qtbot):
    from PySide6.QtWidgets import QApplication

    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow

    theme.apply(QApplication.instance(), "light")
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    win.close()


@pytest.fixture(scope="session")
def saved_sessions(tmp_path_factory, stt, tts) -> tuple[Path, list[str]]:
    """A store with three sessions played by the real engine pieces (one with a retake of turn 1)."""
    from tests.gui.real_sessions import record_sessions

    folder = tmp_path_factory.mktemp("sessions")
    return folder, record_sessions(folder, stt, tts)


@pytest.fixture()
def data_dir(saved_sessions, monkeypatch) -> Path:
    """The real sessions' store as the window's data folder."""
    folder, _ids = saved_sessions
    monkeypatch.setenv("REHEARSE_DATA_DIR", str(folder))
    return folder


@pytest.fixture()
def virtual_audio(tmp_path):
    from tests.integration.audio_server import virtual_audio_fixture

    yield from virtual_audio_fixture(tmp_path / "pulse")
