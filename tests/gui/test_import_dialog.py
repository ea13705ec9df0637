"""The import dialog on a short real stereo call with the real importer: saved as a "real call" and opened in
Replay, a broken file refused with its message, a rerun skipped, a cancelled import saving nothing."""

from __future__ import annotations

from html import escape

import pytest

from tests.call_files import headset_call

pytestmark = pytest.mark.slow


def _run(qtbot, dialog) -> list[dict]:
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(dialog.finished_import, timeout=600_000) as finished:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def _shown(dialog) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(w.text() for w in dialog.results_host.findChildren(QLabel))


def test_the_dialog_imports_a_call_opens_it_in_replay_and_refuses_a_broken_file(window, qtbot, realspeech, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from rehearse.store import SessionStore

    call = headset_call(realspeech, 28.0, 44.0, tmp_path / "call.wav")
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt ")
    window.import_calls()
    dialog = window.import_dialog
    assert dialog.isVisible() and dialog.learner.text() == "sam"
    dialog.add_files([call, broken])
    dialog.channel.setCurrentIndex(dialog.channel.findData("right"))
    dialog.rules_only.setChecked(True)
    stages = []
    dialog._relay.progress.connect(lambda progress: stages.append(progress.stage))

    saved, refused = _run(qtbot, dialog)
    assert saved["status"] == "imported" and refused["status"] == "failed"
    assert {"decode", "transcribe", "score"} <= set(stages)
    assert dialog.bar.value() == dialog.bar.maximum() and dialog.stage.text().startswith("Done: 1 saved")
    assert "broken.wav" in refused["error"] and escape(refused["error"]) in _shown(dialog)
    assert "confidence 1.00" in _shown(dialog)
    [session] = SessionStore(folder=tmp_path / "data").sessions()
    assert session["kind"] == "real call" and session["learner"] == "sam" and session["id"] == saved["session"]

    [open_button] = [b for b in dialog.results_host.findChildren(QPushButton) if b.text() == "Open in replay"]
    with qtbot.waitSignal(window.replay.session_loaded, timeout=60_000):
        qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert window.current_page() == "replay" and window.replay.view is not None

    dialog.files.clear()
    dialog.add_files([call])
    [again] = _run(qtbot, dialog)
    assert again["status"] == "skipped" and again["session"] == session["id"]

    dialog.files.clear()
    dialog.add_files([headset_call(realspeech, 0.0, 12.0, tmp_path / "other.wav")])
    with qtbot.waitSignal(dialog.finished_import, timeout=600_000) as finished:
        dialog.start()
        dialog.cancel()
    assert finished.args[0] == [] and dialog.stage.text().startswith("Cancelled")
    assert len(SessionStore(folder=tmp_path / "data").sessions()) == 1
