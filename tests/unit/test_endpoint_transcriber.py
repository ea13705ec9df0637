"""Incremental transcription: which words are committed, so that the final only processes the tail."""

from __future__ import annotations

import threading

import numpy as np

from rehearse.app.live.transcriber import IncrementalTranscriber
from rehearse.models.stt import Transcript, Word


class ScriptedStt:
    """Stands in for Whisper in the bookkeeping test only: it reports which audio it was given."""

    def __init__(self, words):
        self.words, self.calls = words, []

    def transcribe(self, audio, prompt=None, offset=0.0):
        self.calls.append((audio.size, prompt, offset))
        shown = tuple(Word(w.text, w.start, w.end, 1.0) for w in self.words if w.start >= offset)
        return Transcript(" ".join(w.text for w in shown), shown, "en", audio.size / 16_000)


def test_words_before_a_pause_are_committed_and_the_final_starts_after_them():
    words = [Word("I'm", 0.1, 0.3, 1), Word("sorry.", 0.3, 0.8, 1),      # 0.4 s pause after "sorry."
             Word("Let", 1.2, 1.4, 1), Word("me", 1.4, 1.5, 1), Word("check.", 1.5, 2.0, 1)]
    stt = ScriptedStt(words)
    results, done = [], threading.Event()

    def collect(result):
        results.append(result)
        if result.final:
            done.set()

    audio = np.zeros(16_000 * 4, np.float32)
    transcriber = IncrementalTranscriber(stt, lambda begin, end: audio[begin:end], collect)
    transcriber.begin(0)
    transcriber.partial(int(2.2 * 16_000))
    while not results:
        threading.Event().wait(0.01)
    transcriber.final(int(2.3 * 16_000))
    assert done.wait(5)
    transcriber.close()

    assert [r.final for r in results] == [False, True]
    final = results[-1].transcript
    assert final.text == "I'm sorry. Let me check."
    size, prompt, offset = stt.calls[-1]
    assert prompt == "I'm sorry." and offset == 1.0  # cut in the middle of the pause
    assert size == int(2.3 * 16_000) - 16_000
