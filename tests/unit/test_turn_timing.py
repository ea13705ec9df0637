"""How a live turn's timing reads: the endpointer's real records of why a turn ended, put into words."""

from __future__ import annotations

from rehearse.app.turn_timing import answer_timing, timing_line, timing_sentences, turn_ending
from rehearse.audio.endpoint import WINDOW, EndpointConfig, Endpointer, sounds_unfinished

SPEECH, PAUSE_AT = 40, 40 * WINDOW


def ended(
    words: str,
    probability: float | None,
    silent_windows: int,
    smart: bool = True,
    words_after: int = 0,
    answer_after: int = 0,
) -> dict:
    """The timing a live turn saves after `words`, a pause, and Smart Turn's answer (None: it never answered)
    given `answer_after` windows into the pause, about 7 windows more than that; the pause's own transcript
    arrives `words_after` windows into it."""
    endpointer = Endpointer(EndpointConfig(end_of_turn="smart_turn" if smart else "silence"), smart=smart)
    endpointer.words = words
    endpointer.unfinished = sounds_unfinished(words)
    for i in range(SPEECH):
        endpointer.update(0.9, i * WINDOW)
    for i in range(SPEECH, SPEECH + silent_windows):
        if i == SPEECH + words_after:
            endpointer.words_until = PAUSE_AT + WINDOW
        endpointer.update(0.05, i * WINDOW)
        if i == SPEECH + answer_after and probability is not None:
            endpointer.estimate(probability, PAUSE_AT + (answer_after + 7) * WINDOW, took_ms=60.0)
        if endpointer.done:
            break
    assert endpointer.done, "the pause did not end the turn"
    return {"response_gap_s": 0.52, "barge_in": False, "end_of_turn": endpointer.end_of_turn}


def test_a_finished_reply_says_how_far_into_the_pause_it_ended_and_the_models_answer():
    text = turn_ending(ended("Yes, I can do that.", 0.93, 10))
    assert text.startswith("Ended 0.10 s into your pause: you sounded finished")
    assert "(the end-of-turn model was 93% sure you had finished)" in text


def test_an_end_that_waited_for_the_pauses_words_says_so():
    text = turn_ending(ended("Yes, I can do that.", 0.93, 40, words_after=25))
    assert text == (
        "Ended 0.83 s into your pause: you sounded finished (the end-of-turn model was 93% sure you had finished), "
        "once your last words were transcribed"
    )
    asked_once_they_came = turn_ending(ended("Yes, I can do that.", 0.93, 40, words_after=15, answer_after=12))
    assert asked_once_they_came.endswith("finished), once your last words were transcribed")
    assert "transcribed" not in turn_ending(ended("Yes, I can do that.", 0.93, 10, words_after=2))
    unsure_later = turn_ending(ended("Yes, I can do that.", 0.3, 40, words_after=12))
    assert unsure_later.startswith("Ended after 0.7") and "transcribed" not in unsure_later


def test_words_that_stop_mid_clause_say_why_it_kept_listening():
    text = turn_ending(ended("I can see your account and", 0.9, 60))
    assert text.startswith("Ended after 1.60 s of silence, the longest Rehearse waits")
    assert "your words stopped on “and”, so it kept listening for more" in text


def test_an_unsure_model_and_the_silence_rule_are_told_apart():
    unsure = turn_ending(ended("I can see your account.", 0.3, 30))
    assert "it was unclear whether you had finished (the end-of-turn model was 30% sure you had finished)" in unsure
    assert "had not answered yet" in turn_ending(ended("I can see your account.", None, 30))
    assert turn_ending(ended("I can see your account.", None, 30, smart=False)) == "Ended after 0.32 s of silence"


def test_the_answer_gap_or_the_overlap_comes_first_and_turns_without_a_record_say_nothing():
    timing = ended("Yes, I can do that.", 0.93, 10)
    assert answer_timing(timing) == "Answered 0.52 s after the customer stopped"
    assert timing_line(timing).startswith("Answered 0.52 s after the customer stopped; Ended 0.10 s into")
    assert timing_sentences(timing).endswith("finished).")
    assert answer_timing({"response_gap_s": -0.84, "barge_in": True}) == "Spoke over the customer for 0.8 s"
    assert turn_ending({"end_of_turn": {"rule": "released"}}) == "Ended when you released push-to-talk"
    assert timing_line(None) is None and timing_sentences({}) is None
