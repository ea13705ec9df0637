"""Endpointing decisions on scripted VAD probabilities, and Silero on real speech."""

from __future__ import annotations

import numpy as np
import pytest

from rehearse.audio.endpoint import WINDOW, EndpointConfig, Endpointer, StreamingVad, decide, sounds_unfinished

MS_PER_WINDOW = 1000 * WINDOW / 16_000


def run(probs, config=EndpointConfig(), answer_from=0, unfinished=False):
    endpointer = Endpointer(config, answer_from=answer_from)
    endpointer.unfinished = unfinished
    decisions = []
    for i, prob in enumerate(probs):
        decisions += [(d.kind, d.sample // WINDOW) for d in endpointer.update(prob, i * WINDOW)]
    return decisions, endpointer


def windows(ms: float) -> int:
    return int(round(ms / MS_PER_WINDOW))


def test_speech_then_trailing_silence_ends_the_turn():
    probs = [0.0] * 10 + [0.9] * 30 + [0.05] * windows(600)
    decisions, endpointer = run(probs)
    assert decisions[0] == ("speech_start", 10)
    assert ("pause", 40) in decisions
    assert decisions[-1] == ("speech_end", 40)
    assert endpointer.speech_end == 40 * WINDOW


def test_a_click_does_not_start_a_turn():
    decisions, _ = run([0.0] * 5 + [0.9] * 2 + [0.0] * 20)
    assert decisions == []


def test_a_short_pause_does_not_end_the_turn():
    probs = [0.9] * 20 + [0.1] * windows(200) + [0.9] * 20 + [0.1] * windows(500)
    decisions, _ = run(probs)
    kinds = [k for k, _ in decisions]
    assert kinds == ["speech_start", "pause", "resume", "pause", "speech_end"]


def test_hangover_waits_longer_when_the_words_stop_mid_sentence():
    probs = [0.9] * 20 + [0.1] * windows(700) + [0.9] * 20 + [0.1] * windows(1500)
    plain, _ = run(probs)
    held, _ = run(probs, unfinished=True)
    assert [k for k, _ in plain].count("speech_end") == 1 and plain[-1] == ("speech_end", 20)
    assert ("resume", 20 + windows(700)) in held  # the 700 ms pause did not end the turn


def test_silence_after_the_line_is_no_answer():
    config = EndpointConfig(no_answer_s=2.0)
    decisions, endpointer = run([0.0] * windows(3000), config)
    assert [kind for kind, _ in decisions] == ["no_answer"]
    assert 2.0 <= decisions[0][1] * WINDOW / 16_000 <= 2.0 + 2 * MS_PER_WINDOW / 1000
    assert endpointer.done
    still_playing, _ = run([0.0] * windows(3000), config, answer_from=None)
    assert still_playing == []


def test_a_turn_is_cut_at_the_maximum_length():
    decisions, endpointer = run([0.9] * windows(3000), EndpointConfig(max_turn_s=2.0))
    assert decisions[-1][0] == "max_length"
    assert endpointer.done


@pytest.mark.parametrize(
    "text, unfinished",
    [
        ("I will check that and", True),
        ("so um", True),
        ("and then the...", True),
        ("I'm sorry about that.", False),
        ("Let me fix it", False),
        ("So what I can do is", True),
        ("I'll send it to your", True),
        ("Yes, I can", False),
        ("Thank you", False),
        ("We can send a replacement router to.", True),  # Whisper's full stop at a pause after "to"
        ("I understand, um.", True),
        ("I think so.", False),
        ("Yes, we will.", False),
        ("I can see your account and.", True),
        ("If the reader will excuse me...", True),  # Whisper's mark for a thinking pause
    ],
)
def test_sounds_unfinished(text, unfinished):
    assert sounds_unfinished(text) is unfinished


def test_config_round_trips():
    config = EndpointConfig(trailing_silence_ms=450.0, no_answer_s=5.0)
    assert EndpointConfig.from_dict(config.to_dict()) == config


def test_silero_streaming_finds_real_speech(realspeech):
    from rehearse.audio.files import load_reply

    clip = load_reply(realspeech / "asr" / "asr_librivox_sense_0930.wav")
    audio = np.concatenate([np.zeros(16_000, np.float32), clip, np.zeros(16_000, np.float32)])
    vad, endpointer = StreamingVad(), Endpointer(EndpointConfig())
    decisions = []
    probs = []
    for i in range(0, audio.size, 160):  # 10 ms blocks, as captured
        probs += vad.feed(audio[i : i + 160])
    for i, prob in enumerate(probs):
        decisions += endpointer.update(prob, i * WINDOW)
    assert [d.kind for d in decisions][0] == "speech_start"
    assert decisions[-1].kind == "speech_end"
    active = np.flatnonzero(np.abs(clip) > 0.02)
    assert abs(decisions[0].sample - (16_000 + active[0])) < 0.3 * 16_000
    assert abs(decisions[-1].sample - (16_000 + active[-1])) < 0.15 * 16_000


def test_a_dip_between_words_is_not_announced_as_a_pause():
    decisions, _ = run([0.9] * 20 + [0.1] * 2 + [0.9] * 20 + [0.1] * windows(500), EndpointConfig(pause_ms=96))
    assert [k for k, _ in decisions] == ["speech_start", "pause", "speech_end"]
    assert decisions[1] == ("pause", 42)


# -- end of turn from Smart Turn, words and silence (issue 11) -----------------------------------------------

SMART = EndpointConfig()


@pytest.mark.parametrize(
    "silence_ms, probability, unfinished, rule",
    [
        (96, 0.9, False, "model_finished"),  # finished: ends at a short pause
        (60, 0.9, False, None),  # too short even for a finished reply (a dip between words)
        (96, 0.9, True, None),  # "... and": the words say unfinished, whatever the model says
        (1200, 0.9, True, None),  # a long thinking pause after "and" still does not end it
        (SMART.ceiling_ms, 0.9, True, "ceiling"),  # the learner simply stopped
        (300, 0.05, False, None),  # the model hears an unfinished clause
        (SMART.ceiling_ms, 0.05, False, "ceiling"),
        (SMART.unsure_silence_ms, 0.3, False, "model_unsure"),
        (SMART.unsure_silence_ms - 50, 0.3, False, None),
        (200, None, False, None),  # the model has not answered yet
        (SMART.trailing_silence_ms, None, False, None),
        (SMART.model_wait_ms, None, False, "silence"),  # ... and is late (a busy CPU): the old rule
    ],
)
def test_end_of_turn_rules(silence_ms, probability, unfinished, rule):
    assert decide(SMART, silence_ms, probability, unfinished) == rule


def test_a_very_short_start_needs_a_longer_pause():
    assert decide(SMART, 200, 0.95, False, speech_ms=600) is None  # "Yes, ..." may go on
    assert decide(SMART, 350, 0.95, False, speech_ms=600) is None  # a comma's pause after "Yes," is about 350 ms
    assert decide(SMART, 450, 0.95, False, speech_ms=600) == "model_finished"
    assert decide(SMART, 200, 0.95, False, speech_ms=1500) == "model_finished"


def test_early_answers_need_more_certainty():
    assert decide(SMART, 96, 0.7, False, heard_ms=64) is None  # about 64 ms of silence: must be surer
    assert decide(SMART, 96, 0.85, False, heard_ms=64) == "model_finished"
    assert decide(SMART, 700, 0.3, False, heard_ms=64) is None  # waits for the answer about 200 ms
    assert decide(SMART, 700, 0.3, False, heard_ms=200) == "model_unsure"


def test_without_the_model_silence_alone_decides():
    assert decide(SMART, 300, 0.99, False, smart=False) == "silence"
    assert decide(SMART, 200, 0.99, False, smart=False) is None
    assert decide(SMART, 300 + 700, None, True, smart=False) is None
    assert decide(SMART, 300 + 800, None, True, smart=False) == "silence"


def test_the_model_is_asked_once_per_pause_and_its_answer_ends_the_turn_between_windows():
    endpointer = Endpointer(SMART, smart=True)
    endpointer.words, endpointer.words_until = "Yes, I can do that.", 41 * WINDOW  # the pause's own transcript
    decisions = []
    for i, prob in enumerate([0.9] * 40 + [0.05] * 3):
        decisions += [(d.kind, d.sample // WINDOW) for d in endpointer.update(prob, i * WINDOW)]
    assert [k for k, _ in decisions] == ["speech_start", "pause", "analyse"]  # the second ask comes at 200 ms
    assert decisions[-1][1] == 42  # after 2 silent windows (64 ms >= model_after_ms)
    assert not endpointer.done
    endpointer.estimate(0.93, 42 * WINDOW, took_ms=55.0)
    assert endpointer.heard_ms == 64
    assert endpointer.check(42 * WINDOW + 300) == []  # 83 ms: not yet
    [end] = endpointer.check(43 * WINDOW)
    assert end.kind == "speech_end" and end.sample == 40 * WINDOW
    reasons = endpointer.end_of_turn
    assert reasons["rule"] == "model_finished" and reasons["probability"] == 0.93 and reasons["silence_ms"] == 96
    assert reasons["last_words"] == "Yes, I can do that." and reasons["model_ms"] == 55.0


def test_before_the_pauses_words_are_known_the_model_is_asked_only_at_200_ms():
    def asked(words_until, windows=12):
        endpointer = Endpointer(SMART, smart=True)
        endpointer.words, endpointer.words_until = "I can see your account.", words_until
        seen = []
        for i, prob in enumerate([0.9] * 40 + [0.05] * windows):
            seen += [
                1000 * (d.sample - 40 * WINDOW) / 16_000
                for d in endpointer.update(prob, i * WINDOW)
                if d.kind == "analyse"
            ]
        return seen, endpointer

    assert asked(words_until=41 * WINDOW)[0] == [64, 224]  # the pause's words known: asked early and again
    stale, endpointer = asked(words_until=30 * WINDOW)  # a partial from before the pause
    assert stale == [224]
    endpointer.words_until = 60 * WINDOW  # its words come after the second ask: no third
    assert "analyse" not in [d.kind for i in range(52, 60) for d in endpointer.update(0.05, i * WINDOW)]


def test_words_that_end_before_the_pause_leave_the_model_alone_with_a_longer_silence():
    def pause(words_until):
        endpointer = Endpointer(SMART, smart=True)
        endpointer.words, endpointer.words_until = "I can see your account.", words_until
        for i, prob in enumerate([0.9] * 40 + [0.05] * 3):
            endpointer.update(prob, i * WINDOW)
        endpointer.estimate(0.9, 46 * WINDOW)  # the model, about 200 ms of silence: finished
        return endpointer

    stale = pause(30 * WINDOW)  # a partial from before "..., and": it cannot tell whether the reply stopped
    assert stale.check(46 * WINDOW) == []
    assert stale.check(40 * WINDOW + int((SMART.ceiling_ms - 50) * 16)) == []  # waits for the pause's words ...
    stale.words, stale.words_until = "I can see your account.", 41 * WINDOW
    assert stale.check(40 * WINDOW + 16 * 900) != []  # ... and they say finished
    assert stale.end_of_turn["rule"] == "model_finished" and stale.end_of_turn["words_reach_pause"] is True
    fresh = pause(41 * WINDOW)
    assert fresh.check(46 * WINDOW) != [] and fresh.end_of_turn["rule"] == "model_finished"
    assert decide(SMART, SMART.ceiling_ms, 0.9, False, words_known=False) == "ceiling"
    # without the model's answer either: the old rule's longer wait, as after unfinished words
    assert decide(SMART, SMART.model_wait_ms, None, False, words_known=False) is None
    assert decide(SMART, SMART.trailing_silence_ms + SMART.hangover_ms, None, False, words_known=False) == "silence"


def test_an_answer_for_an_earlier_pause_is_ignored_and_push_to_talk_holds():
    endpointer = Endpointer(SMART, smart=True)
    for i, prob in enumerate([0.9] * 20 + [0.05] * 3 + [0.9] * 10 + [0.05]):
        endpointer.update(prob, i * WINDOW)
    endpointer.estimate(0.99, 22 * WINDOW)  # about the first pause: speech resumed since
    assert endpointer.probability is None
    endpointer.estimate(0.99, 34 * WINDOW)
    endpointer.held = True
    assert endpointer.check(40 * WINDOW) == []
    assert [d.kind for d in endpointer.release(40 * WINDOW)] == ["released"]
    assert endpointer.end_of_turn["rule"] == "released"


def test_config_with_the_detector_round_trips():
    config = EndpointConfig(end_of_turn="silence", ceiling_ms=1800.0)
    assert EndpointConfig.from_dict(config.to_dict()) == config
