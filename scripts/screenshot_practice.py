"""Screenshots of the practice page with real engine data: mid-reply, the feedback card, the summary.

`capture(window, out_dir, scheme)` runs one real live session in `window` (G1's MainWindow) through
PulseAudio virtual devices (tests/integration/audio_server.py): the real models, the customer
spoken by Piper, and the learner's replies played into the virtual microphone: a realspeech
recording first (take 1 of turn 1), then replies spoken by Piper in a different voice (the retake,
a fast reply that draws a live cue, and a next step). It saves the page at three moments:

    practice-mid-reply-<scheme>.png   the learner speaking: live traces, partial words, the cue
    practice-feedback-<scheme>.png    turn 1 with its two takes side by side
    practice-summary-<scheme>.png     the session summary

scripts/screenshots.py calls it for each scheme; run alone (under Xvfb for the xcb platform):

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_practice.py OUT_DIR
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_LOGGER = logging.getLogger(__name__)

REALSPEECH = ROOT.parent / "shared" / "realspeech"
POOR_REPLY = REALSPEECH / "asr" / "asr_librivox_sense_0930.wav"
SPOKEN_REPLIES = {
    "retake": ("I'm so sorry Dana, this is your third call this week and that is not okay, "
               "I will take care of this myself", 1.0),
    "fast": ("I completely understand how frustrating this is when you work from home and the line keeps dropping "
             "every single evening so let me check the line test right now and see exactly what is going on at "
             "the street cabinet for you", 1.6),
    "next": ("Here is what happens next, a technician will come tomorrow between eight and twelve "
             "and I have added a three day credit to your account", 1.0),
}
WAIT_S = 120.0


def _wait(app, predicate, timeout: float = WAIT_S) -> bool:
    """Process events until `predicate()` holds (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def _spoken_replies(folder: Path, tts) -> dict[str, Path]:
    """The learner's replies spoken by Piper (deeper and quieter than the customer), as WAV files."""
    import soundfile as sf

    from rehearse.models.tts import VoiceStyle

    out = {}
    for name, (text, rate) in SPOKEN_REPLIES.items():
        audio, sample_rate = tts.synthesize(text, VoiceStyle(rate=rate, pitch_semitones=-3.0, level_db=-8.0))
        out[name] = folder / f"{name}.wav"
        sf.write(out[name], audio, sample_rate)
    return out


def _save(window, path: Path) -> Path:
    window.grab().save(str(path))
    return path


def capture(window, out_dir: Path, scheme: str) -> list[Path]:
    """Run a live session in `window` and save the practice screens; returns the PNG paths."""
    from PySide6.QtWidgets import QApplication

    from rehearse.app import events
    from rehearse.app.options import PracticeOptions
    from rehearse.audio import devices
    from rehearse.models.tts import TextToSpeech
    from tests.gui.practice_driver import HeadsetLearner
    from tests.integration.audio_server import VirtualAudio

    app = QApplication.instance()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = window.practice
    shots: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="rehearse-shots-") as tmp:
        tmp = Path(tmp)
        replies = _spoken_replies(tmp, TextToSpeech())
        server = VirtualAudio(tmp / "pulse")
        server.start()
        try:
            devices.refresh()
            learner = HeadsetLearner(server, [POOR_REPLY, replies["retake"], replies["fast"], replies["next"]])
            learner.attach(page.bridge)
            window.resize(1280, 800)
            window.start_practice(PracticeOptions(scenario="internet-outage", learner="sam", seed=1,
                                                  data_dir=tmp / "data"), "microphone")
            model = page.model
            verdicts = lambda: len(learner.of(events.Verdict))  # noqa: E731
            if not _wait(app, lambda: verdicts() >= 1):
                raise RuntimeError("the first reply was not judged in time")
            page.retake()
            _wait(app, lambda: len(model.takes.get(1, [])) >= 2)
            _wait(app, lambda: all(c.plot is None or c.plot.measured for c in page.feedback.cards), 10)
            shots.append(_save(window, out_dir / f"practice-feedback-{scheme}.png"))
            # mid-reply: the fast reply, once words and the cue are up
            _wait(app, lambda: len(learner.spoken) >= 3 and model.partial_text and model.cue_text
                  and len(model.meters) > 40, 60)
            shots.append(_save(window, out_dir / f"practice-mid-reply-{scheme}.png"))
            _wait(app, lambda: verdicts() >= 4 or model.end is not None)
            if model.end is None:
                page.stop()
            _wait(app, lambda: model.end is not None, 30)
            _wait(app, lambda: page.summary.recommendation is not None, 20)
            shots.append(_save(window, out_dir / f"practice-summary-{scheme}.png"))
        finally:
            page.shutdown()
            server.stop()
            devices.refresh()
    return shots


def main(argv: list[str]) -> int:
    import os

    from PySide6.QtWidgets import QApplication

    out = Path(argv[0] if argv else "screenshots")
    os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="rehearse-shots-config-"))
    app = QApplication.instance() or QApplication(["screenshot_practice"])
    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow

    for scheme in (argv[1:] or ["light", "dark"]):
        theme.apply(app, scheme)
        window = MainWindow()
        window.show()
        for path in capture(window, out, scheme):
            print(path)
        window.close()
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main(sys.argv[1:]))
