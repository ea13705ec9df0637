"""The import progress bar: stage, share done and time left on one line of a terminal, a line per stage else."""

import io

from rehearse.app.commands import import_calls


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_shows_a_bar_with_the_stage_and_the_time_left(monkeypatch):
    clock = iter([100.0, 160.0, 160.0])
    monkeypatch.setattr(import_calls.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(import_calls.sys, "stderr", _Terminal())
    progress = import_calls.Progress("call.wav")
    progress("transcribe", 0.0)  # 50 % done after 60 s: about a minute left
    line = import_calls.sys.stderr.getvalue()
    assert line.startswith("\rcall.wav: [############------------]  50% transcribing, ~1:00 left")


def test_elsewhere_each_stage_is_said_once(monkeypatch):
    monkeypatch.setattr(import_calls.sys, "stderr", io.StringIO())
    progress = import_calls.Progress("call.wav")
    for stage, share in (("speakers", 0.1), ("speakers", 0.9), ("score", 0.5)):
        progress(stage, share)
    assert import_calls.sys.stderr.getvalue().splitlines() == [
        "call.wav: finding the speakers...",
        "call.wav: scoring...",
    ]
