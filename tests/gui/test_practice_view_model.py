"""The practice view-model on real event objects: meter coalescing, mood, evidence highlighting."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.app import events
from rehearse.app.gui.practice.view_model import MeterRing, PracticeViewModel, Span, evidence_spans, highlighted_html

pytest.importorskip("pytestqt")


def meter(at: float, f0: float | None = 180.0, level: float = -20.0) -> events.Meter:
    return events.Meter(at=at, level_db=level, f0_hz=f0, lag_s=0.03)


def test_the_ring_keeps_the_newest_readings_in_order_and_reports_only_new_frames():
    ring = MeterRing(seconds=1.0, rate=25)
    assert ring.take() is None  # nothing yet: no redraw
    for i in range(60):  # 2.4 s of readings into a 1 s ring
        ring.push(meter(100 + i / 25, f0=None if i % 10 == 0 else 100 + i))
    x, f0, level = ring.take()
    assert x.size == f0.size == level.size == 25
    assert x[-1] == 0 and x[0] == pytest.approx(-24 / 25)
    assert np.all(np.diff(x) > 0)
    assert f0[-1] == 100 + 59 and np.isnan(f0[-10])  # reading 50 had no pitch
    assert ring.take() is None  # drawn once; no new readings, no new frame
    assert ring.received == 60 and ring.frames == 1


def test_many_events_per_frame_cost_one_draw(qtbot):
    model = PracticeViewModel()
    for i in range(25):
        model.handle(meter(i / 25))
    assert model.meters.take() is not None
    assert model.meters.take() is None


def test_speech_start_clears_the_trace_and_the_last_words(qtbot):
    model = PracticeViewModel()
    model.handle(meter(1.0))
    model.handle(events.Partial("so sorry about", 130.0, 1.0))
    model.handle(events.Cue("Slow down", 1.1))
    with qtbot.waitSignals([model.partial, model.cue, model.listening]):
        model.handle(events.SpeechStarted(2.0, barge_in=False))
    assert len(model.meters) == 0
    assert (model.partial_text, model.wpm, model.cue_text) == ("", None, "")


def test_mood_reports_the_change_since_the_last_line(qtbot):
    model = PracticeViewModel()
    seen = []
    model.mood.connect(lambda mood, band, change: seen.append((mood, band, round(change, 2))))
    model.handle(events.CustomerLine(1, 1, "My internet is down again!", 0.7, "furious"))
    model.handle(events.CustomerLine(2, 1, "Okay, thank you.", 0.4, "upset"))
    model.handle(events.CustomerLine(3, 1, "What?!", 0.8, "furious"))
    assert seen == [(0.7, "furious", 0.0), (0.4, "upset", -0.3), (0.8, "furious", 0.4)]


def test_device_loss_shows_a_banner_and_pauses(qtbot):
    model = PracticeViewModel()
    banners, phases = [], []
    model.banner.connect(lambda text, kind: banners.append((text, kind)))
    model.phase.connect(phases.append)
    model.handle(events.SpeechStarted(1.0, False))
    model.handle(events.DevicePaused("reconnect 'Headset'"))
    model.handle(events.DeviceResumed("'Headset' is back"))
    assert banners == [("reconnect 'Headset'", "device"), ("'Headset' is back", "device")]
    assert phases == ["listening", "paused", "listening"]


def test_the_phase_follows_the_engine_events(qtbot):
    import numpy as np

    model = PracticeViewModel()
    phases, audio = [], []
    model.phase.connect(phases.append)
    model.customer_audio.connect(lambda samples, rate: audio.append(rate))
    model.handle(events.SessionStarted("s1", "internet-outage", "Internet outage", "sam", "microphone"))
    model.handle(events.CustomerLine(1, 1, "Hello?", 0.7, "furious"))
    model.handle(events.CustomerSpeaking("Hello?", 0.7, 0.0))
    model.handle(events.CustomerDone(1.0, False))
    model.handle(events.SpeechStarted(1.2, False))
    model.handle(events.SpeechEnded(3.0, "silence"))
    model.handle(events.Paused())
    model.handle(events.Resumed())
    model.handle(events.SessionEnded("s1", "stopped", None, 0, "x"))
    assert phases == ["customer speaking", "your turn", "listening", "judging", "paused", "judging", "ended"]
    typed = PracticeViewModel()
    typed.phase.connect(phases.append)
    typed.customer_audio.connect(lambda samples, rate: audio.append(rate))
    typed.handle(events.SessionStarted("s2", "internet-outage", "Internet outage", "sam", "typed"))
    typed.handle(events.CustomerLine(1, 1, "Hello?", 0.7, "furious", np.zeros(800, np.float32), 22050))
    assert phases[-1] == "your turn" and audio == [22050]


def test_pitch_blips_are_dropped_and_octave_spikes_smoothed():
    import numpy as np

    from rehearse.app.gui.practice.view_model import clean_pitch, with_gaps

    nan = np.nan
    f0 = np.array([nan, 210, nan, nan, 100, 102, 400, 104, 106, 108, nan, 300, 301, nan])
    out = clean_pitch(f0)
    assert np.isnan(out[[0, 1, 2, 3, 10, 11, 12, 13]]).all()  # runs of 1 and 2 readings are gone
    assert np.nanmax(out) < 120  # the one-frame octave jump to 400 Hz is smoothed away
    x, y = with_gaps(np.array([0.0, 0.04, 0.08, 0.5, 0.54]), np.arange(5.0))
    assert x.size == 6 and np.isnan(y[3]) and not np.isnan(y[[0, 1, 2, 4, 5]]).any()


def test_a_failed_model_says_why(qtbot):
    model = PracticeViewModel()
    with qtbot.waitSignal(model.banner) as shown:
        model.handle(events.ModelLoading("voice", "failed", 0.5, "the Piper voice is missing; run setup"))
    assert "Piper voice is missing" in shown.args[0] and shown.args[1] == "error"


def test_evidence_words_are_found_in_the_transcript_whatever_the_case_and_punctuation():
    text = "Oh, I'm so sorry about that, Maria. Let me check your line right now."
    evidence = {
        "apologize": "I'm so sorry",
        "use_name": "Maria",
        "next_step": "let me check your line",
        "interrupt": "spoke over the customer for 1.2 s",
        "warm and steady": {"why": "caring words", "words": "sorry about that … right now", "seconds": []},
    }
    spans = evidence_spans(text, evidence)
    found = {(text[s.start : s.end], s.name) for s in spans}
    assert found == {
        ("I'm so sorry", "apologize"),
        ("Maria", "use_name"),
        ("Let me check your line", "next_step"),
        ("sorry about that", "warm and steady"),
        ("right now", "warm and steady"),
    }


def test_highlighting_escapes_the_text_and_skips_overlaps():
    text = "I <really> am sorry"
    spans = [Span(0, 1, "own"), Span(11, 19, "apologize"), Span(14, 19, "warm")]
    out = highlighted_html(text, spans, {"own": "#0f0", "apologize": "#ff0"})
    assert out.count("<span") == 2 and "&lt;really&gt;" in out
    assert 'title="apologize">am sorry</span>' in out


def test_errors_device_pauses_and_gain_tips_have_their_own_banners(qtbot):
    from rehearse.app.gui.practice.page import PracticePage

    page = PracticePage()
    qtbot.addWidget(page)
    page.show()
    model = page.model
    model.handle(events.GainTip("Turn the microphone up a little"))
    assert page.tip_banner.isVisible() and "microphone up" in page.tip_banner.text.text()
    assert not page.banner.isVisible()
    model.handle(events.Error("the microphone stopped"))
    assert page.banner.isVisible() and page.banner.kind == "error"
    assert "What to do" in page.banner.text.text() and page.tip_banner.isVisible()
    page.tip_banner.close_button.click()
    assert not page.tip_banner.isVisible() and page.banner.isVisible()
    model.handle(events.DevicePaused("Reconnect 'Headset' to go on"))
    assert page.banner.kind == "device" and "Reconnect" in page.banner.text.text()
    assert page.phase_label.text() == "paused"
