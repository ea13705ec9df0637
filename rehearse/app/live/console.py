"""Live practice in the terminal: devices from the command line, events printed as they happen."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rehearse.app import runtime
from rehearse.app import events
from rehearse.app.report import branch_line, customer_lines, feedback_lines, session_end_line
from rehearse.audio.endpoint import EndpointConfig
from rehearse.coach.live_cue import LiveCue

def endpoint_config(args) -> EndpointConfig:
    chosen = {"trailing_silence_ms": args.trailing_silence_ms, "no_answer_s": args.no_answer_s,
              "max_turn_s": args.max_turn_s}
    return EndpointConfig.from_dict({k: v for k, v in chosen.items() if v is not None})


class Printer:
    """Prints the live events a person wants to see in a terminal (not the 25-a-second meter)."""

    def __init__(self, name: str, as_json: bool, out=None):
        self.name, self.as_json, self._out = name, as_json, out

    @property
    def out(self):
        return self._out or sys.stdout

    def __call__(self, event) -> None:
        if self.as_json:
            if isinstance(event, events.Verdict):
                print(json.dumps(event.turn.to_dict()), file=self.out, flush=True)
            return
        if isinstance(event, events.CustomerSpeaking):
            line = customer_lines(self.name, event.text, event.mood, _band(event.mood))
            self._say("\n" + "\n".join(line))
        elif isinstance(event, events.SpeechStarted):
            self._say("  (you cut in)" if event.barge_in else "  (listening...)")
        elif isinstance(event, events.Partial):
            wpm = f"  [{event.wpm:.0f} wpm]" if event.wpm else ""
            self._say(f"  ... {event.text}{wpm}")
        elif isinstance(event, events.Cue) and event.text:
            self._say(f"  >> {event.text}")
        elif isinstance(event, events.GainTip):
            self._say(f"  Tip: {event.text}")
        elif isinstance(event, events.NoAnswer):
            self._say("  (no answer)")
        elif isinstance(event, events.Verdict):
            turn = event.turn
            self._say("\n".join(feedback_lines(turn.feedback)))
            gap = (turn.timing or {}).get("response_gap_s")
            if gap is not None:
                self._say(f"  Timing:   {'overlap' if gap < 0 else 'gap'} {abs(gap) * 1000:.0f} ms")
            self._say(branch_line(turn.step))
        elif isinstance(event, (events.DevicePaused, events.DeviceResumed)):
            self._say(f"  [{event.message}]")

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _band(mood: float) -> str:
    from rehearse.scenarios.engine import band

    return band(mood)


def run_live(args, scenario) -> int:
    from rehearse.app.live.practice import Devices, LivePractice
    from rehearse.app.session import Session
    from rehearse.audio import devices
    from rehearse.audio.capture import DeviceLostError
    from rehearse.audio.devices import NoDeviceError

    try:
        microphone = devices.choose("input", args.input_device)
        speaker = devices.choose("output", args.output_device)
    except NoDeviceError as exc:
        raise SystemExit(f"rehearse practice: {exc}.\n"
                         f"  To practise without a microphone, type your replies: "
                         f"rehearse practice --scenario {args.scenario} --type") from exc
    if args.input_device or args.output_device:
        devices.remember(microphone if args.input_device else None, speaker if args.output_device else None)
    from rehearse.app.commands.practice import load_baseline

    store = runtime.open_store(args)
    stt = runtime.load_stt(args)
    baseline = load_baseline(stt, args.baseline)
    session = Session(scenario, stt, runtime.load_tts(args.voice or scenario.persona.voice), store,
                      learner=args.learner, seed=args.seed, baseline=baseline, paraphrases=not args.rules_only)
    if not args.json:
        print(f"{scenario.title} — session {session.id}\n"
              f"Listening on '{microphone.name}', the customer speaks on '{speaker.name}'. Ctrl+C stops.")
    track = Path(store.folder) / "audio" / session.id / "microphone.flac"
    try:
        with LivePractice(session, Devices(microphone, speaker), stt, cue=LiveCue(baseline), config=endpoint_config(args),
                          on_event=Printer(scenario.persona.name, args.json), track=track) as live:
            live.run()
    except KeyboardInterrupt:
        session.close(note="stopped by the learner")
        raise
    except DeviceLostError as exc:
        session.close(note=f"audio device failed: {exc}")
        raise SystemExit(f"rehearse practice: {exc}. Check the headset is connected and not used by another "
                         f"program, or choose another with --input-device/--output-device (--list-devices)") from exc
    session.close()
    if not args.json:
        print("\n" + session_end_line(session, store.url, "stopped"))
    return 0
