"""Trainer review in the window, on a real SQLite store written through the store's API: the session list's
filters, a rating saved from Replay, a comment pinned to a moment that the learner then sees, the learner's
progress chart and the calibration panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt

from rehearse.store import SessionStore
from tests.store.helpers import add_turn

# (learner, scenario, outcome, per-turn scores)
PLAYED = (
    ("sam", "internet-outage", "resolved", [{"empathy": 80, "clarity": 70, "pace": 90, "calm": 80}] * 2),
    ("sam", "billing-double-charge", "escalated", [{"empathy": 20, "clarity": 40, "pace": 50, "calm": 30}] * 2),
    ("alex", "internet-outage", "hung_up", [{"empathy": 55, "clarity": 60, "pace": 65, "calm": 70}] * 2),
    ("sam", "late-gift-delivery", "resolved", [{"empathy": 60, "clarity": 75}, {"empathy": 90, "clarity": 85}]),
)


@pytest.fixture()
def store_folder(tmp_path, monkeypatch):
    """The window's data folder: four finished sessions of two turns each (with audio), oldest first."""
    folder = tmp_path / "data"
    monkeypatch.setenv("REHEARSE_DATA_DIR", str(folder))
    store = SessionStore(folder=folder)
    ids = []
    for learner, scenario, outcome, scores in PLAYED:
        sid = store.start_session(learner, scenario, seed=0)
        for index, turn_scores in enumerate(scores, 1):
            add_turn(store, sid, index, verdict={"scores": turn_scores, "moves": ["apologize"]})
        store.end_session(sid, "finished", outcome)
        ids.append(sid)
    store.add_person("tess", "trainer", "north")
    store.add_person("sam", "learner", "north")
    store.close()
    return folder, ids


def _window(qtbot, user: str):
    from PySide6.QtCore import QSettings

    from rehearse.app.gui.main_window import MainWindow

    QSettings().setValue("learner", user)
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    with qtbot.waitSignal(win.reviewer_changed, timeout=10_000):
        win.show()
    return win


def _filter(page, qtbot, **values) -> list[str]:
    with qtbot.waitSignal(page.list_shown, timeout=10_000):
        page.filters.set_values(**values)
    return page.listed_ids()


def _open(win, qtbot, session_id, turn=None):
    page = win.replay
    with qtbot.waitSignals([page.session_loaded, page.review.reviews_changed], timeout=20_000):
        win.open_replay(session_id, turn)
    return page


def test_filters_narrow_the_session_list(store_folder, window, qtbot):
    _folder, (outage, billing, alex, gift) = store_folder
    page = window.replay
    with qtbot.waitSignal(page.list_shown, timeout=10_000):
        window.show_page("replay")
    assert page.listed_ids() == [gift, alex, billing, outage]  # newest first
    assert page.filters.learner.findData("alex") > 0 and page.filters.ending.findData("hung_up") > 0
    assert _filter(page, qtbot, learner="alex") == [alex]
    assert _filter(page, qtbot, scenario="internet-outage") == [alex, outage]
    assert _filter(page, qtbot, ending="escalated") == [billing]
    assert _filter(page, qtbot, min_score=70) == [gift, outage]  # 77.5 and 80; alex 62.5, billing 35
    assert _filter(page, qtbot, learner="sam", min_score=30, ending="resolved") == [gift, outage]
    today = QDate.currentDate()
    assert _filter(page, qtbot, between=(today.addDays(-3), today)) == [gift, alex, billing, outage]
    assert _filter(page, qtbot, between=(today.addDays(-30), today.addDays(-1))) == []
    assert page.list.item(0).text() == "No saved sessions match."
    assert page.filters.range_row.isVisible()
    _filter(page, qtbot, learner="sam")
    assert page.count.text() == "3 sessions"
    assert page.list.item(0).text().endswith("resolved  ·  78")


def test_a_rating_saved_in_replay_is_in_the_database(qtbot, store_folder):
    _folder, ids = store_folder
    win = _window(qtbot, "tess")
    assert win.reviewer.is_trainer and win.replay.review.trainer_box.isVisibleTo(win.replay.review)
    page = _open(win, qtbot, ids[0], turn=2)
    review = page.review
    assert review.turn == 2 and review.coach_labels["empathy"].text() == "coach 80"
    review.rating_boxes["empathy"].setValue(35)
    review.rating_boxes["pace"].setValue(95)
    with qtbot.waitSignal(review.reviews_changed, timeout=10_000):
        qtbot.mouseClick(review.save_button, Qt.MouseButton.LeftButton)
    rows = SessionStore().ratings_for(ids[0])
    assert sorted((r["index"], r["author"], r["dimension"], r["score"]) for r in rows) == [
        (2, "tess", "empathy", 35.0),
        (2, "tess", "pace", 95.0),
    ]
    assert review.given.text() == "Trainer ratings of turn 2: empathy 35, pace 95"
    with qtbot.waitSignal(win.progress.shown, timeout=10_000):  # a trainer's Progress: the replayed learner's
        win.show_page("progress")
    assert win.progress.title.text() == "Progress of sam"
    win.close()


def test_a_comment_pinned_at_a_moment_shows_for_the_learner_in_replay(qtbot, store_folder):
    _folder, ids = store_folder
    trainer = _window(qtbot, "tess")
    page = _open(trainer, qtbot, ids[1], turn=2)
    moment = page.view.conversation.turn_start(2) + 0.4
    page.seek(moment)
    page.review.comment_edit.setText("Stop here: acknowledge the double charge first.")
    assert page.review.pin_button.text() == "Pin at 0:00.4 of turn 2"
    with qtbot.waitSignal(page.review.reviews_changed, timeout=10_000):
        qtbot.mouseClick(page.review.pin_button, Qt.MouseButton.LeftButton)
    (saved,) = SessionStore().comments_for(ids[1])
    assert (saved["index"], saved["author"]) == (2, "tess")
    assert saved["at_seconds"] == pytest.approx(0.4, abs=0.05)  # the player's position is a whole frame
    trainer.close()

    learner = _window(qtbot, "sam")
    assert not learner.reviewer.is_trainer
    page = _open(learner, qtbot, ids[1])
    assert not page.review.trainer_box.isVisibleTo(page.review)
    assert page.tabs.tabText(1) == "Comments (1)"
    item = page.review.comment_list.item(0)
    assert item.text() == "Turn 2  ·  0:00.4  ·  tess\nStop here: acknowledge the double charge first."
    (mark,) = page.timeline.comment_marks
    assert mark.value() == pytest.approx(page.view.conversation.turn_start(2) + saved["at_seconds"])
    page.review.comment_list.itemClicked.emit(item)  # a click on the comment plays from its moment
    assert page.position() == pytest.approx(mark.value(), abs=0.05)
    learner.close()


def test_progress_shows_each_dimension_over_time_and_the_scenarios_tried(store_folder, window, qtbot):
    progress = window.progress
    with qtbot.waitSignal(progress.shown, timeout=10_000):
        window.show_page("progress")
    assert progress.title.text() == "Progress of sam"
    xs, ys = progress.chart.curves["empathy"].getData()
    assert list(ys) == [80.0, 20.0, 75.0] and list(xs) == sorted(xs)
    _xs, pace = progress.chart.curves["pace"].getData()
    assert list(pace[:2]) == [90.0, 50.0] and pace[2] != pace[2]  # NaN: the last session has no pace score
    tried = {progress.tried.item(r, 0).text(): progress.tried.item(r, 2).text() for r in range(3)}
    assert tried == {
        "Internet outage, third call": "80",
        "Billing double-charge": "35",
        "Late delivery of a birthday gift": "78",
    }
    untried = [progress.untried.item(i).text() for i in range(progress.untried.count())]
    assert len(untried) == 7 and "Internet outage, third call" not in untried
    with qtbot.waitSignal(progress.shown, timeout=10_000):
        progress.show_learner("alex")
    assert progress.tried.rowCount() == 1


def test_calibration_lists_the_disagreements_and_opens_them_in_replay(qtbot, store_folder):
    _folder, ids = store_folder
    store = SessionStore()
    turns = store.turns(ids[0])
    store.add_rating(turns[0]["id"], "tess", "empathy", 20)  # coach 80: 60 apart
    store.add_rating(turns[1]["id"], "tess", "empathy", 75)
    win = _window(qtbot, "tess")
    assert win._buttons["calibration"].isVisibleTo(win)
    with qtbot.waitSignal(win.calibration.shown, timeout=10_000):
        win.show_page("calibration")
    table = win.calibration.agreement
    assert (table.item(0, 0).text(), table.item(0, 1).text(), table.item(0, 4).text()) == ("empathy", "2", "32.5")
    worst = win.calibration.disagreements
    assert [worst.item(0, c).text() for c in (1, 2, 5, 6, 7)] == ["sam", "1", "20", "80", "-60"]
    with qtbot.waitSignal(win.replay.session_loaded, timeout=20_000):
        worst.cellDoubleClicked.emit(0, 0)
    assert win.current_page() == "replay" and win.replay.view.session["id"] == ids[0]
    win.close()
