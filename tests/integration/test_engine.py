"""The practice engine: one turn loop for every reply source, stop at any moment, retake a turn.

Real models, a real SQLite store, and for live replies the PulseAudio virtual devices.
"""

from __future__ import annotations

import random
import threading
import time

import numpy as np
import pytest
import soundfile as sf

from rehearse.app import events
from rehearse.app.cli import main
from rehearse.app.engine import build_engine
from rehearse.app.live.practice import Microphone
from rehearse.app.options import PracticeOptions
from rehearse.app.replies import RecordedReplies, TypedReplies
from rehearse.audio.endpoint import EndpointConfig
from tests.integration.audio_server import virtual_audio_fixture

pytestmark = pytest.mark.slow

GOOD = "I'm so sorry, I understand how frustrating this is. I'll book a technician for tomorrow morning."
HISTORY = "I can see both earlier visits on your account, and I'm sorry they didn't fix it."
POOR = "Calm down. You should have restarted the router like we told you."
SHARED = (
    events.SessionStarted,
    events.CustomerLine,
    events.Verdict,
    events.Rewound,
    events.TurnKept,
    events.SessionEnded,
)
"""What every reply source emits; the rest is live-only (meters, partials...) or says how a reply arrived."""


@pytest.fixture()
def virtual_audio(tmp_path):
    yield from virtual_audio_fixture(tmp_path / "pulse")


def options(**given) -> PracticeOptions:
    return PracticeOptions(**{"scenario": "internet-outage", "seed": 2, "rules_only": True, **given})


def run(engine, stop_after: int | None = None) -> list[events.Event]:
    seen: list[events.Event] = []

    def on_event(event) -> None:
        seen.append(event)
        if (
            stop_after is not None
            and isinstance(event, events.Verdict)
            and sum(isinstance(e, events.Verdict) for e in seen) >= stop_after
        ):
            engine.stop()

    engine.subscribe(on_event)
    engine.start()
    assert engine.wait(300)
    assert engine.error is None, engine.error
    return seen


def shape(seen: list[events.Event]) -> list[tuple]:
    """The events every source shares, with what a front end reads from them."""
    out = []
    for event in seen:
        if isinstance(event, events.CustomerLine):
            out.append(("line", event.turn, event.take, event.text))
        elif isinstance(event, events.Verdict):
            out.append(("verdict", event.turn.index, event.turn.step.goto, tuple(sorted(event.turn.feedback.moves))))
        elif isinstance(event, SHARED):
            out.append((type(event).__name__,))
    return out


def saved(store, session_id) -> list[tuple]:
    return [(r["index"], r["take"], r["node_id"], r["step"]["goto"]) for r in store.turns(session_id)]


def test_every_reply_source_runs_the_same_conversation(virtual_audio, stt, tts, store, synth_reply, tmp_path):
    texts = [GOOD, HISTORY]
    files = []
    for i, text in enumerate(texts):
        files.append(tmp_path / f"reply{i}.wav")
        sf.write(files[-1], synth_reply(text, rate=0.8), 16_000)

    typed = TypedReplies()
    for text in texts:
        typed.submit(text)
    typed.submit(None)
    by_typing = build_engine(options(), typed, tts=tts, store=store)
    by_files = build_engine(options(), RecordedReplies(files), stt=stt, tts=tts, store=store)
    # 800 ms of silence ends a live reply: the synthesized replies pause between sentences (issue 11's work)
    live = build_engine(
        options(endpoint=EndpointConfig(trailing_silence_ms=800, end_of_turn="silence")),
        Microphone(),
        stt=stt,
        tts=tts,
        store=store,
    )
    spoken = list(files)

    def speak_when_the_customer_is_done(event) -> None:
        if isinstance(event, events.CustomerDone) and spoken:
            threading.Timer(0.3, virtual_audio.play, args=(spoken.pop(0),)).start()

    live.subscribe(speak_when_the_customer_is_done)
    results = {
        name: run(engine, stop_after=None if name != "live" else len(texts))
        for name, engine in (("typed", by_typing), ("files", by_files), ("live", live))
    }

    typed_shape = shape(results["typed"])
    assert [s[0] for s in typed_shape] == [
        "SessionStarted",
        "line",
        "verdict",
        "line",
        "verdict",
        "line",
        "SessionEnded",
    ]
    assert shape(results["files"]) == typed_shape
    live_shape = shape(results["live"])  # live: stopped after the last verdict, before the next line
    assert [s[:3] for s in live_shape[:-1]] == [s[:3] for s in typed_shape[:-2]], live_shape
    assert [s[3] for s in live_shape if s[0] == "verdict"] == [s[3] for s in typed_shape if s[0] == "verdict"], [
        t.feedback.transcript for t in live.session.turns
    ]
    assert saved(store, by_files.session_id) == saved(store, by_typing.session_id) == saved(store, live.session_id)
    assert any(isinstance(e, events.Meter) for e in results["live"])
    assert not any(isinstance(e, events.Meter) for e in results["files"])


def test_a_retake_rewinds_to_the_branch_point_and_keeps_both_takes(stt, tts, store, synth_reply, tmp_path, capsys):
    replies = [
        synth_reply(GOOD, rate=0.8),
        synth_reply(POOR, rate=0.8),
        synth_reply(HISTORY, rate=0.8),
        synth_reply(GOOD, rate=0.8),
    ]
    engine = build_engine(options(), RecordedReplies(replies), stt=stt, tts=tts, store=store)
    retaken = []

    def retake_turn_two(event) -> None:
        if isinstance(event, events.Verdict) and event.turn.index == 2 and not retaken:
            retaken.append(event.turn)
            engine.retake()

    engine.subscribe(retake_turn_two)
    seen = run(engine)
    [rewound] = [e for e in seen if isinstance(e, events.Rewound)]
    assert (rewound.turn, rewound.take) == (2, 2)
    lines = [e for e in seen if isinstance(e, events.CustomerLine)]
    assert lines[1].text == lines[2].text and (lines[2].turn, lines[2].take) == (2, 2)  # the same line again

    first, second = retaken[0], engine.session.turns[1]
    assert "blame" in first.feedback.moves and first.step.mood_after > first.step.mood_before
    assert second.take == 2 and second.step.mood_after < second.step.mood_before
    assert second.step.mood_before == first.step.mood_before  # the mood as it was before turn 2
    assert second.step.goto != first.step.goto
    assert len(engine.session.turns) == 3

    every = store.turns(engine.session_id, every_take=True)
    assert [(r["index"], r["take"], r["active"]) for r in every] == [
        (1, 1, True),
        (2, 1, False),
        (2, 2, True),
        (3, 1, True),
    ]
    assert main(["replay", engine.session_id, "--data-dir", str(store.folder)]) == 0
    out = capsys.readouterr().out
    assert "Turn 2 (take 1, replaced by a retake)" in out and "Turn 2 (take 2)" in out


def stop_once(virtual_audio, stt, tts, store, clip, attempt: int, pause_s: float) -> tuple[float, str, bool]:
    """One live session stopped `pause_s` into a moment: the customer's line, the learner's reply, or the
    wait for an answer (by `attempt`), after a completed turn on odd attempts. Returns the seconds from
    `stop()` to the session saved, the moment, and whether a turn was completed first."""
    moment = ("line", "reply", "waiting")[attempt % 3]
    complete_first = attempt % 2 == 1
    # the clip pauses inside: silence alone ends its turn (issue 11's detector is tested on its own)
    endpoint = EndpointConfig(no_answer_s=30, trailing_silence_ms=1000, end_of_turn="silence")
    engine = build_engine(options(seed=attempt, endpoint=endpoint), Microphone(), stt=stt, tts=tts, store=store)
    ended = threading.Event()
    asked: list[float] = []
    playing = []
    state = {"phase": "answer" if complete_first else "stop"}

    def stop() -> None:
        asked.append(time.monotonic())
        engine.stop()

    def on_event(event) -> None:
        if isinstance(event, events.Verdict):
            state["phase"] = "stop"
        if isinstance(event, events.SessionEnded):
            asked.append(time.monotonic())
            ended.set()
        if state["phase"] == "answer" and isinstance(event, events.CustomerDone):
            state["phase"] = "answering"  # a turn that completes
            threading.Timer(0.3, lambda: playing.append(virtual_audio.play(clip))).start()
        elif state["phase"] == "stop" and moment == "line" and isinstance(event, events.CustomerSpeaking):
            state["phase"] = "stopping"
            threading.Timer(pause_s, stop).start()
        elif state["phase"] == "stop" and moment != "line" and isinstance(event, events.CustomerDone):
            state["phase"] = "stopping"
            if moment == "reply":
                playing.append(virtual_audio.play(clip))
            threading.Timer(1.0 + pause_s, stop).start()

    engine.subscribe(on_event)
    engine.start()
    assert ended.wait(120) and engine.wait(30)
    for speaking in playing:  # the next session starts in silence
        speaking.wait(30)
    assert engine.error is None, engine.error
    session = store.session(engine.session_id)
    assert session["status"] == "unfinished"
    rows = store.turns(engine.session_id)
    judged = [r for r in rows if r["step"] is not None]
    assert len(judged) == (1 if complete_first else 0)  # every completed turn intact
    assert all(r["feedback"]["scores"] for r in judged)
    kept = [r for r in rows if r["step"] is None]
    if moment == "reply":  # what was said before the stop is kept, unjudged
        [partial] = kept
        assert sf.info(partial["learner_audio"]).duration > 0.5
    else:
        assert not kept
    return asked[1] - asked[0], moment, complete_first


@pytest.mark.audio
def test_stop_at_any_moment_saves_the_session_at_once(virtual_audio, stt, tts, store, realspeech):
    """Ten live sessions, each stopped at a random moment: while the customer speaks, while the learner
    answers, or while the engine waits for an answer."""
    rng = random.Random(7)
    clip = realspeech / "asr" / "asr_librivox_sense_0870.wav"  # 7 s of speech
    delays = [
        stop_once(virtual_audio, stt, tts, store, clip, attempt, rng.uniform(0.3, 2.5))[0] for attempt in range(10)
    ]
    print(f"stop -> saved: median {1000 * np.median(delays):.0f} ms, max {1000 * max(delays):.0f} ms")
    assert max(delays) < 0.5  # the target is 100 ms (printed above); a loaded CI machine gets headroom
