"""The branching engine on a small scenario: branches, mood, silence, interruption, patience, the turn cap."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rehearse.scenarios.engine import INTERRUPT_MOOD, SILENCE_MOOD, Conversation, Signals, band
from rehearse.scenarios.schema import load

TINY = load(Path(__file__).resolve().parents[1] / "data" / "scenarios" / "tiny.yaml")


def signals(*moves, **numbers):
    return Signals(frozenset(moves), numbers)


def test_the_same_seed_gives_the_same_lines_and_seeds_vary_them():
    def lines(seed):
        talk = Conversation(TINY, seed=seed)
        out = [talk.line().text]
        for _ in range(3):
            talk.respond(signals("apologize"))
            out.append(talk.line().text)
        return out

    assert lines(7) == lines(7)
    assert len({tuple(lines(seed)) for seed in range(12)}) > 1


def test_a_condition_with_moves_is_taken_and_the_trace_says_why():
    talk = Conversation(TINY)
    step = talk.respond(signals("acknowledge", "apologize"))
    assert (step.goto, step.branch_index, step.condition) == ("middle", 0, "acknowledged and not blamed")
    assert step.facts == "acknowledge=yes, blame=no"
    assert (step.mood_before, step.mood_after) == (0.5, 0.3)
    assert "opening -> middle because acknowledged and not blamed" in step.explain()
    assert step.to_dict()["why"] == step.explain() and step.to_dict()["facts"] == step.facts
    assert talk.line().text == "What now?" and talk.line().band == "calm"


def test_blame_falls_through_to_a_score_condition_and_then_to_otherwise():
    talk = Conversation(TINY)
    assert talk.respond(signals("acknowledge", "blame", empathy=70.0)).condition == "empathy >= 60"
    talk = Conversation(TINY)
    step = talk.respond(signals("apologize", empathy=None))  # unmeasured: the comparison is false
    assert (step.condition, step.goto, step.mood_after) == ("otherwise", "opening", 0.55)


def test_mood_chooses_the_band_of_the_line():
    moods = (0.0, 0.34, 0.35, 0.69, 0.7, 1.0)
    assert [band(m) for m in moods] == ["calm", "calm", "upset", "upset", "furious", "furious"]
    talk = Conversation(TINY)
    assert talk.line().band == "upset" and talk.line().text.startswith("Upset")
    for _ in range(4):
        talk.respond(signals("apologize"))
    assert talk.mood == 0.7 and talk.line().text == "Furious one."


def test_silence_without_a_no_answer_branch_waits_asks_and_counts_against_patience():
    talk = Conversation(TINY)
    step = talk.respond(Signals(no_answer=True))
    assert (step.goto, step.branch_index, step.poor_streak) == ("opening", -1, 1)
    assert step.mood_after == pytest.approx(0.5 + SILENCE_MOOD)
    assert "are you" in talk.line().text.lower() and talk.line().node_id == "opening"
    step = talk.respond(Signals(no_answer=True))
    assert talk.outcome == "hung_up" and step.condition.startswith("patience ran out: 2 poor replies")


def test_interruption_is_left_to_a_branch_that_names_it():
    talk = Conversation(TINY)
    talk.respond(signals("acknowledge"))
    step = talk.respond(Signals(frozenset({"next_step"}), interrupted=True))
    assert (step.condition, step.goto, talk.outcome) == ("interrupted", "boss", "escalated")


def test_an_unhandled_interruption_raises_the_mood_and_the_customer_says_so():
    talk = Conversation(TINY)
    step = talk.respond(Signals(frozenset({"acknowledge"}), interrupted=True))
    assert step.goto == "middle" and step.condition.endswith(f"interrupted (mood +{INTERRUPT_MOOD:g})")
    assert step.mood_after == pytest.approx(0.5 - 0.2 + INTERRUPT_MOOD)
    assert talk.line().text.endswith("What now?") and talk.line().text != "What now?"


def test_patience_hangs_up_after_poor_replies_in_a_row_and_a_good_reply_resets_it():
    talk = Conversation(TINY)
    talk.respond(signals("blame"))
    assert talk.respond(signals("apologize")).poor_streak == 0  # an expected move: not poor
    talk.respond(signals("dismiss"))
    step = talk.respond(signals())  # none of the expected moves
    assert talk.finished and talk.outcome == "hung_up" and step.goto == "gone"
    assert step.condition == "patience ran out: 2 poor replies in a row (patience 2)"


def test_an_empathetic_reply_without_the_expected_moves_is_not_poor():
    talk = Conversation(TINY)
    talk.respond(signals("acknowledge"))
    assert talk.respond(signals("reassure", empathy=75.0)).poor_streak == 0
    assert talk.respond(signals("reassure", empathy=40.0)).poor_streak == 1


def test_the_turn_cap_ends_the_call_by_mood():
    talk = Conversation(TINY)
    while not talk.finished:
        talk.respond(signals("apologize"))  # never poor, never moves on: loops at the opening
    assert len(talk.trace) == TINY.max_turns == 6
    assert talk.trace[-1].condition == "turn limit 6 reached" and talk.outcome == "escalated"
    with pytest.raises(RuntimeError):
        talk.respond(signals("apologize"))


def test_the_turn_cap_resolves_when_the_customer_is_calm():
    calm = replace(TINY, persona=replace(TINY.persona, mood=0.0))
    talk = Conversation(calm)
    while not talk.finished:
        talk.respond(signals("apologize"))  # +0.05 a loop: 0.0 -> 0.3, still calm at the cap
    assert talk.trace[-1].condition == "turn limit 6 reached" and talk.outcome == "resolved"


def test_upcoming_lines_include_the_one_respond_will_say():
    for seed in range(5):
        talk = Conversation(TINY, seed=seed)
        ahead = talk.upcoming()
        assert {line.node_id for line in ahead} == {"middle", "opening"}
        talk.respond(signals("apologize"))  # otherwise: back to the opening
        assert talk.line() in ahead
        assert talk.trace[-1].mood_after == 0.55 and talk.node_id == "opening"
