"""Whisper's window fitted to the speech (`rehearse.models.stt.fitted_window`) and the loop guard."""

import numpy as np

from rehearse.models.stt import SHORT_SPEECH_FRAMES, SHORT_WINDOW_FRAMES, fitted_window, looks_like_a_loop


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
