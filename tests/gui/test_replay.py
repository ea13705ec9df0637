"""Replay opens a real saved session: its turns and earlier takes, seek with the word highlighted, WAV export."""

from __future__ import annotations

import pytest
import soundfile as sf

from rehearse.app.timeline import PAUSE_S

pytestmark = pytest.mark.slow


def _open(window, qtbot, session_id):
    with qtbot.waitSignals([window.replay.session_loaded, window.replay.pitch_ready], timeout=20_000):
        window.open_replay(session_id)


def test_replay_shows_the_saved_turns_and_the_earlier_take(window, qtbot, data_dir, saved_sessions):
    from rehearse.store import SessionStore

    _folder, ids = saved_sessions
    session_id = ids[-1]  # internet-outage, turn 1 taken twice
    _open(window, qtbot, session_id)
    view = window.replay.view
    store = SessionStore()
    assert len(view.turns) == len(store.turns(session_id)) == 2
    assert [t["take"] for t in view.earlier[1]] == [1]
    assert window.replay.turn_combo.count() == 2
    assert window.replay.header.text() == "Internet outage, third call"
    qtbot.waitUntil(lambda: session_id in window.replay.listed_ids(), timeout=10_000)
    with qtbot.waitSignal(window.replay.list_shown, timeout=10_000):
        window.replay.filters.set_values(scenario="billing-double-charge")
    assert window.replay.listed_ids() == [ids[0]]


def test_seek_moves_the_cursor_and_highlights_the_word_spoken(window, qtbot, data_dir, saved_sessions):
    _open(window, qtbot, saved_sessions[1][-1])
    page = window.replay
    conversation = page.view.conversation
    reply = next(s for s in conversation.segments if s.speaker == "learner" and s.turn == 2)
    word = reply.words[2]
    page.seek((word.start + word.end) / 2)
    assert page.position() == pytest.approx((word.start + word.end) / 2, abs=1e-3)
    assert page.timeline.cursors[0].value() == pytest.approx(page.position())
    assert page.transcript.highlighted_text() == word.text
    assert page.current_turn() == 2
    page.jump_to_turn(1)
    assert page.position() == 0.0
    page.step_turn(1)
    assert page.position() == pytest.approx(conversation.turn_start(2), abs=1e-4)  # a whole frame
    assert page.current_turn() == 2


def test_click_on_the_timeline_seeks(window, qtbot, data_dir, saved_sessions):
    _open(window, qtbot, saved_sessions[1][0])
    page = window.replay
    with qtbot.waitSignal(page.timeline.seek_requested) as seek:
        page.timeline.seek_requested.emit(3.25)
    assert seek.args == [3.25]
    assert page.position() == pytest.approx(3.25, abs=1e-3)


def test_export_writes_the_whole_conversation(window, qtbot, data_dir, saved_sessions, tmp_path):
    from rehearse.store import SessionStore

    session_id = saved_sessions[1][0]
    _open(window, qtbot, session_id)
    out = tmp_path / "out" / "call.wav"
    with qtbot.waitSignal(window.replay.exported, timeout=20_000):
        window.replay.export_to(out)
    info = sf.info(str(out))
    clips = [
        sf.info(t[key]).duration
        for t in SessionStore().turns(session_id)
        for key in ("customer_audio", "learner_audio")
        if t[key]
    ]
    assert info.duration == pytest.approx(sum(clips) + PAUSE_S * len(clips), abs=0.01)
    assert info.duration == pytest.approx(window.replay.view.conversation.duration, abs=1e-3)
