"""Whisper's window fitted to the speech (`rehearse.models.stt.fitted_window`), the loop guard, the decode that
is tried again when Whisper failed, and the invented ending dropped."""

import numpy as np

from rehearse.models.device import ctranslate2_device
from rehearse.models.stt import (
    SHORT_SPEECH_FRAMES,
    SHORT_WINDOW_FRAMES,
    SpeechToText,
    Transcript,
    Word,
    fitted_window,
    looks_like_a_loop,
    whisper_failure,
    without_invented_ending,
)


def _window(content_frames: int, batch: bool = False) -> np.ndarray:
    """A 30 s log-mel window as faster-whisper pads it: speech frames, then zeros."""
    features = np.zeros((80, 3000), np.float32)
    features[:, :content_frames] = np.random.default_rng(0).uniform(-0.8, 0.6, (80, content_frames))
    features[:, content_frames - 1] = -0.7  # recorded silence is a constant, never zero
    return features[None] if batch else features


def test_short_speech_is_encoded_in_the_short_window_with_its_padding():
    fitted = fitted_window(_window(301))
    assert fitted.shape == (80, SHORT_WINDOW_FRAMES)
    assert np.array_equal(fitted[:, :301], _window(301)[:, :301])
    assert not fitted[:, 301:].any()
    assert fitted_window(np.zeros((80, 3000), np.float32)).shape == (80, SHORT_WINDOW_FRAMES)


def test_longer_speech_keeps_the_whole_window():
    assert fitted_window(_window(SHORT_SPEECH_FRAMES + 1)).shape == (80, 3000)
    assert fitted_window(_window(SHORT_SPEECH_FRAMES)).shape == (80, SHORT_WINDOW_FRAMES)


def test_a_batch_is_cut_only_when_all_its_speech_is_short():
    short, long = _window(200, batch=True), _window(900, batch=True)
    assert fitted_window(np.concatenate([short, short])).shape == (2, 80, SHORT_WINDOW_FRAMES)
    assert fitted_window(np.concatenate([short, long])).shape == (2, 80, 3000)


def test_a_phrase_three_times_in_a_row_is_a_loop():
    assert looks_like_a_loop("Go forward 10 meters. Go forward 10 meters. Go forward 10 meters.".split(), 3.0)
    assert looks_like_a_loop(["8.", "The", "press", "yard"] * 3, 1.6)


def test_speech_that_repeats_itself_as_people_do_is_not_a_loop():
    assert not looks_like_a_loop("Hold on, hold on, can I get a word in?".split(), 2.5)
    assert not looks_like_a_loop("no no no no that is not what I said".split(), 2.5)
    assert not looks_like_a_loop("I am sorry, I am so sorry, I am really sorry".split(), 3.0)


def test_more_words_than_anyone_says_is_a_loop():
    words = [f"word{i}" for i in range(13)]
    assert looks_like_a_loop(words, 2.0)
    assert not looks_like_a_loop(words[:11], 2.0)


def test_a_fitted_window_that_says_a_sentence_twice_has_failed():
    words = "Don't take it so seriously. Don't take it so seriously.".split()
    assert whisper_failure(_heard(words), 3.0, fitted=True)
    assert whisper_failure(_heard(words), 3.0, fitted=False) is None  # the whole window: a speaker may repeat
    assert whisper_failure(_heard("Hold on, hold on, can I get a word in?".split()), 3.0, fitted=True) is None


def test_no_words_for_audible_speech_has_failed_and_none_for_silence_is_right():
    assert whisper_failure(_heard([]), speech_s=1.4)
    assert whisper_failure(_heard([]), speech_s=0.0) is None
    assert whisper_failure(_heard("Yes I can".split()), speech_s=1.4) is None


def test_whisper_s_invented_ending_is_dropped():
    said = [Word("to", 10.37, 10.59, 0.97), Word("myself.", 10.59, 11.01, 1.0)]
    for ending in (
        [Word("Thank", 11.01, 11.17, 0.0), Word("you.", 11.17, 11.17, 0.99)],  # unsure, then no time
        [Word("of.", 10.87, 10.87, 0.27)],
        [Word(".", 11.03, 11.17, 0.9)],  # no letter
        [Word("of.", 11.05, 11.2, 0.6)],  # a function word as a sentence of its own
    ):
        assert without_invented_ending(said + ending) == said
    assert without_invented_ending(said) == said
    assert without_invented_ending(said[:1] + [Word("of.", 10.6, 10.8, 0.9)]) == said[:1] + [
        Word("of.", 10.6, 10.8, 0.9)
    ]
    assert without_invented_ending([Word("a", 1.0, 1.0, 0.02)]) == []


class ScriptedDecodes(SpeechToText):
    """A SpeechToText whose decodes are scripted (the retry order is under test, not Whisper)."""

    def __init__(self, *results):
        self.results, self.asked = list(results), []
        self._model, self.choice = None, ctranslate2_device("cpu")

    def _decode(self, audio, prompt, offset, vad, on_progress, fitted, live):
        self.asked.append((prompt, fitted))
        return self.results.pop(0)


def test_a_tail_heard_as_nothing_is_decoded_again_without_the_prompt_then_on_the_whole_window():
    nothing, words = (_heard([]), 1.2), (_heard("Dashwood had then".split()), 1.2)
    stt = ScriptedDecodes(nothing, words)
    assert stt.transcribe(np.zeros(16_000, np.float32), prompt="Mr. John", fitted=True).text == "Dashwood had then"
    assert stt.asked == [("Mr. John", True), (None, True)]
    stt = ScriptedDecodes(nothing, nothing, words)
    assert stt.transcribe(np.zeros(16_000, np.float32), prompt="Mr. John", fitted=True).text == "Dashwood had then"
    assert stt.asked == [("Mr. John", True), (None, True), (None, False)]


def test_a_good_first_decode_is_not_repeated_and_the_last_attempt_stands():
    stt = ScriptedDecodes((_heard("Yes I can".split()), 1.0))
    assert stt.transcribe(np.zeros(16_000, np.float32), prompt="so", fitted=True).text == "Yes I can"
    assert stt.asked == [("so", True)]
    stt = ScriptedDecodes((_heard([]), 1.0))
    assert stt.transcribe(np.zeros(16_000, np.float32)).text == ""  # nothing left to try
    assert stt.asked == [(None, False)]


def _heard(words: list[str]) -> Transcript:
    spoken = tuple(Word(w, 0.4 * i, 0.4 * i + 0.3, 0.9) for i, w in enumerate(words))
    return Transcript(" ".join(words), spoken, "en", 0.4 * len(words) + 0.5)
