"""Render the window's screens to PNG at 1280x800, light and dark, with real sessions (run by screenshots.sh).

Sessions are played through the real engine pieces into a temporary data folder (Piper voices, Whisper,
the coach); the audio set-up page listens to PulseAudio virtual devices while a real recording is played
into the virtual microphone. `scripts/screenshot_practice.py`, when present, adds the practice screens.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
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


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rehearse-shots-"))
    os.environ["REHEARSE_DATA_DIR"] = str(work / "data")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    os.environ.pop("REHEARSE_SCENARIOS", None)

    from rehearse.models.stt import SpeechToText
    from rehearse.models.tts import TextToSpeech
    from tests.gui.real_sessions import LEARNER, record_sessions

    print("screenshots: recording sessions with the real models…")
    ids = record_sessions(work / "data", SpeechToText("tiny.en", device="cpu"), TextToSpeech())

    audio = None
    try:
        from tests.integration.audio_server import VirtualAudio

        if VirtualAudio.available() is None:
            audio = VirtualAudio(work / "pulse")
            audio.start()
    except Exception as exc:  # the set-up page then shows "no microphone", which is also a real screen
        print(f"screenshots: no virtual audio devices ({exc})", file=sys.stderr)
        audio = None

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("RehearseScreenshots")
    QCoreApplication.setApplicationName("Rehearse")
    app = QApplication([sys.argv[0]])
    settings = QSettings()
    settings.setValue("setup/done", True)
    settings.setValue("learner", LEARNER)

    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow

    theme.apply(app, "light")
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    wait(app, window.isVisible)
    practice = _practice_capture()
    for scheme in ("light", "dark"):
        theme.apply(app, scheme)
        window.show_page("home")
        wait(app, window.home.loaded)
        settle(app)
        save(window, out_dir / f"home-{scheme}.png")

        window.show_page("setup")
        wait(app, lambda: window.setup.input_combo.count() > 0 and window.setup.monitor is not None or
             window.setup.no_mic.isVisible(), 20)
        feeding = audio.play(SPEECH) if audio and SPEECH.is_file() else None
        if feeding is not None:
            wait(app, lambda: (window.setup.level_db() or -120) > -35, 10)
            settle(app, 0.3)
        else:
            settle(app, 1.0)
        save(window, out_dir / f"setup-{scheme}.png")
        if feeding is not None:
            feeding.wait(timeout=15)

        page = window.replay
        loaded = []
        page.pitch_ready.connect(lambda: loaded.append(True))
        window.open_replay(ids[-1], 2)
        wait(app, lambda: bool(loaded))
        reply = next(s for s in page.view.conversation.segments if s.speaker == "learner" and s.turn == 2)
        page.seek((reply.words[3].start + reply.words[3].end) / 2)
        settle(app)
        save(window, out_dir / f"replay-{scheme}.png")
        page.pitch_ready.disconnect()

        if practice is not None:
            for path in practice(window, out_dir, scheme):
                print(path)
    window.close()
    if audio is not None:
        audio.stop()
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown (PySide6 6.12 may abort while collecting at exit)


def _practice_capture():
    """`capture(window, out_dir, scheme)` from scripts/screenshot_practice.py, when it exists."""
    path = ROOT / "scripts" / "screenshot_practice.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("screenshot_practice", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.capture


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/screenshots.py OUT_DIR")
    main(Path(sys.argv[1]))
