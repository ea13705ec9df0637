"""Screenshots of the practice page with real engine data: mid-reply, the feedback card, the summary.

`capture(window, out_dir, scheme)` runs one real live session in `window` (G1's MainWindow) through
PulseAudio virtual devices (tests/integration/audio_server.py): the real models, the customer
spoken by Piper, and the learner's replies played into the virtual microphone: a realspeech
recording first (take 1 of turn 1), then replies spoken by Piper in a different voice (the retake,
a fast reply that draws a live cue, and a next step). It saves the page at three moments:

    practice-mid-reply-<scheme>.png   the learner speaking: live traces, partial words, the cue
    practice-feedback-<scheme>.png    turn 1 with its two takes side by side
    practice-summary-<scheme>.png     the session summary
    replay-live-<scheme>.png          that session in replay (each take's timing: the answer gap, why it ended)

scripts/screenshots.py calls it for each scheme; run alone (under Xvfb for the xcb platform), one scheme:

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_practice.py OUT_DIR [light|dark]
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
    "retake": (
        "I'm so sorry Dana, this is your third call this week and that is not okay, I will take care of this myself",
        1.0,
    ),
    "fast": (
        "I completely understand how frustrating this is when you work from home and the line keeps dropping "
        "every single evening so let me check the line test right now and see exactly what is going on at "
        "the street cabinet for you",
        1.6,
    ),
    "next": (
        "Here is what happens next, a technician will come tomorrow between eight and twelve "
        "and I have added a three day credit to your account",
        1.0,
    ),
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


def spoken_replies(folder: Path, tts=None) -> dict[str, Path]:
    """The learner's replies spoken by Piper (deeper and quieter than the customer), as WAV files in `folder`
    (made once; an existing file is reused)."""
    import soundfile as sf

    from rehearse.models.tts import TextToSpeech, VoiceStyle

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (text, rate) in SPOKEN_REPLIES.items():
        out[name] = folder / f"{name}.wav"
        if not out[name].is_file():
            tts = tts or TextToSpeech()
            audio, sample_rate = tts.synthesize(text, VoiceStyle(rate=rate, pitch_semitones=-3.0, level_db=-8.0))
            sf.write(out[name], audio, sample_rate)
    return out


def _save(window, path: Path) -> Path:
    window.grab().save(str(path))
    return path


def capture(window, out_dir: Path, scheme: str, replies_dir: Path | None = None, server=None) -> list[Path]:
    """Run a live session in `window` and save the practice screens; returns the PNG paths.

    `server`: a started VirtualAudio (else one is started here); `replies_dir`: where the spoken replies are."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from rehearse.app import events
    from rehearse.app.options import PracticeOptions
    from rehearse.audio import devices
    from rehearse.audio.endpoint import EndpointConfig
    from tests.gui.practice_driver import HeadsetLearner
    from tests.integration.audio_server import VirtualAudio

    app = QApplication.instance()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = window.practice
    shots: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="rehearse-shots-") as tmp:
        tmp = Path(tmp)
        replies = spoken_replies(replies_dir or tmp / "replies")
        own_server = server is None
        if own_server:
            server = VirtualAudio(tmp / "pulse")
            server.start()
        learner = None

        def retake_turn_one(event) -> None:
            """Engine thread: ask for the retake as soon as turn 1 is judged, before the next line plays."""
            if isinstance(event, events.Verdict) and event.turn.index == 1 and not retaken:
                retaken.append(True)
                page.bridge.retake(1)

        retaken: list[bool] = []
        try:
            devices.refresh()
            learner = HeadsetLearner(server, [POOR_REPLY, replies["retake"], replies["fast"], replies["next"]])
            learner.attach(page.bridge)
            page.bridge.event.connect(retake_turn_one, Qt.ConnectionType.DirectConnection)
            window.resize(1280, 800)
            # The replies pause between sentences ("I'm so sorry, Dana. This is…"): the end of a turn is decided
            # by 900 ms of silence alone, so that Smart Turn does not end a take after its first sentence.
            options = PracticeOptions(
                scenario="internet-outage",
                learner="sam",
                seed=1,
                data_dir=tmp / "data",
                endpoint=EndpointConfig(end_of_turn="silence", trailing_silence_ms=900),
            )
            window.start_practice(options, "microphone")
            model = page.model
            if not _wait(app, lambda: len(model.takes.get(1, [])) >= 2):
                raise RuntimeError("turn 1 and its retake were not judged in time")
            _wait(app, lambda: all(c.plot is None or c.plot.measured for c in page.feedback.cards), 10)
            _wait(app, lambda: False, 0.3)
            shots.append(_save(window, out_dir / f"practice-feedback-{scheme}.png"))
            shots.append(_mid_reply(app, window, model, learner, out_dir / f"practice-mid-reply-{scheme}.png"))
            # the summary after turn 2 (three verdicts with the retake): the trend then has both turns
            _wait(app, lambda: len(learner.of(events.Verdict)) >= 3 or model.end is not None)
            if model.end is None:
                page.stop()
            _wait(app, lambda: model.end is not None, 30)
            _wait(app, lambda: page.summary.recommendation is not None, 20)
            _wait(app, lambda: False, 0.3)
            shots.append(_save(window, out_dir / f"practice-summary-{scheme}.png"))
            shots.append(
                _replay(app, window, options.data_dir, model.end.session_id, out_dir / f"replay-live-{scheme}.png")
            )
        finally:
            page.shutdown()
            if learner is not None:
                learner.cancel()
                for receiver in (learner, retake_turn_one):
                    try:
                        page.bridge.event.disconnect(receiver)
                    except (RuntimeError, TypeError):
                        pass
            if own_server:
                server.stop()
            devices.refresh()
    return shots


def _replay(app, window, data_dir: Path, session_id: str, path: Path) -> Path:
    """The live session in replay, at turn 1 and its takes: how soon each answered and why it ended. Replay reads
    the store that REHEARSE_DATA_DIR names: the session's own folder while it loads (not the prepared sessions')."""
    import os

    page = window.replay
    loaded: list[bool] = []
    page.pitch_ready.connect(lambda: loaded.append(True))
    before = os.environ.get("REHEARSE_DATA_DIR")
    os.environ["REHEARSE_DATA_DIR"] = str(data_dir)
    try:
        window.open_replay(session_id, 1)
        _wait(app, lambda: bool(loaded), 30)
    finally:
        if before is None:
            os.environ.pop("REHEARSE_DATA_DIR", None)
        else:
            os.environ["REHEARSE_DATA_DIR"] = before
    _wait(app, lambda: False, 0.5)
    return _save(window, path)


def _mid_reply(app, window, model, learner, path: Path) -> Path:
    """The learner mid-reply (the fast reply): saved while the engine is still listening, once the traces
    have a few seconds, words are up and the cue shows; without a cue, the frame with the most words."""
    from PySide6.QtGui import QImage

    fallback: list[QImage] = []

    def listening() -> bool:
        return model.phase_name == "listening" and len(learner.spoken) >= 3

    def ready() -> bool:
        if not listening() or len(model.meters) < 50 or len(model.partial_text.split()) < 5:
            return False
        if model.cue_text:
            return True
        if not fallback:
            fallback.append(window.grab().toImage())
        return False

    if _wait(app, ready, 90):
        _wait(app, lambda: False, 0.15)  # let the cue and the next frame paint
        if listening():
            window.grab().save(str(path))
            return path
    if fallback:
        fallback[0].save(str(path))
        return path
    raise RuntimeError("the learner was never caught mid-reply")


def main(argv: list[str]) -> int:
    import os

    from PySide6.QtWidgets import QApplication

    out = Path(argv[0] if argv else "screenshots")
    scheme = argv[1] if len(argv) > 1 else "light"
    os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="rehearse-shots-config-"))
    app = QApplication.instance() or QApplication(["screenshot_practice"])
    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow

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
