"""A whole live session in the window, through PulseAudio virtual devices: the customer speaks,
recorded replies go into the virtual microphone, feedback cards show what the engine saved, a retake
shows two takes side by side, stop works mid-reply, and the session opens in replay."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from rehearse.app import events
from rehearse.app.options import PracticeOptions
from rehearse.app.turn_timing import timing_sentences
from rehearse.audio.endpoint import EndpointConfig
from rehearse.store import SessionStore
from tests.gui.practice_driver import HeadsetLearner, reply_clips
from tests.integration.audio_server import virtual_audio_fixture

pytestmark = [pytest.mark.slow, pytest.mark.audio]

TURN_MS = 90_000


@pytest.fixture()
def virtual_audio(tmp_path):
    yield from virtual_audio_fixture(tmp_path / "pulse")


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from rehearse.app.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window.practice.shutdown()


def shown_scores(card) -> dict:
    return {dim: chip.text() for dim, chip in card.score_chips.items()}


def saved_scores(row) -> dict:
    scores = row["feedback"]["scores"]
    return {dim: "not judged" if v is None else f"{v:.0f}" for dim, v in scores.items()}


def test_a_live_session_with_a_retake_and_a_stop_mid_reply(
    qtbot, window, virtual_audio, stt, tts, realspeech, tmp_path
):
    page = window.practice
    page.bridge.models = {"stt": stt, "tts": tts}
    learner = HeadsetLearner(virtual_audio, reply_clips(realspeech))
    learner.attach(page.bridge)
    data = tmp_path / "data"
    window.start_practice(
        PracticeOptions(
            scenario="internet-outage",
            learner="sam",
            seed=1,
            data_dir=data,
            rules_only=True,
            # the real clips pause inside: silence alone ends a turn here, so each clip is one turn
            endpoint=EndpointConfig(trailing_silence_ms=900, end_of_turn="silence"),
        ),
        "microphone",
    )

    # the customer speaks (caption), the learner answers, the first card shows what was saved
    qtbot.waitUntil(lambda: page.caption.text() != "", timeout=TURN_MS)  # a first session in a process loads more
    qtbot.waitUntil(lambda: 1 in page.model.takes, timeout=TURN_MS)
    assert learner.of(events.CustomerSpeaking) and learner.of(events.Partial)
    assert page.model.meters.frames > 0  # the live trace was drawn
    session_id = page.model.session.session_id
    store = SessionStore(folder=data)
    [row] = [r for r in store.turns(session_id) if r["index"] == 1]
    [card] = page.feedback.cards
    assert shown_scores(card) == saved_scores(row)
    assert card.record["transcript"] == row["feedback"]["transcript"]
    assert card.record["moves"] == row["feedback"]["moves"] and card.record["tip"] == row["feedback"]["tip"]
    said = timing_sentences(row["feedback"]["timing"])  # how soon the learner answered, why the turn ended
    assert said.startswith("Answered ") and "of silence" in said
    assert said in [shown.text() for shown in card.findChildren(QLabel)]

    # retake: the same customer line again, then both takes side by side
    page.retake()
    qtbot.waitUntil(lambda: len(page.model.takes.get(1, [])) == 2, timeout=TURN_MS)
    [rewound] = learner.of(events.Rewound)
    assert (rewound.turn, rewound.take) == (1, 2)
    lines = [e for e in learner.of(events.CustomerLine) if e.turn == 1]
    assert [e.take for e in lines] == [1, 2] and lines[0].text == lines[1].text
    first, second = page.feedback.cards
    takes = {r["take"]: r for r in store.turns(session_id, every_take=True) if r["index"] == 1}
    assert shown_scores(first) == saved_scores(takes[1]) and shown_scores(second) == saved_scores(takes[2])
    assert not takes[1]["active"] and takes[2]["active"]
    # each card plots its own take's recording (read through the store, off the GUI thread)
    qtbot.waitUntil(lambda: first.plot.measured and second.plot.measured, timeout=30_000)
    traces = [card.plot.curves["level"].getData()[0] for card in (first, second)]
    durations = [float(x[-1]) for x in traces]
    assert all(abs(d - r["feedback"]["duration_s"]) < 0.3 for d, r in zip(durations, (takes[1], takes[2]), strict=True))

    # stop while the learner is speaking the next reply
    verdicts = len(learner.of(events.Verdict))
    qtbot.waitUntil(lambda: len(learner.of(events.SpeechStarted)) > verdicts, timeout=TURN_MS)
    stopped_at = time.monotonic()
    qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.end is not None, timeout=10_000)
    assert time.monotonic() - stopped_at < 2.0
    ended = page.model.end
    assert ended.status == "unfinished" and learner.of(events.TurnKept)
    assert store.session(session_id)["status"] == "unfinished"
    active = store.turns(session_id)
    [kept] = learner.of(events.TurnKept)
    assert not learner.of(events.Verdict)[-1].turn.index == kept.index  # it was cut short, not judged
    assert [r["index"] for r in active] == list(range(1, kept.index + 1))  # judged turns and the one cut short
    assert active[-1]["step"] is None
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.summary, timeout=5_000)

    # the session opens in replay with its turns
    with qtbot.waitSignal(page.summary.open_replay) as opened:
        page.summary.replay_button.click()
    assert opened.args[0] == session_id
    assert window.current_page() == "replay"
    replay = window.replay
    qtbot.waitUntil(lambda: replay.view is not None and replay.view.session["id"] == session_id, timeout=20_000)
    assert len(replay.view.turns) == len(active) == replay.turn_combo.count()
    qtbot.waitUntil(lambda: said in [shown.text() for shown in replay.findChildren(QLabel)], timeout=10_000)
