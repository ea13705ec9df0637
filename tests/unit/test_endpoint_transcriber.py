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

    def transcribe(self, audio, prompt=None, offset=0.0, fitted=False):
        assert fitted  # the live path asks for the window fitted to the speech
        self.calls.append((audio.size, prompt, offset))
        shown = tuple(Word(w.text, w.start, w.end, 1.0) for w in self.words if w.start >= offset)
        return Transcript(" ".join(w.text for w in shown), shown, "en", audio.size / 16_000)


def test_words_before_a_pause_are_committed_and_the_final_starts_after_them():
    words = [
        Word("I'm", 0.1, 0.3, 1),
        Word("sorry.", 0.3, 0.8, 1),  # 0.4 s pause after "sorry."
        Word("Let", 1.2, 1.4, 1),
        Word("me", 1.4, 1.5, 1),
        Word("check.", 1.5, 2.0, 1),
    ]
    stt = ScriptedStt(words)
    results, done = [], threading.Event()

    def collect(result):
        results.append(result)
        if result.final:
            done.set()

    audio = np.zeros(16_000 * 4, np.float32)
    transcriber = IncrementalTranscriber(stt, lambda begin, end: audio[begin:end], collect, whole_turn_s=0)
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
    assert prompt == "I'm sorry." and abs(offset - 1.0) <= 0.01  # cut in the middle of the pause
    assert abs(size - (int(2.3 * 16_000) - 16_000)) <= 160


def run_partials(words, ends_s, audio, commit="agree", whole_turn_s=0):
    stt = ScriptedStt(words)
    results = []
    transcriber = IncrementalTranscriber(
        stt, lambda begin, end: audio[begin:end], results.append, commit=commit, whole_turn_s=whole_turn_s
    )
    transcriber.begin(0)
    for end in ends_s:
        before = len(results)
        transcriber.partial(int(end * 16_000))
        while len(results) == before:
            threading.Event().wait(0.01)
    transcriber.close()
    return stt, transcriber


def test_fluent_words_are_committed_when_two_partials_agree_and_cut_where_it_is_quietest():
    # fluent speech: no pause between words, so the pause rule alone never commits anything
    words = [Word(w, 0.3 * i, 0.3 * i + 0.3, 1) for i, w in enumerate("we can send a technician tomorrow".split())]
    audio = np.random.default_rng(0).normal(0, 0.1, 16_000 * 3).astype(np.float32)
    audio[int(1.47 * 16_000) : int(1.49 * 16_000)] = 0.0  # the quietest instant near "technician"/"tomorrow"
    stt, agree = run_partials(words[:5], [1.6], audio)
    assert agree._committed == []  # one decode is not enough
    stt, agree = run_partials(words, [1.6, 2.0], audio)
    assert [w.text for w in agree._committed] == "we can send a technician".split()  # agreed, >= 0.5 s old
    assert abs(agree._committed_until / 16_000 - 1.48) <= 0.006
    _, gap = run_partials(words, [1.6, 2.0], audio, commit="gap")
    assert gap._committed == []


def test_a_turn_that_fits_the_fitted_window_is_decoded_whole():
    words = [Word(w, 0.3 * i, 0.3 * i + 0.3, 1) for i, w in enumerate("we can send a technician tomorrow".split())]
    audio = np.random.default_rng(0).normal(0, 0.1, 16_000 * 3).astype(np.float32)
    stt, short = run_partials(words, [1.6, 2.0, 2.4], audio, whole_turn_s=6.0)
    assert short._committed == [] and [call[1:] for call in stt.calls] == [(None, 0.0)] * 3  # no prompt, no offset
    stt, longer = run_partials(words, [1.6, 2.0, 2.4], audio, whole_turn_s=1.8)
    # past 1.8 s the partial at 2.0 s agrees with the one at 1.6 s, as in a longer turn
    assert [w.text for w in longer._committed] == "we can send a technician".split()


def test_the_first_decode_past_the_whole_turn_commits_what_it_heard_though_two_whole_decodes_differ():
    def said(text):
        return tuple(Word(w, 0.4 * i, 0.4 * i + 0.35, 1) for i, w in enumerate(text.split()))

    class TwoDecodes(ScriptedStt):
        decodes = [said("Mr. John Dashwood had"), said("And Mr. John Dashwood had then leisure")]

        def transcribe(self, audio, prompt=None, offset=0.0, fitted=False):
            return Transcript("", self.decodes.pop(0), "en", audio.size / 16_000)

    audio = np.random.default_rng(0).normal(0, 0.1, 16_000 * 4).astype(np.float32)
    results = []
    transcriber = IncrementalTranscriber(TwoDecodes([]), lambda b, e: audio[b:e], results.append, whole_turn_s=2.0)
    transcriber.begin(0)
    for end in (1.8, 3.0):
        transcriber._transcribe(transcriber._turn, int(end * 16_000), final=False)
    transcriber.close()
    # no word agrees ("And" came first the second time); the words ending 1 s before the newest audio are kept
    assert [w.text for w in transcriber._committed] == "And Mr. John Dashwood had".split()
