"""Adaptive practice: the next scenario and difficulty from a learner's past verdicts."""

from __future__ import annotations

import json

from rehearse.app.cli import main
from rehearse.scenarios.adaptive import PastSession, recommend, with_difficulty
from rehearse.scenarios.engine import Conversation, Signals
from rehearse.scenarios.library import entries, find

SCENARIOS = [e.scenario for e in entries() if e.scenario]


def test_no_history_starts_with_an_easy_scenario_of_the_audience():
    rec = recommend(SCENARIOS, [])
    assert (rec.scenario_id, rec.difficulty, rec.dimension) == ("billing-double-charge", 1, None)
    manager = recommend(SCENARIOS, [], audience="manager")
    assert manager.difficulty == min(s.difficulty for s in SCENARIOS if s.audience == "manager")
    assert find(manager.scenario_id).audience == "manager"


def test_the_weakest_dimension_picks_a_scenario_that_trains_it():
    history = [PastSession("billing-double-charge", "resolved", {"empathy": 80, "clarity": 75, "pace": 52, "calm": 70})]
    rec = recommend(SCENARIOS, history)
    assert rec.dimension == "pace" and "pace" in find(rec.scenario_id).focus
    assert rec.difficulty == 1 and "weakest dimension is pace (52/100" in rec.reason


def test_a_good_resolved_call_steps_up_and_a_hang_up_steps_down():
    strong = {"empathy": 85, "clarity": 80, "pace": 78, "calm": 90}
    up = recommend(SCENARIOS, [PastSession("internet-outage", "resolved", strong)])
    assert up.difficulty == 3 and up.dimension == "pace" and "step up" in up.reason
    down = recommend(SCENARIOS, [PastSession("rude-previous-agent", "hung_up", {**strong, "calm": 60})])
    assert down.difficulty == 3 and down.dimension == "calm" and "step down" in down.reason
    assert "calm" in find(down.scenario_id).focus


def test_recent_sessions_weigh_and_unmeasured_dimensions_are_ignored():
    old = [PastSession("billing-double-charge", "resolved", {"empathy": 10})] * 6
    recent = [PastSession("late-gift-delivery", "escalated", {"empathy": 90, "clarity": 50})] * 5
    rec = recommend(SCENARIOS, old + recent)
    assert rec.dimension == "clarity"
    assert rec.scenario_id != "late-gift-delivery"


def test_with_difficulty_makes_the_persona_angrier_and_less_patient():
    base = find("internet-outage")
    harder, easier = with_difficulty(base, 4), with_difficulty(base, 1)
    assert harder.difficulty == 4 and harder.persona.mood > base.persona.mood > easier.persona.mood
    assert harder.persona.patience < base.persona.patience <= easier.persona.patience
    poor = Signals(frozenset({"ask"}))
    assert Conversation(harder).respond(poor).poor_streak == 1
    talk = Conversation(harder)
    talk.respond(poor)
    assert talk.outcome == "hung_up"  # patience 1 at level 4


def test_rehearse_next_reads_the_store(store, capsys):
    assert main(["next", "--learner", "sam", "--data-dir", str(store.folder)]) == 0
    assert "Billing double-charge" in capsys.readouterr().out
    sid = store.start_session("sam", "late-gift-delivery", seed=0)
    for i, (empathy, clarity) in enumerate([(80, 40), (90, 50)], start=1):
        store.add_turn(
            sid,
            i,
            node_id="opening",
            customer_line="Hi",
            customer_mood=0.5,
            transcript="ok",
            verdict={"scores": {"empathy": empathy, "clarity": clarity, "calm": None}},
            step=None,
            next_line=None,
            outcome=None,
            customer_audio=None,
            learner_audio=None,
        )
    store.end_session(sid, "finished", "escalated")
    assert main(["next", "--learner", "sam", "--json", "--data-dir", str(store.folder)]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["dimension"] == "clarity" and rec["difficulty"] == 1
    assert "clarity (45/100" in rec["reason"]


def test_the_level_actually_played_is_the_one_stepped_from():
    scenarios = [find("late-gift-delivery"), find("billing-double-charge")]
    good = {"empathy": 90.0, "clarity": 90.0, "pace": 90.0, "calm": 90.0}
    from_file = recommend(scenarios, [PastSession("late-gift-delivery", "resolved", good)])
    played_up = recommend(scenarios, [PastSession("late-gift-delivery", "resolved", good, difficulty=4)])
    assert played_up.difficulty == min(5, 4 + 1) and from_file.difficulty == find("late-gift-delivery").difficulty + 1
    assert "difficulty 4" in played_up.reason
