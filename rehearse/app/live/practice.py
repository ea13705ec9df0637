"""Live practice: the customer speaks through the output device, the learner answers into the input device.

    with LivePractice(session, devices, stt, on_event=print) as live:
        live.run()      # turn after turn until the scenario ends (or `stop()`)

`on_event` receives the `rehearse.app.live.events` objects on the session's thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sounddevice as sd

from rehearse.app import events
from rehearse.app.live.listener import HeardTurn, Listener
from rehearse.app.session import Session, TurnResult
from rehearse.audio import devices as audio_devices
from rehearse.audio.capture import Capture, DeviceLostError
from rehearse.audio.devices import AudioDevice
from rehearse.audio.endpoint import EndpointConfig
from rehearse.audio.playback import Playback, Player
from rehearse.coach.live_cue import LiveCue
from rehearse.models.stt import SpeechToText, Transcript

_LOGGER = logging.getLogger(__name__)

RECHECK_S = 1.0
"""How often a lost device is looked for."""


@dataclass(frozen=True)
class Devices:
    """The pair of devices a live session uses."""

    input: AudioDevice
    output: AudioDevice


class LinePlayback:
    """One customer line playing on its own thread (synthesis feeds playback sentence by sentence)."""

    def __init__(self, session: Session, player: Player):
        line = session.conversation.line()
        self._upcoming = [] if session.finished else session.conversation.upcoming()
        self.text, self.mood = line.text, line.mood
        self.started_at: float | None = None
        """When the first sample was heard (device time), once it has been."""
        self._stop = threading.Event()
        self._closing = threading.Event()
        self._ahead: threading.Thread | None = None
        self._done = threading.Event()
        self.result: Playback | None = None
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._play, args=(session, player), name="rehearse-line", daemon=True)
        self._thread.start()

    def _sentences(self, session: Session):
        sentences = session.speak()
        try:
            for sentence in sentences:
                yield sentence.audio, sentence.sample_rate
        finally:
            sentences.close()
        if self._upcoming and not self._closing.is_set():  # the next line starts sooner if already synthesized
            self._ahead = threading.Thread(target=session.synthesize_ahead, args=(self._upcoming, self._closing),
                                           name="rehearse-ahead", daemon=True)
            self._ahead.start()

    def _play(self, session: Session, player: Player) -> None:
        sentences = self._sentences(session)
        try:
            self.result = player.play(sentences, stop=self._stop, on_start=self._started)
        except DeviceLostError as exc:
            self.error = exc
        finally:
            sentences.close()
            self._done.set()

    def _started(self, at: float) -> None:
        self.started_at = at

    @property
    def playing(self) -> bool:
        return not self._done.is_set()

    @property
    def ended_at(self) -> float | None:
        return self.result.ended_at if self.result else None

    @property
    def cut_off(self) -> bool:
        return bool(self.result and self.result.stopped)

    def cut(self) -> None:
        self._stop.set()

    @property
    def busy(self) -> bool:
        """Still playing or synthesizing ahead."""
        return self.playing or (self._ahead is not None and self._ahead.is_alive())

    def finish(self) -> None:
        """Stop playing and synthesizing, and wait for both threads: a model still running in a thread
        when the process exits aborts it."""
        self._closing.set()
        self._stop.set()
        self._thread.join(timeout=10)
        if self._ahead is not None:  # read after the line thread is done: it is what may start this one
            self._ahead.join(timeout=10)

    def wait(self) -> Playback | None:
        self._done.wait()
        if self.error is not None:
            raise self.error
        return self.result


def timing(line: Playback | None, heard: HeardTurn) -> dict:
    """The turn's timing in seconds: response gap (negative = overlap), barge-in, end detection."""
    out: dict = {"end_reason": heard.reason, "barge_in": heard.barge_in_at is not None}
    if line is not None and line.started_at is not None:
        out["customer_s"] = round((line.ended_at or line.started_at) - line.started_at, 3)
        if heard.speech_start_at is not None and line.ended_at is not None:
            gap = heard.speech_start_at - line.ended_at
            out["response_gap_s"] = round(gap, 3)
            out["overlap_s"] = round(max(0.0, -gap), 3)
        if heard.barge_in_at is not None:
            out["barge_in_after_s"] = round(heard.barge_in_at - line.started_at, 3)
    if heard.speech_start_at is not None and heard.speech_end_at is not None:
        out["speaking_s"] = round(heard.speech_end_at - heard.speech_start_at, 3)
    return out


class LivePractice:
    """Runs a `Session` through real devices, pausing when one is lost and resuming when it returns."""

    def __init__(self, session: Session, devices: Devices, stt: SpeechToText,
                 on_event: Callable[[object], None] = lambda event: None, cue: LiveCue | None = None,
                 config: EndpointConfig = EndpointConfig(), track: Path | None = None):
        self.session, self.devices, self.stt = session, devices, stt
        self.config, self._emit, self._cue, self._track = config, on_event, cue, track
        self._stopping = threading.Event()
        self._lines: list[LinePlayback] = []
        self._part = 1
        self.capture: Capture | None = None
        self.player: Player | None = None
        self.listener: Listener | None = None
        try:
            self._open()
        except BaseException:  # a device that will not open: close what did, the caller reports it
            self.close()
            raise

    def _open(self) -> None:
        self.capture = Capture(self.devices.input, track=self._track)
        self.player = Player(self.devices.output)
        self.capture.start()
        self.player.start()
        self.listener = Listener(self.capture, self.stt, self.config, self._emit, self._cue)
        if self._track is not None:  # after a lost device, the track goes on in a new part
            self._part += 1
            self._track = self._track.with_name(f"{self._track.stem.split('.part')[0]}.part{self._part}.flac")

    def _line(self) -> LinePlayback:
        """Start the customer's current line, keeping it until its threads are done."""
        self._lines = [line for line in self._lines if line.busy]
        line = LinePlayback(self.session, self.player)
        self._lines.append(line)
        return line

    def close(self) -> None:
        for line in self._lines:
            line.finish()
        self._lines = []
        if self.listener is not None:
            self.listener.close()
        for stream in (self.capture, self.player):
            if stream is not None:
                stream.stop()
        self.listener = self.capture = self.player = None

    def stop(self) -> None:
        """Finish after the current turn (from any thread)."""
        self._stopping.set()

    def __enter__(self) -> "LivePractice":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, max_turns: int | None = None) -> list[TurnResult]:
        """Practice until the conversation ends, `stop()`, or `max_turns` turns (the devices stay open)."""
        done: list[TurnResult] = []
        while not self.session.finished and not self._stopping.is_set():
            if max_turns is not None and len(done) >= max_turns:
                break
            turn = self.turn()
            if turn is not None:
                done.append(turn)
        if self.session.finished and done and not self._stopping.is_set():
            self.closing_line()
        return done

    def closing_line(self) -> None:
        """Say the line that ended the conversation (nobody answers it)."""
        line = self._line()
        try:
            played = line.wait()
        except DeviceLostError as exc:
            _LOGGER.warning("%s", exc)
            return
        if played is not None and played.started_at is not None:
            self._emit(events.CustomerSpeaking(line.text, line.mood, played.started_at))
            self._emit(events.CustomerDone(played.ended_at, played.stopped))

    def turn(self) -> TurnResult | None:
        """Play the customer's line, hear the reply, judge and save it. None if a device was lost first."""
        line = self._line()
        heard = self.listener.listen(line)
        try:
            played = line.wait()
        except DeviceLostError as exc:
            _LOGGER.warning("%s", exc)
            played = None
            if heard.reason != "device_lost":
                heard = HeardTurn("device_lost", heard.audio, heard.transcript, heard.speech_start_at)
        if heard.reason == "device_lost":
            result = self._save(heard, played) if heard.audio.size else None
            self._recover()
            return result
        return self._save(heard, played)

    def _save(self, heard: HeardTurn, played: Playback | None) -> TurnResult:
        if heard.gain_tip:
            self._emit(events.GainTip(heard.gain_tip))
        transcript = heard.transcript
        if heard.reason == "no_answer":
            transcript = Transcript("", (), "en", heard.audio.size / 16_000)
        turn_timing = timing(played, heard)
        result = self.session.answer(heard.audio, interrupted=heard.barge_in_at is not None, transcript=transcript,
                                     timing=turn_timing, talk_over_s=turn_timing.get("overlap_s") or None)
        self._emit(events.Verdict(result, time.monotonic()))
        return result

    def _recover(self) -> None:
        """Close the streams, say so, and wait until both devices are back."""
        self.close()
        self._emit(events.DevicePaused(f"the audio device went away; reconnect '{self.devices.input.name}' "
                                       f"to go on (the session is paused, nothing said so far is lost)"))
        while not self._stopping.is_set():
            time.sleep(RECHECK_S)
            try:
                audio_devices.refresh()
                found_in = audio_devices.find_again(self.devices.input)
                found_out = audio_devices.find_again(self.devices.output)
                if found_in is None or found_out is None:
                    continue
                self.devices = Devices(found_in, found_out)
                self._open()
            except (DeviceLostError, OSError, sd.PortAudioError) as exc:
                _LOGGER.info("devices not back yet: %s", exc)
                self.close()
                continue
            self._emit(events.DeviceResumed(f"'{found_in.name}' is back; practice goes on"))
            return
