"""Screenshots of trainer review with the saved sessions of scripts/screenshots.py (real models):

    comments-<scheme>.png      Replay as the learner: the trainer's comments, listed and marked on the timeline
    review-<scheme>.png        Replay as the trainer: ratings of the turn being played, the comment list, marks
    progress-<scheme>.png      the learner's scores per dimension over time, scenarios tried and not
    calibration-<scheme>.png   trainer ratings against the coach per dimension, the largest disagreements

`prepare(data, ids)` adds a trainer and the learner to a team, and the trainer's ratings and comments, through
the store's API; `capture(window, out_dir, scheme, ids)` switches the window to the trainer and saves the pages.
scripts/screenshots.py calls both; to render only these screens (WORK made by `screenshots.py prepare`):

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_review.py OUT_DIR WORK light|dark
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

TRAINER, TEAM = "tess", "north"
RATINGS = {  # (session number, turn) -> the trainer's scores
    (2, 1): {"empathy": 70, "clarity": 60, "pace": 55, "calm": 80},
    (2, 2): {"empathy": 85, "clarity": 90, "calm": 75},
    (0, 1): {"empathy": 10, "clarity": 30, "calm": 20},
    (0, 2): {"empathy": 60, "pace": 70},
    (1, 1): {"empathy": 90, "clarity": 80, "pace": 65},
    (1, 2): {"empathy": 70, "clarity": 85},
}
COMMENTS = (  # (session number, turn, seconds into the turn, text)
    (2, 2, 4.0, "Good: you named the problem before the fix."),
    (2, 2, 9.5, "Slow down here and give the exact time of the visit."),
    (2, 1, 3.0, "Let her finish the sentence before you answer."),
)


def prepare(data: Path, ids: list[str]) -> None:
    from rehearse.store import SessionStore
    from tests.gui.real_sessions import LEARNER

    store = SessionStore(folder=data)
    store.add_person(TRAINER, "trainer", TEAM)
    store.add_person(LEARNER, "learner", TEAM)
    for (number, index), scores in RATINGS.items():
        turn = next(t for t in store.turns(ids[number]) if t["index"] == index)
        for dimension, score in scores.items():
            store.add_rating(turn["id"], TRAINER, dimension, score)
    for number, index, seconds, text in COMMENTS:
        turn = next(t for t in store.turns(ids[number]) if t["index"] == index)
        store.add_comment(turn["id"], TRAINER, seconds, text)
    store.close()


def capture(window, out_dir: Path, scheme: str, ids: list[str]) -> list[Path]:
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication
    from screenshots import save, settle, wait

    from tests.gui.real_sessions import LEARNER

    app = QApplication.instance()
    page = window.replay
    shots = []
    for user, name in ((LEARNER, "comments"), (TRAINER, "review")):
        window.set_learner(user)
        wait(app, lambda user=user: window.reviewer.name == user)
        reviewed, pitched = [], []
        page.review.reviews_changed.connect(lambda _r, seen=reviewed: seen.append(True))
        page.pitch_ready.connect(lambda seen=pitched: seen.append(True))
        window.open_replay(ids[-1], 2)
        wait(app, lambda r=reviewed, p=pitched: bool(r and p) and page.view.session["id"] == ids[-1])
        page.tabs.setCurrentIndex(1)
        page.seek(page.view.conversation.turn_start(2) + 6.0)
        if user == TRAINER:  # the filters in use: a date range and a minimum score
            listed = []
            page.list_shown.connect(lambda seen=listed: seen.append(True))
            today = QDate.currentDate()
            page.filters.set_values(learner=LEARNER, min_score=75, between=(today.addDays(-7), today))
            wait(app, lambda seen=listed: bool(seen))
        settle(app)
        shots.append(save(window, out_dir / f"{name}-{scheme}.png"))

    shown = []
    window.progress.shown.connect(lambda _learner: shown.append(True))
    window.show_page("progress")
    wait(app, lambda: bool(shown))
    settle(app)
    shots.append(save(window, out_dir / f"progress-{scheme}.png"))

    calibrated = []
    window.calibration.shown.connect(lambda: calibrated.append(True))
    window.show_page("calibration")
    wait(app, lambda: bool(calibrated))
    settle(app)
    shots.append(save(window, out_dir / f"calibration-{scheme}.png"))
    window.set_learner(LEARNER)
    return shots


def main(out_dir: Path, work: Path, scheme: str) -> None:
    """Only these screens, in one colour scheme (the window opens as the learner, then turns to the trainer)."""
    import os

    os.environ["REHEARSE_DATA_DIR"] = str(work / "data")
    os.environ["XDG_CONFIG_HOME"] = str(work / f"config-review-{scheme}")
    from screenshots import open_window

    _app, window = open_window(scheme, **{"models/warm_up": False})
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        capture(window, out_dir, scheme, (work / "sessions.txt").read_text().split())
    finally:
        window.close()


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[3] not in ("light", "dark"):
        sys.exit("usage: scripts/screenshot_review.py OUT_DIR WORK light|dark")
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
