"""Live practice through a real audio server: recorded replies spoken into a virtual microphone.

PulseAudio runs in user mode with null sinks (tests/integration/audio_server.py); Rehearse records
and plays through sounddevice/PortAudio exactly as with a headset.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rehearse.app import events
from rehearse.app.engine import build_engine
from rehearse.app.live.console import Printer
from rehearse.app.live.practice import Microphone
from rehearse.app.options import PracticeOptions
from rehearse.audio.endpoint import WINDOW, EndpointConfig, Endpointer, StreamingVad, refine_start
from rehearse.audio.files import load_reply, to_mono_16k
from rehearse.scenarios.library import find
from tests.integration.audio_server import virtual_audio_fixture, where_it_landed

pytestmark = [pytest.mark.audio, pytest.mark.slow]

REPLY = "asr_librivox_sense_0930"


@pytest.fixture()
def virtual_audio(tmp_path):
    yield from virtual_audio_fixture(tmp_path / "pulse")


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def energy_span(clip: np.ndarray) -> tuple[int, int]:
    """The file's known speech span: first and last 5 ms frame 12 dB above its noise floor."""
    levels = 10 * np.log10(np.mean(clip[: clip.size // 80 * 80].reshape(-1, 80) ** 2, axis=1) + 1e-12)
    active = np.flatnonzero(levels > np.percentile(levels, 10) + 12)
    return int(active[0] * 80), int((active[-1] + 1) * 80)


def onset_as_the_app_places_it(clip: np.ndarray) -> int:
    """Where the app's speech-start rule (Silero, then 5 ms energy edges) puts the onset in the clean file,
    so that comparing with the live measurement tests only the capture and device timing."""
    padded = np.concatenate([np.zeros(16_000, np.float32), clip])
    endpointer = Endpointer(EndpointConfig())
    for i, prob in enumerate(StreamingVad().feed(padded)):
        if any(d.kind == "speech_start" for d in endpointer.update(prob, i * WINDOW)):
            break
    start = endpointer.speech_start
    begin = max(0, start - int(0.4 * 16_000))
    return begin + refine_start(padded[begin : start + WINDOW], start - begin) - 16_000


class Learner:
    """Speaks a recording into the virtual microphone when the customer finishes (or `after_start_s`
    into the customer's line, to cut in), and keeps every event."""

    def __init__(self, server, clips: list[Path], after_start_s: float | None = None, printer=None):
        self.server, self.clips, self.after_start_s, self.printer = server, list(clips), after_start_s, printer
        self.seen: list = []
        self.live: Microphone | None = None
        self.spoken: list[tuple[Path, int]] = []
        self.on_verdict = None
        """Called with the microphone on the engine's thread at each verdict (its devices still open)."""

    def __call__(self, event) -> None:
        self.seen.append(event)
        if self.printer:
            self.printer(event)
        if isinstance(event, events.Verdict) and self.on_verdict:
            self.on_verdict(self.live)
        cue = events.CustomerSpeaking if self.after_start_s is not None else events.CustomerDone
        if isinstance(event, cue) and self.clips:
            clip = self.clips.pop(0)
            self.spoken.append((clip, self.live.capture.ring.end))
            threading.Timer(self.after_start_s or 0.3, self.server.play, args=(clip,)).start()

    def of(self, kind):
        return [e for e in self.seen if isinstance(e, kind)]


def run_live(stt, tts, store, learner, turns=1, scenario="internet-outage", stop_on=None, **config):
    """A live session through the engine and the virtual devices, stopped after `turns` verdicts
    (or at the first `stop_on` event). Returns the engine, ended. These tests are about capture, playback
    and timing, so a turn ends on silence alone unless `end_of_turn` is given (turn-taking has its own tests)."""
    microphone = Microphone()
    config = {"end_of_turn": "silence", **config}
    options = PracticeOptions(scenario=scenario, seed=1, rules_only=True, endpoint=EndpointConfig(**config))
    engine = build_engine(options, microphone, stt=stt, tts=tts, store=store)
    learner.live = microphone

    def on_event(event) -> None:
        learner(event)
        if len(learner.of(events.Verdict)) >= turns or (stop_on and isinstance(event, stop_on)):
            engine.stop()

    engine.subscribe(on_event)
    engine.start()
    assert engine.wait(300), "the live session did not end"
    assert engine.error is None, engine.error
    return engine


def test_a_spoken_reply_is_heard_transcribed_and_timed(
    virtual_audio, stt, tts, store, realspeech, manifest, tmp_path, capsys
):
    label = next(row["label"] for row in manifest if row["id"] == REPLY)
    clip_path = realspeech / "asr" / f"{REPLY}.wav"
    clip = load_reply(clip_path)
    learner = Learner(virtual_audio, [clip_path], printer=Printer("Customer", as_json=False))
    truth = {}

    def measure(microphone) -> None:  # where the clip really is in what the microphone captured
        begin = learner.spoken[0][1]
        captured = microphone.capture.ring.slice(begin)
        end, start = energy_span(clip)[1], onset_as_the_app_places_it(clip)
        truth["end"] = microphone.capture.time_at(begin + where_it_landed(captured, clip, end))
        truth["start"] = microphone.capture.time_at(begin + where_it_landed(captured, clip, start))

    learner.on_verdict = measure
    monitor = virtual_audio.record(tmp_path / "speaker.wav")
    session = run_live(stt, tts, store, learner).session
    [turn] = session.turns
    true_end, true_start = truth["end"], truth["start"]
    monitor.terminate()
    monitor.wait()

    heard = words(turn.feedback.transcript)
    assert len(set(heard) & set(words(label))) >= 0.8 * len(set(words(label))), turn.feedback.transcript
    [ended] = learner.of(events.SpeechEnded)
    assert ended.reason == "silence"
    assert abs(ended.at - true_end) < 0.1  # end of speech found within 100 ms of the file's known end
    [done] = learner.of(events.CustomerDone)
    timing = turn.timing
    assert not timing["barge_in"]
    # device clocks on both sides; the app places the onset on the captured audio, the test on the clean file
    # (they were 50 ms apart once in a fresh-clone CI run, within 20 ms otherwise)
    assert timing["response_gap_s"] == pytest.approx(true_start - done.ended_at, abs=0.06)
    line_audio = session.turns[0].customer.audio
    assert timing["customer_s"] == pytest.approx(line_audio.size / tts.sample_rate, abs=0.02)
    assert learner.of(events.Meter) and learner.of(events.Partial) and learner.of(events.Verdict)
    assert store.turns(session.id)[0]["feedback"]["timing"]["response_gap_s"] == timing["response_gap_s"]

    played, rate = sf.read(tmp_path / "speaker.wav", dtype="float32")
    said = stt.transcribe(to_mono_16k(played, rate)).text
    line = session.turns[0].customer.line.text
    assert len(set(words(said)) & set(words(line))) >= 0.7 * len(set(words(line))), said

    out = capsys.readouterr().out
    assert "You said:" in out and "... " in out
    assert "Timing:   Answered 0." in out and "after the customer stopped; Ended after 0." in out


def test_cutting_in_stops_the_customer_mid_line(virtual_audio, stt, tts, store, realspeech, tmp_path):
    clip_path = realspeech / "asr" / f"{REPLY}.wav"
    learner = Learner(virtual_audio, [clip_path], after_start_s=1.0)
    monitor = virtual_audio.record(tmp_path / "speaker.wav")
    session = run_live(stt, tts, store, learner).session
    [turn] = session.turns
    full = tts.synthesize(turn.customer.line.text)[0].size / tts.sample_rate
    monitor.terminate()
    monitor.wait()

    [started] = learner.of(events.SpeechStarted)
    assert started.barge_in
    [done] = learner.of(events.CustomerDone)
    assert done.cut_off
    timing = turn.timing
    assert timing["barge_in"] and timing["overlap_s"] > 0
    assert timing["customer_s"] < full - 1.0
    assert done.ended_at - started.at < 0.5  # the customer stopped promptly, mid-line
    assert store.turns(session.id)[0]["feedback"]["timing"]["barge_in"] is True

    played, rate = sf.read(tmp_path / "speaker.wav", dtype="float32")
    loud = np.flatnonzero(np.abs(played) > 0.01)
    assert (loud[-1] - loud[0]) / rate == pytest.approx(timing["customer_s"], abs=0.1)


def test_silence_takes_the_no_answer_path(virtual_audio, stt, tts, store, realspeech):
    scenario = find("internet-outage")
    learner = Learner(virtual_audio, [])
    learner.on_verdict = lambda _: learner.clips.append(realspeech / "asr" / f"{REPLY}.wav")
    session = run_live(stt, tts, store, learner, turns=2, no_answer_s=1.5).session
    turn = session.turns[0]

    assert learner.of(events.NoAnswer)
    assert turn.feedback.transcript == ""
    assert turn.timing["end_reason"] == "no_answer"
    spoken = [e.text for e in learner.of(events.CustomerSpeaking)]
    assert spoken[1] == turn.next_line.text
    assert turn.next_line.text in str(scenario.prompts["no_answer"])  # "Hello? Are you still there?"


def test_a_lost_device_pauses_saves_the_turn_and_resumes(virtual_audio, stt, tts, store, realspeech):
    learner = Learner(virtual_audio, [realspeech / "asr" / "asr_librivox_sense_0870.wav"])

    def unplug_during_reply(event) -> None:
        if isinstance(event, events.SpeechStarted) and not learner.of(events.DevicePaused):

            def unplug_and_replug():
                virtual_audio.kill()
                threading.Timer(2.0, virtual_audio.start).start()

            threading.Timer(2.0, unplug_and_replug).start()

    learner.printer = unplug_during_reply
    session = run_live(stt, tts, store, learner, turns=3, stop_on=events.DeviceResumed, no_answer_s=1.0).session
    turns = session.turns

    assert learner.of(events.DevicePaused) and learner.of(events.DeviceResumed)
    first = turns[0]
    assert first.timing["end_reason"] == "device_lost"
    # what was said before the unplug is kept ("Mr. John Dashwood ...": Whisper spells the name as it hears it)
    assert "john" in words(first.feedback.transcript), first.feedback.transcript
    saved = store.turns(session.id)[0]
    assert saved["learner_audio"] and Path(saved["learner_audio"]).exists()


def test_a_reply_past_the_maximum_length_is_cut(virtual_audio, stt, tts, store, realspeech):
    learner = Learner(virtual_audio, [realspeech / "asr" / "asr_librivox_sense_0870.wav"])  # 7 s
    [turn] = run_live(stt, tts, store, learner, max_turn_s=2.5).session.turns

    [started] = learner.of(events.SpeechStarted)
    [ended] = learner.of(events.SpeechEnded)
    assert ended.reason == "max_length" and turn.timing["end_reason"] == "max_length"
    assert 2.45 < ended.at - started.at < 3.0  # counted from the VAD's start, a little after the onset
    heard = words(turn.feedback.transcript)  # "... Mr. John Dashwood had then leisure | to reflect on them"
    # words tiny.en hears in every window ("had" came back as "have" in the live path's 10 s window)
    assert "john" in heard and "then" in heard and "them" not in heard, turn.feedback.transcript
