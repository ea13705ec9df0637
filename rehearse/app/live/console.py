"""The terminal front end of the engine: prints the events a person wants to see, maps Ctrl+C to `stop()`."""

from __future__ import annotations

import json
import sys
import threading

from rehearse.app import events
from rehearse.app.report import branch_line, customer_lines, feedback_lines, session_end_line
from rehearse.app.turn_timing import timing_line
from rehearse.scenarios.engine import band


class Printer:
    """Prints engine events for a terminal (not the 25-a-second meter); with `as_json`, one object per turn."""

    def __init__(self, name: str, as_json: bool, out=None):
        self.name, self.as_json, self._out = name, as_json, out
        self._shown_line: str | None = None
        self._live = False

    @property
    def out(self):
        return self._out or sys.stdout

    def __call__(self, event: events.Event) -> None:
        if self.as_json:
            if isinstance(event, events.Verdict):
                print(json.dumps(event.turn.to_dict()), file=self.out, flush=True)
            return
        match event:
            case events.SessionStarted():
                self._live = event.source == "microphone"
                self._say(f"{event.title} — session {event.session_id}")
            case events.CustomerSpeaking() if self._live:  # live: the line is printed as it becomes audible
                self._shown_line = event.text
                self._say("\n" + "\n".join(customer_lines(self.name, event.text, event.mood, band(event.mood))))
            case events.CustomerLine() if self._live:
                pass
            case events.DevicesOpened():
                self._say(
                    f"Listening on '{event.input_name}', the customer speaks on '{event.output_name}'. Ctrl+C stops."
                )
            case events.CustomerLine():
                self._shown_line = event.text
                self._say("\n" + "\n".join(customer_lines(self.name, event.text, event.mood, event.band)))
            case events.SpeechStarted():
                self._say("  (you cut in)" if event.barge_in else "  (listening...)")
            case events.Partial():
                wpm = f"  [{event.wpm:.0f} wpm]" if event.wpm else ""
                self._say(f"  ... {event.text}{wpm}")
            case events.Cue() if event.text:
                self._say(f"  >> {event.text}")
            case events.GainTip():
                self._say(f"  Tip: {event.text}")
            case events.NoAnswer():
                self._say("  (no answer)")
            case events.Verdict():
                self._verdict(event.turn)
            case events.Rewound():
                self._say(f"\n  (taking turn {event.turn} again: take {event.take})")
            case events.TurnKept():
                self._say(f"  (stopped: the {event.duration_s:.1f} s you said in this turn are kept, unjudged)")
            case events.Paused() | events.Resumed():
                self._say("  [paused]" if isinstance(event, events.Paused) else "  [resumed]")
            case events.DevicePaused() | events.DeviceResumed():
                self._say(f"  [{event.message}]")
            case events.ModelLoading(state="failed"):
                print(f"rehearse: warning: {event.name}: {event.reason}", file=sys.stderr, flush=True)
            case events.SessionEnded():
                if event.closing_line and event.closing_line != self._shown_line and event.status == "unfinished":
                    self._say(f'\n{self.name} (not answered): "{event.closing_line}"')
                self._say("\n" + session_end_line(event))

    def _verdict(self, turn) -> None:
        self._say("\n".join(feedback_lines(turn.feedback)))
        timing = timing_line(turn.timing)
        if timing:
            self._say(f"  Timing:   {timing}")
        self._say(branch_line(turn.step))

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def run_in_terminal(engine) -> int:
    """Run an engine to its end in the terminal. Ctrl+C calls `stop()` (the session is saved as unfinished,
    then KeyboardInterrupt goes on to the command line's handler); an error that ended the session is raised
    here, where the command line reports it in one line."""
    engine.start()
    interrupted = False
    while True:
        try:
            if engine.wait(0.1):
                break
        except KeyboardInterrupt:
            interrupted = True
            engine.stop()
    if interrupted:
        raise KeyboardInterrupt
    if engine.error is not None:
        raise engine.error
    return 0


def read_stdin_into(replies) -> None:
    """Feed typed replies from standard input on a daemon thread (an empty line or end of input stops)."""

    def pump() -> None:
        for line in sys.stdin:
            print("", end="", flush=True)
            replies.submit(line)
            if not line.strip():
                return
        replies.submit(None)

    threading.Thread(target=pump, name="rehearse-stdin", daemon=True).start()
