"""A cut line keeps the moment it was cut, however the playback thread and the audio callback interleave."""

import queue

from rehearse.audio.devices import AudioDevice
from rehearse.audio.playback import Player


class LateMarks:
    """The marks queue as the waiting thread sees it when the callback's cut mark lands just after a timeout."""

    def __init__(self, marks):
        self._marks, self._timed_out = list(marks), False

    def get(self, timeout=None):
        if not self._timed_out:
            self._timed_out = True
            raise queue.Empty
        return self._marks.pop(0)

    def empty(self):
        return not self._marks


class Active:
    active = True


def test_a_cut_mark_that_lands_after_a_timeout_still_dates_the_cut():
    player = Player(AudioDevice(0, "virtual", "PulseAudio", 0, 1, 48_000.0))
    player._stream, player._line = Active(), 1
    player._stop.set()  # barge-in: the callback has cut the sentence and dropped it
    player._marks = LateMarks([("start", (1, 0), 10.0), ("cut", (1, 0), 11.5)])
    played = player._wait(1, None)
    assert played.stopped and played.started_at == 10.0 and played.ended_at == 11.5
