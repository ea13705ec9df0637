"""Render the window's screens to PNG at 1280x800 with real sessions (run by screenshots.sh).

    scripts/screenshots.py prepare WORK                 saved sessions (WORK/data) and spoken replies (WORK/replies)
    scripts/screenshots.py shoot OUT_DIR WORK SCHEME     one colour scheme ("light" or "dark"), in this process

Sessions are played through the real engine pieces (Piper voices, Whisper, the coach); the audio set-up
page listens to PulseAudio virtual devices while a real recording is played into the virtual microphone;
scripts/screenshot_practice.py runs a real live session for the practice screens.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZE = (1280, 800)
SPEECH = ROOT.parent / "shared" / "realspeech" / "asr" / "asr_librivox_sense_0870.wav"


def wait(app, condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    print(f"screenshots: gave up waiting after {timeout:.0f} s", file=sys.stderr)
    return False


def settle(app, seconds: float = 0.4) -> None:
    """Let timers and repaints run for a moment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def save(window, path: Path) -> Path:
    image = window.grab().toImage()
    assert (image.width(), image.height()) == SIZE, (image.width(), image.height())
    image.save(str(path))
    print(path)
    return path


def prepare(work: Path) -> None:
    """The saved sessions and the learner's spoken replies, made once for both schemes."""
    from rehearse.models.stt import SpeechToText
    from rehearse.models.tts import TextToSpeech
    from tests.gui.real_sessions import record_sessions

    practice = _practice_module()
    work.mkdir(parents=True, exist_ok=True)
    tts = TextToSpeech()
    print("screenshots: recording sessions with the real models…")
    ids = record_sessions(work / "data", SpeechToText("tiny.en", device="cpu"), tts)
    (work / "sessions.txt").write_text("\n".join(ids))
    _module("screenshot_review").prepare(work / "data", ids)
    if practice is not None:
        practice.spoken_replies(work / "replies", tts)


def open_window(scheme: str, **settings):
    """The Qt application and the real main window at SIZE, set up as the learner (`settings`: more QSettings)."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow
    from tests.gui.real_sessions import LEARNER

    QCoreApplication.setOrganizationName("RehearseScreenshots")
    QCoreApplication.setApplicationName("Rehearse")
    app = QApplication([sys.argv[0]])
    stored = QSettings()
    for key, value in {"setup/done": True, "learner": LEARNER, **settings}.items():
        stored.setValue(key, value)
    theme.apply(app, scheme)
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    wait(app, window.isVisible)
    return app, window


def shoot(out_dir: Path, work: Path, scheme: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ["REHEARSE_DATA_DIR"] = str(work / "data")
    os.environ["XDG_CONFIG_HOME"] = str(work / f"config-{scheme}")
    os.environ.pop("REHEARSE_SCENARIOS", None)
    ids = (work / "sessions.txt").read_text().split()

    from tests.integration.audio_server import VirtualAudio

    audio = None
    if VirtualAudio.available() is None:
        audio = VirtualAudio(work / f"pulse-{scheme}")
        audio.start()
    else:  # the set-up page then shows "no microphone", which is also a real screen
        print(f"screenshots: no virtual audio devices ({VirtualAudio.available()})", file=sys.stderr)

    app, window = open_window(scheme)
    try:
        window.show_page("home")
        wait(app, window.home.loaded)
        settle(app)
        save(window, out_dir / f"home-{scheme}.png")

        window.show_page("setup")
        wait(
            app,
            lambda: (
                window.setup.input_combo.count() > 0
                and window.setup.monitor is not None
                or window.setup.no_mic.isVisible()
            ),
            20,
        )
        feeding = audio.play(SPEECH) if audio and SPEECH.is_file() else None
        if feeding is not None:
            wait(app, lambda: (window.setup.level_db() or -120) > -35, 10)
            settle(app, 0.3)
        else:
            settle(app, 1.0)
        save(window, out_dir / f"setup-{scheme}.png")
        if feeding is not None:  # the level has been seen: no need to hear the rest of the recording
            feeding.terminate()
            feeding.wait(timeout=5)

        page = window.replay
        loaded = []
        page.pitch_ready.connect(lambda: loaded.append(True))
        window.open_replay(ids[-1], 2)
        wait(app, lambda: bool(loaded))
        reply = next(s for s in page.view.conversation.segments if s.speaker == "learner" and s.turn == 2)
        page.seek((reply.words[3].start + reply.words[3].end) / 2)
        settle(app)
        save(window, out_dir / f"replay-{scheme}.png")

        _module("screenshot_review").capture(window, out_dir, scheme, ids)

        practice = _practice_module()
        if practice is not None:
            for path in practice.capture(window, out_dir, scheme, work / "replies", audio):
                print(path)
    finally:
        window.close()
        if audio is not None:
            audio.stop()
    window.deleteLater()
    settle(app, 0.2)


def _practice_module():
    """scripts/screenshot_practice.py, when it exists."""
    return _module("screenshot_practice") if (ROOT / "scripts" / "screenshot_practice.py").is_file() else None


def _module(name: str):
    """scripts/NAME.py."""
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    usage = "usage: scripts/screenshots.py prepare WORK | shoot OUT_DIR WORK light|dark"
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(Path(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "shoot" and sys.argv[4] in ("light", "dark"):
        shoot(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(usage)
