"""Pace and fillers from word timestamps."""

import pytest

from rehearse.coach.pace import count_fillers, measure
from rehearse.models.stt import Word


def _words(spec):
    return [Word(t, a, b, 0.9) for t, a, b in spec]


def test_wpm_and_articulation_rate():
    words = _words([("one", 0.0, 0.4), ("two", 0.5, 0.9), ("three", 2.0, 2.4), ("four", 2.5, 3.0)])
    pace = measure(words)
    assert pace.wpm == pytest.approx(60 * 4 / 3.0)
    assert pace.word_pauses_s == (1.1,)
    assert pace.articulation_wpm == pytest.approx(60 * 4 / 1.9)
    assert pace.long_pauses == ((0.9, 2.0),)
    assert pace.first_word_s == 0.0 and pace.span == (0.0, 3.0)


def test_too_few_words_give_no_rate():
    assert measure(_words([("hi", 0.2, 0.5)])).wpm is None
    assert measure([]).first_word_s is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Um, so, uh, I think it's fine", {"um": 1, "uh": 1}),
        ("It was like, totally broken, you know.", {"like": 1, "you know": 1}),
        ("I would like a refund. You know what I mean?", {}),
        ("It looks like the line is down", {}),
        ("Hmm, erm, well", {"hmm": 1, "um": 1}),
    ],
)
def test_filler_kinds(text, expected):
    assert count_fillers(text) == expected


def test_filler_times_come_from_word_timestamps():
    pace = measure(
        _words([("Um,", 0.0, 0.4), ("I", 0.5, 0.6), ("see,", 0.6, 0.9), ("you", 1.0, 1.1), ("know.", 1.1, 1.4)])
    )
    assert pace.fillers == {"um": 1, "you know": 1}
    assert pace.filler_times == (("um", 0.0, 0.4), ("you know", 1.0, 1.4))


def test_word_edges_are_trimmed_to_the_voiced_span():
    words = _words([("go", 0.0, 0.5), ("forward", 0.5, 1.0), ("now", 1.0, 2.5)])
    assert measure(words).wpm == pytest.approx(60 * 3 / 2.5)
    trimmed = measure(words, voiced=(0.4, 1.4))
    assert trimmed.span == (pytest.approx(0.3), pytest.approx(1.5))
    assert trimmed.wpm == pytest.approx(60 * 3 / 1.2)
    assert trimmed.first_word_s == pytest.approx(0.3)
