"""Screenshots of the import dialog over the window, importing a real stereo call (real models) and a broken file:

    import-running-<scheme>.png    mid-import: the progress bar, the stage and the time left
    import-done-<scheme>.png       finished: the call saved (agent, confidence, turns, Open in replay), the
                                   broken file refused with its message

    xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshot_import.py OUT_DIR WORK light|dark

WORK gets a fresh store per scheme (WORK/import-<scheme>); the whole screen is saved, dialog and window.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
REALSPEECH = ROOT.parent / "shared" / "realspeech"


def shoot(out_dir: Path, work: Path, scheme: str) -> list[Path]:
    from screenshots import SIZE, open_window, settle, wait

    from tests.call_files import headset_call

    folder = work / f"import-{scheme}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    os.environ["REHEARSE_DATA_DIR"] = str(folder / "data")
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    call = headset_call(REALSPEECH, 28.0, 60.0, folder / "support-call.wav")
    broken = folder / "voicemail.wav"
    broken.write_bytes(b"RIFF....WAVEfmt ")

    app, window = open_window(scheme)
    window.show_page("replay")
    window.import_calls()
    dialog = window.import_dialog
    dialog.add_files([call, broken])
    dialog.channel.setCurrentIndex(dialog.channel.findData("right"))
    finished = []
    dialog.finished_import.connect(finished.append)
    dialog.start()
    wait(app, lambda: "transcribing" in dialog.stage.text() and "left" in dialog.stage.text(), 300)
    settle(app, 0.3)
    shots = [_screen(app, SIZE, out_dir / f"import-running-{scheme}.png")]
    wait(app, lambda: bool(finished), 600)
    settle(app, 0.3)
    shots.append(_screen(app, SIZE, out_dir / f"import-done-{scheme}.png"))
    window.close()
    return shots


def _screen(app, size, path: Path) -> Path:
    image = app.primaryScreen().grabWindow(0).toImage()
    assert (image.width(), image.height()) == size, (image.width(), image.height())
    image.save(str(path))
    print(path)
    return path


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[3] not in ("light", "dark"):
        sys.exit("usage: scripts/screenshot_import.py OUT_DIR WORK light|dark")
    shoot(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
