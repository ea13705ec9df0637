"""Which speaker of a call is the agent, and calls that do not have two parties."""

import numpy as np
import pytest

from rehearse.app.calls.speakers import choose_agent, parties, swapped
from rehearse.audio.files import AudioFileError
from rehearse.models.diarization import Diarization, SpeakerTurn


def _call(*turns):
    turns = tuple(SpeakerTurn(*t) for t in turns)
    return Diarization(turns, turns, {})


CALL = _call(("B", 0.5, 4.0), ("A", 4.2, 9.0), ("B", 9.5, 12.0))


def test_without_a_voice_print_the_agent_is_who_opens_the_call():
    choice = choose_agent(CALL, ["A", "B"], None, {})
    assert choice.speaker == "B" and choice.method == "opens the call"
    assert 0.5 < choice.confidence < 1.0


def test_with_a_voice_print_the_agent_is_the_closest_voice_and_the_margin_sets_the_confidence():
    rng = np.random.default_rng(0)
    learner = rng.normal(size=192)
    prints = {"A": learner + 0.3 * rng.normal(size=192), "B": rng.normal(size=192)}
    choice = choose_agent(CALL, ["A", "B"], learner, prints)
    assert choice.speaker == "A" and choice.method == "voice" and choice.confidence > 0.8
    close = {"A": learner + 3.0 * rng.normal(size=192), "B": learner + 3.2 * rng.normal(size=192)}
    assert choose_agent(CALL, ["A", "B"], learner, close).confidence < choice.confidence


def test_a_given_channel_wins_and_swap_turns_the_choice_around():
    assert choose_agent(CALL, ["A", "B"], None, {}, agent_channel="A").confidence == 1.0
    assert swapped(choose_agent(CALL, ["A", "B"], None, {}), ["A", "B"]).speaker == "A"


def test_parties_need_two_voices_with_enough_speech():
    assert parties(CALL, "call.wav") == ["B", "A"]  # most talkative first
    with pytest.raises(AudioFileError, match="call.wav: only one voice"):
        parties(_call(("A", 0.0, 9.0), ("B", 9.0, 9.5)), "call.wav")
    with pytest.raises(AudioFileError, match="call.wav: no speech"):
        parties(_call(), "call.wav")


def test_a_pipeline_folder_without_its_config_is_refused(tmp_path):
    from rehearse.models.diarization import Diarizer
    from rehearse.models.errors import ModelLoadError

    with pytest.raises(ModelLoadError, match="not a pyannote pipeline folder"):
        Diarizer(str(tmp_path), device="cpu")
