"""Whisper's window fitted to the speech (`rehearse.models.stt.fitted_window`) and the loop guard."""

import numpy as np

from rehearse.models.stt import MIN_WINDOW_FRAMES, WINDOW_MARGIN_FRAMES, fitted_window, looks_like_a_loop


def _window(content_frames: int, batch: bool = False) -> np.ndarray:
    """A 30 s log-mel window as faster-whisper pads it: speech frames, then zeros."""
    features = np.zeros((80, 3000), np.float32)
    features[:, :content_frames] = np.random.default_rng(0).uniform(-0.8, 0.6, (80, content_frames))
    features[:, content_frames - 1] = -0.7  # recorded silence is a constant, never zero
    return features[None] if batch else features


def test_the_window_keeps_the_speech_and_the_margin_of_padding():
    fitted = fitted_window(_window(901))
    assert fitted.shape == (80, 901 + WINDOW_MARGIN_FRAMES + 1)  # rounded up to an even count
    assert np.array_equal(fitted[:, :901], _window(901)[:, :901])
    assert not fitted[:, 901:].any()


def test_short_speech_gets_the_shortest_window():
    assert fitted_window(_window(150)).shape == (80, MIN_WINDOW_FRAMES)


def test_a_batch_is_cut_to_its_longest_speech_and_a_full_window_stays_whole():
    batch = np.concatenate([_window(200, batch=True), _window(1200, batch=True)])
    assert fitted_window(batch).shape == (2, 80, 1200 + WINDOW_MARGIN_FRAMES)
    assert fitted_window(_window(2900)).shape == (80, 3000)


def test_a_window_of_padding_only_is_the_shortest_window():
    assert fitted_window(np.zeros((80, 3000), np.float32)).shape == (80, MIN_WINDOW_FRAMES)


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
