"""Live replies: the customer speaks through the output device, the learner answers into the input device.

`Microphone` is the engine's live reply source (`rehearse.app.replies`): each `reply()` plays the
customer's line and listens at once, emitting the live events (meters, partials, cue, barge-in) on the
engine's thread; a lost device pauses the session until it is back.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import sounddevice as sd

from rehearse.app import events
from rehearse.app.live.listener import HeardTurn, Listener
from rehearse.app.replies import Reply, ReplySource
from rehearse.app.session import Session
from rehearse.audio import devices as audio_devices
from rehearse.audio.capture import Capture, DeviceLostError
from rehearse.audio.devices import AudioDevice
from rehearse.audio.files import SAMPLE_RATE
from rehearse.audio.playback import Playback, Player
from rehearse.coach.live_cue import LiveCue
from rehearse.models.stt import Transcript

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
            self._ahead = threading.Thread(
                target=session.synthesize_ahead,
                args=(self._upcoming, self._closing),
                name="rehearse-ahead",
                daemon=True,
            )
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

    def wait(self, interrupt: threading.Event | None = None) -> Playback | None:
        """Until the line has played (or `interrupt` is set: then it is cut)."""
        while not self._done.wait(0.02):
            if interrupt is not None and interrupt.is_set():
                self.cut()
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
    if heard.end_of_turn is not None:  # why the reply ended, for replay (issue 11)
        out["end_of_turn"] = dict(heard.end_of_turn)
        if heard.speech_end_at is not None and heard.decided_at is not None:
            out["end_of_turn"]["decided_after_s"] = round(heard.decided_at - heard.speech_end_at, 3)
    return out


class Microphone(ReplySource):
    """The learner's headset: plays each customer line, hears the reply, pauses while a device is lost.

    `input_device`/`output_device` are names, indexes or `AudioDevice`s (None: remembered, else default).
    Nothing is opened until the engine calls `open()`."""

    kind = "microphone"
    live = True

    def __init__(self, input_device=None, output_device=None, record_track: bool = True, live_cue: bool = True):
        self._wanted = (input_device, output_device)
        self._record_track, self._live_cue = record_track, live_cue
        self.devices: Devices | None = None
        self.capture: Capture | None = None
        self.player: Player | None = None
        self.listener: Listener | None = None
        self._engine = None
        self._track: Path | None = None
        self._part = 0
        self._lines: list[LinePlayback] = []
        self._held = threading.Event()

    def open(self, engine) -> None:
        self._engine = engine
        wanted_in, wanted_out = self._wanted
        folder = engine.options.data_dir
        self.devices = Devices(_device("input", wanted_in, folder), _device("output", wanted_out, folder))
        if self._record_track:
            self._track = Path(engine.store.folder) / "audio" / engine.session.start() / "microphone.flac"
        try:
            self._open_streams()
        except BaseException:  # a device that will not open: close what did, the engine reports it
            self.close()
            raise
        engine.emit(events.DevicesOpened(self.devices.input.name, self.devices.output.name))

    def _open_streams(self) -> None:
        engine = self._engine
        track = None
        if self._track is not None:  # after a lost device, the track goes on in a new part
            self._part += 1
            track = self._track if self._part == 1 else self._track.with_name(f"microphone.part{self._part}.flac")
        self.capture = Capture(self.devices.input, track=track)
        self.player = Player(self.devices.output)
        self.capture.start()
        self.player.start()
        cue = LiveCue(engine.session.baseline) if self._live_cue else None
        self.listener = Listener(self.capture, engine.stt, engine.options.endpoint, engine.emit, cue)

    def push_to_talk(self, pressed: bool) -> None:
        """Held: silence does not end the reply; released: the reply ends now."""
        if pressed:
            self._held.set()
        else:
            self._held.clear()

    def _line(self) -> LinePlayback:
        """Start the customer's current line, keeping it until its threads are done."""
        self._lines = [line for line in self._lines if line.busy]
        line = LinePlayback(self._engine.session, self.player)
        self._lines.append(line)
        return line

    def _close_streams(self) -> None:
        if self.listener is not None:
            self.listener.close()
        for stream in (self.capture, self.player):
            if stream is not None:
                stream.stop()
        self.listener = self.capture = self.player = None

    def close(self) -> None:
        for line in self._lines:
            line.finish()
        self._lines = []
        self._close_streams()

    def say_closing_line(self, engine) -> None:
        """Say the line that ended the conversation (nobody answers it)."""
        line = self._line()
        try:
            played = line.wait(engine.interrupt_event)
        except DeviceLostError as exc:
            _LOGGER.warning("%s", exc)
            return
        if played is not None and played.started_at is not None:
            engine.emit(events.CustomerSpeaking(line.text, line.mood, played.started_at))
            engine.emit(events.CustomerDone(played.ended_at, played.stopped))

    def reply(self, engine) -> Reply:
        """Play the customer's line, hear the reply (or the silence), and say how the turn went."""
        line = self._line()
        heard = self.listener.listen(line, interrupt=engine.interrupt_event, held=self._held)
        if heard.reason == "interrupted":
            line.cut()
            return Reply("stopped" if engine.stopping else "cancelled", audio=heard.audio)
        try:
            played = line.wait()
        except DeviceLostError as exc:
            _LOGGER.warning("%s", exc)
            played = None
            if heard.reason != "device_lost":
                heard = HeardTurn("device_lost", heard.audio, heard.transcript, heard.speech_start_at)
        if heard.reason == "device_lost":
            self._recover(engine)
            if not heard.audio.size:
                return Reply("again")
        return self._reply(heard, played, engine)

    def _reply(self, heard: HeardTurn, played: Playback | None, engine) -> Reply:
        transcript = heard.transcript
        if heard.reason == "no_answer":
            transcript = Transcript("", (), "en", heard.audio.size / SAMPLE_RATE)
        turn_timing = timing(played, heard)
        return Reply(
            audio=heard.audio,
            transcript=transcript,
            timing=turn_timing,
            interrupted=heard.barge_in_at is not None,
            talk_over_s=turn_timing.get("overlap_s") or None,
        )

    def _recover(self, engine) -> None:
        """Close the streams, say so, and wait until both devices are back (or the engine is stopped)."""
        self._close_streams()
        engine.emit(
            events.DevicePaused(
                f"the audio device went away; reconnect '{self.devices.input.name}' "
                f"to go on (the session is paused, nothing said so far is lost)"
            )
        )
        while not engine.interrupt_event.wait(RECHECK_S):
            try:
                audio_devices.refresh()
                found_in = audio_devices.find_again(self.devices.input)
                found_out = audio_devices.find_again(self.devices.output)
                if found_in is None or found_out is None:
                    continue
                self.devices = Devices(found_in, found_out)
                self._open_streams()
            except (DeviceLostError, OSError, sd.PortAudioError) as exc:
                _LOGGER.info("devices not back yet: %s", exc)
                self._close_streams()
                continue
            engine.emit(events.DeviceResumed(f"'{found_in.name}' is back; practice goes on"))
            return


def _device(kind: str, wanted, folder) -> AudioDevice:
    if isinstance(wanted, AudioDevice):
        return wanted
    return audio_devices.choose(kind, None if wanted is None else str(wanted), folder)
