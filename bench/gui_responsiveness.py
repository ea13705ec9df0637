"""Is the window's GUI thread free during a live session? A heartbeat that should tick every 10 ms.

Starts a private PulseAudio server (virtual microphone and speaker, tests/integration/audio_server.py),
opens the real window (MainWindow with the practice page; offscreen unless a display is set), and
runs one whole live session: models load, the customer speaks, and after each line a recorded
reply (the realspeech asr clips) is played into the virtual microphone, until the scenario ends.
Meanwhile a 10 ms QTimer on the GUI thread notes how late each tick is.

The window warms the models up behind Home (EngineBridge.warm_up) and the session starts once they are
loaded, as when a learner opens the app and then presses Start; `startup_heartbeat_late_ms` is that part,
`heartbeat_late_ms` the session itself (--no-warm-up: the session starts at once, models loading in it).

Reports `heartbeat_late_ms` {median, p90, max, n} (target: max <= 50 ms) and `meter_updates_per_s`
(live-trace redraws with new readings while the learner speaks; target >= 20). Each late tick says what the
engine last sent and how the GUI thread spent the time (Linux): running (its own work: layout, paint),
waiting for a CPU (a busy machine), or blocked (waiting for the GIL another thread holds).

    python bench/gui_responsiveness.py [--json OUT.json] [--scenario ID] [--max-s 240]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.audio_server import VirtualAudio  # noqa: E402

REALSPEECH = ROOT.parent / "shared" / "realspeech"
HEARTBEAT_MS = 10
NOTE_LATE_MS = 30


class SchedClock:
    """The calling thread's time on a CPU and waiting for one (Linux's /proc/.../schedstat, in ms); None elsewhere.
    Between two ticks, the rest of the wall time the thread was blocked: idle, or waiting for Python's GIL."""

    def __init__(self):
        try:
            self._file = open(f"/proc/self/task/{threading.get_native_id()}/schedstat", "rb")  # noqa: SIM115
        except OSError:
            self._file = None

    def read(self) -> tuple[float, float] | None:
        if self._file is None:
            return None
        self._file.seek(0)
        on_cpu, waiting = self._file.read().split()[:2]
        return int(on_cpu) / 1e6, int(waiting) / 1e6


class Heartbeat:
    """A precise 10 ms timer on the GUI thread; each tick notes how much later than due it came, and for a late
    one how the GUI thread spent the time: running (its own work), waiting for a CPU (the machine is busy) or
    blocked (mostly waiting for the GIL that another thread holds)."""

    def __init__(self, context=lambda: ""):
        """`context()` says what was happening, for the ticks later than `NOTE_LATE_MS`."""
        from PySide6.QtCore import Qt, QTimer

        self.context = context
        self.started = time.perf_counter()
        self.late_ms: list[float] = []
        self.busy_ms: list[float] = []
        """Per tick, the GUI thread's time on a CPU since the previous tick: its own work, whatever the load."""
        self.worst: list[dict] = []
        self._last: float | None = None
        self._sched = SchedClock()
        self._last_sched = self._sched.read()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, sched = time.perf_counter(), self._sched.read()
        if self._last is not None:
            late = max(0.0, (now - self._last) * 1000 - HEARTBEAT_MS)
            self.late_ms.append(late)
            if sched is not None and self._last_sched is not None:
                self.busy_ms.append(sched[0] - self._last_sched[0])
            if late > NOTE_LATE_MS:
                tick = {
                    "at_s": round(self._last - self.started, 2),
                    "late_ms": round(late, 1),
                    "during": self.context(),
                }
                if sched is not None and self._last_sched is not None:
                    running, waiting = (round(b - a, 1) for a, b in zip(self._last_sched, sched, strict=True))
                    blocked = round((now - self._last) * 1000 - running - waiting, 1)
                    tick.update(running_ms=running, waiting_for_cpu_ms=waiting, blocked_ms=blocked)
                self.worst.append(tick)
        self._last, self._last_sched = now, sched

    def summary(self, start: int = 0, end: int | None = None, of: str = "late_ms") -> dict:
        late = np.array(getattr(self, of)[start:end] or [0.0])
        return {
            "median": round(float(np.median(late)), 2),
            "p90": round(float(np.percentile(late, 90)), 2),
            "p99": round(float(np.percentile(late, 99)), 2),
            "max": round(float(late.max()), 2),
            "n": len(getattr(self, of)[start:end]),
        }


class Watcher:
    """A daemon thread running `_watch` until `stop()`."""

    def __init__(self, name: str):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1)

    def _watch(self) -> None:
        raise NotImplementedError


class GilWatch(Watcher):
    """A thread that sleeps `every_ms` at a time: when it wakes much later than that while it was neither running
    nor waiting for a CPU, it was waiting for the GIL; it then notes where the other threads are (the one that
    held the GIL is usually still at the call that held it)."""

    def __init__(self, every_ms: float = 2.0, note_ms: float = 15.0, started: float | None = None):
        super().__init__("gil-watch")
        self.every_s, self.note_ms = every_ms / 1000, note_ms
        self.started = started if started is not None else time.perf_counter()
        self.holds: list[dict] = []

    def _watch(self) -> None:
        clock = SchedClock()
        last, last_sched = time.perf_counter(), clock.read()
        while not self._stop.is_set():
            time.sleep(self.every_s)
            now, sched = time.perf_counter(), clock.read()
            if sched is not None and last_sched is not None:
                running, waiting = (b - a for a, b in zip(last_sched, sched, strict=True))
                blocked = (now - last) * 1000 - self.every_s * 1000 - running - waiting
                if blocked > self.note_ms:
                    names = {t.ident: t.name for t in threading.enumerate()}
                    others = {
                        names.get(ident, str(ident)): " < ".join(
                            f"{f.name} ({Path(f.filename).name}:{f.lineno})"
                            for f in reversed(traceback.extract_stack(frame, limit=3))
                        )
                        for ident, frame in sys._current_frames().items()
                        if ident != threading.get_ident()
                    }
                    self.holds.append(
                        {"at_s": round(last - self.started, 2), "blocked_ms": round(blocked, 1), "threads": others}
                    )
            last, last_sched = time.perf_counter(), clock.read()

    def summary(self, limit: int = 20) -> list[dict]:
        return sorted(self.holds, key=lambda hold: -hold["blocked_ms"])[:limit]


class StackSampler(Watcher):
    """A watchdog thread: when the GUI thread has not ticked for `after_ms`, it notes the GUI thread's stack
    (once per stall, then again every `after_ms` while it lasts), so a late heartbeat comes with its cause."""

    def __init__(self, heartbeat: Heartbeat, after_ms: float = 40.0):
        super().__init__("stack-sampler")
        self.heartbeat, self.after_s = heartbeat, after_ms / 1000
        self.gui_thread = threading.get_ident()
        self.samples: list[dict] = []

    def _watch(self) -> None:
        sampled_at = None
        while not self._stop.wait(0.005):
            last = self.heartbeat._last
            if last is None:
                continue
            stalled = time.perf_counter() - last
            if stalled < self.after_s + HEARTBEAT_MS / 1000 or sampled_at == last:
                continue
            sampled_at = last
            frame = sys._current_frames().get(self.gui_thread)
            if frame is None:
                continue
            stack = traceback.format_stack(frame, limit=14)
            names = {t.ident: t.name for t in threading.enumerate()}
            others = {}  # what the other threads were doing (one of them may have held the GIL)
            for ident, other in sys._current_frames().items():
                if ident in (self.gui_thread, threading.get_ident()):
                    continue
                top = traceback.extract_stack(other, limit=3)
                others[names.get(ident, str(ident))] = " < ".join(
                    f"{f.name} ({Path(f.filename).name}:{f.lineno})" for f in reversed(top)
                )
            self.samples.append(
                {
                    "at_s": round(last - self.heartbeat.started, 2),
                    "stalled_ms": round(stalled * 1000, 1),
                    "stack": [line.strip().replace("\n", " | ") for line in stack[-8:]],
                    "other_threads": others,
                }
            )

    def summary(self, limit: int = 12) -> list[dict]:
        return self.samples[:limit]


class ListeningClock:
    """How many live-trace frames were drawn while the learner spoke, and for how long they spoke."""

    def __init__(self, page):
        self.page, self.seconds, self.frames = page, 0.0, 0
        self._since: tuple[float, int] | None = None
        page.model.listening.connect(self._listening)

    def _listening(self, on: bool) -> None:
        frames = self.page.model.meters.frames
        if on and self._since is None:
            self._since = (time.perf_counter(), frames)
        elif not on and self._since is not None:
            started, first = self._since
            self.seconds += time.perf_counter() - started
            self.frames += frames - first
            self._since = None

    def rate(self) -> float | None:
        return round(self.frames / self.seconds, 1) if self.seconds else None


def run(args, server: VirtualAudio, tmp: Path) -> dict:
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from rehearse.app import events
    from rehearse.app.gui import theme
    from rehearse.app.gui.main_window import MainWindow
    from rehearse.app.options import PracticeOptions
    from rehearse.audio import devices
    from tests.gui.practice_driver import HeadsetLearner, reply_clips

    devices.refresh()
    app = QApplication.instance() or QApplication(["gui_responsiveness"])
    theme.apply(app, "light")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    page = window.practice
    learner = HeadsetLearner(server, reply_clips(REALSPEECH) * 4)
    learner.attach(page.bridge)
    clock = ListeningClock(page)
    heartbeat = Heartbeat(lambda: " > ".join(type(e).__name__ for e in learner.seen[-3:]))
    ended: list = []
    page.model.ended.connect(lambda event: (ended.append(event), QTimer.singleShot(300, app.quit)))
    options = PracticeOptions(
        scenario=args.scenario,
        learner="bench",
        data_dir=tmp / "data",
        seed=args.seed,
        model=args.model,
        rules_only=args.rules_only,
    )
    sampler = StackSampler(heartbeat)
    gil = GilWatch(started=heartbeat.started) if args.gil_watch else None
    opened = time.perf_counter()
    heartbeat.timer.start()
    sampler.start()
    if gil is not None:
        gil.start()
    marks: dict[str, float | int] = {}

    def start_session() -> None:
        """As a learner does: the window is open (the models load behind Home), then Start is pressed."""
        if not page.bridge.warm and time.perf_counter() - opened < args.max_s:
            QTimer.singleShot(50, start_session)
            return
        marks["tick"], marks["at"] = len(heartbeat.late_ms), time.perf_counter()
        window.start_practice(options, "microphone")
        QTimer.singleShot(int(args.max_s * 1000), page.stop)

    if args.no_warm_up:
        page.bridge._warming = None
        QTimer.singleShot(
            0, lambda: (marks.update(tick=0, at=time.perf_counter()), window.start_practice(options, "microphone"))
        )
        QTimer.singleShot(int(args.max_s * 1000), page.stop)
    else:
        page.bridge.warm_up(options)
        QTimer.singleShot(0, start_session)
    app.exec()
    heartbeat.timer.stop()
    sampler.stop()
    if gil is not None:
        gil.stop()
    started = marks.get("at", opened)
    elapsed = time.perf_counter() - started
    page.shutdown()
    window.close()
    QThreadPool.globalInstance().waitForDone(10_000)
    meters = learner.of(events.Meter)
    end = ended[0] if ended else None
    return {
        "heartbeat_late_ms": heartbeat.summary(int(marks.get("tick", 0))),
        "startup_heartbeat_late_ms": heartbeat.summary(0, int(marks.get("tick", 0))) if marks.get("tick") else None,
        "startup_s": round(started - opened, 1),
        "gui_thread_busy_ms": heartbeat.summary(int(marks.get("tick", 0)), of="busy_ms") if heartbeat.busy_ms else None,
        "meter_updates_per_s": clock.rate(),
        "meter_events_per_s": round(len(meters) / elapsed, 1),
        "learner_speaking_s": round(clock.seconds, 1),
        "session_s": round(elapsed, 1),
        "turns": end.turns if end else None,
        "status": end.status if end else None,
        "outcome": end.outcome if end else None,
        "replies_played": len(learner.spoken),
        "platform": QApplication.platformName(),
        "late_ticks": sorted(
            (tick for tick in heartbeat.worst if tick["at_s"] >= started - heartbeat.started),
            key=lambda tick: -tick["late_ms"],
        )[:20],
        "startup_late_ticks": sorted(
            (tick for tick in heartbeat.worst if tick["at_s"] < started - heartbeat.started),
            key=lambda tick: -tick["late_ms"],
        )[:10],
        "stalls": sampler.summary(50),
        "gil_holds": gil.summary() if gil is not None else None,
        "scenario": args.scenario,
        "model": args.model,
    }


def print_report(result: dict) -> None:
    late = result["heartbeat_late_ms"]
    print(
        f"GUI heartbeat (every {HEARTBEAT_MS} ms) late by: median {late['median']} ms, p90 {late['p90']} ms, "
        f"p99 {late['p99']} ms, max {late['max']} ms over {late['n']} ticks (target: max <= 50 ms)"
    )
    busy = result.get("gui_thread_busy_ms")
    if busy:
        print(
            f"  the GUI thread's own CPU time between two ticks (what a quiet machine would show): median "
            f"{busy['median']} ms, p99 {busy['p99']} ms, max {busy['max']} ms"
        )
    if result.get("startup_heartbeat_late_ms"):
        start = result["startup_heartbeat_late_ms"]
        print(
            f"  before the session (window open, models warming up behind Home for {result['startup_s']} s): "
            f"median {start['median']} ms, p90 {start['p90']} ms, max {start['max']} ms"
        )
    print(
        f"live trace: {result['meter_updates_per_s']} updates a second while the learner spoke "
        f"({result['learner_speaking_s']} s; target >= 20)"
    )
    for tick in result.get("late_ticks", [])[:5]:
        split = (
            f" (GUI thread running {tick['running_ms']} ms, waiting for a CPU {tick['waiting_for_cpu_ms']} ms, "
            f"blocked {tick['blocked_ms']} ms)"
            if "running_ms" in tick
            else ""
        )
        print(f"  late {tick['late_ms']} ms at {tick['at_s']} s{split} after {tick['during']}")
    for stall in result.get("stalls", [])[:5]:
        print(f"  GUI thread busy {stall['stalled_ms']} ms at {stall['at_s']} s in: {stall['stack'][-1]}")
    print(
        f"session: {result['turns']} turns, {result['status']} ({result['outcome']}), {result['session_s']} s, "
        f"platform {result['platform']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="OUT.json")
    parser.add_argument("--scenario", default="internet-outage")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--rules-only", action="store_true", help="judge wording with the phrase rules alone")
    parser.add_argument(
        "--no-warm-up",
        action="store_true",
        help="start the session at once, models loading during it (no warm-up behind Home)",
    )
    parser.add_argument("--max-s", type=float, default=240.0, help="stop the session after this long (default 240)")
    parser.add_argument(
        "--gil-watch",
        action="store_true",
        help="a thread that notes who held the GIL when it waited for it over 15 ms (it adds GIL traffic)",
    )
    args = parser.parse_args(argv)
    problem = VirtualAudio.available()
    if problem:
        raise SystemExit(f"no virtual audio devices: {problem}")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="rehearse-gui-bench-") as tmp:
        os.environ["REHEARSE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # the window's settings stay out of the user's
        server = VirtualAudio(Path(tmp) / "pulse")
        server.start()
        try:
            result = run(args, server, Path(tmp))
        finally:
            server.stop()
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
