"""Every library scenario validates, is long enough, and its best and worst replies reach the expected endings."""

from __future__ import annotations

import json

import pytest

from rehearse.app.cli import main
from rehearse.constants import ANTI_MOVES, MOVES
from rehearse.scenarios.engine import Conversation, Signals
from rehearse.scenarios.library import entries, library_dir
from rehearse.scenarios.schema import OUTCOMES

LIBRARY = entries()
BEST = Signals(frozenset(MOVES), {"empathy": 92.0, "clarity": 90.0, "pace": 85.0, "calm": 90.0})
WORST = Signals(frozenset(ANTI_MOVES), {"empathy": 5.0, "clarity": 20.0, "pace": 25.0, "calm": 10.0}, interrupted=True)
SILENT = Signals(no_answer=True)
SERVICE = {
    "internet-outage",
    "billing-double-charge",
    "late-gift-delivery",
    "refund-outside-policy",
    "rude-previous-agent",
    "elderly-forced-upgrade",
}
MANAGER = {"feedback-underperformer", "no-to-a-raise", "mediate-team-conflict", "announce-reorganization"}


def play(scenario, signals, seed=0):
    talk = Conversation(scenario, seed=seed)
    while not talk.finished:
        talk.respond(signals)
    return talk


def test_the_library_has_the_ten_scenarios_and_all_validate():
    assert {e.id for e in LIBRARY} == SERVICE | MANAGER
    assert [e.problems for e in LIBRARY if e.problems] == []
    assert {e.id for e in LIBRARY if e.scenario.audience == "service"} == SERVICE
    assert min(e.scenario.difficulty for e in LIBRARY) == 1


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.id)
def test_best_path_resolves_after_six_or_more_turns(entry):
    talk = play(entry.scenario, BEST)
    assert talk.outcome == "resolved", [s.explain() for s in talk.trace]
    assert len(talk.trace) >= 6
    assert talk.mood < entry.scenario.persona.mood


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.id)
def test_worst_path_ends_with_the_customer_hanging_up(entry):
    talk = play(entry.scenario, WORST)
    assert talk.outcome == "hung_up", [s.explain() for s in talk.trace]
    assert talk.mood > entry.scenario.persona.mood
    assert all(s.condition for s in talk.trace)


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.id)
def test_every_outcome_exists_and_lines_vary(entry):
    scenario = entry.scenario
    assert {n.outcome for n in scenario.endings()} == set(OUTCOMES)
    assert scenario.card.caller and scenario.card.goal and len(scenario.card.facts) >= 2
    assert len(scenario.rubric) >= 3 and scenario.focus
    talking = [n for n in scenario.nodes.values() if not n.is_ending]
    assert all(len({line for lines in n.say.values() for line in lines}) >= 3 for n in talking)
    assert sum(any(len(lines) >= 2 for lines in n.say.values()) for n in talking) >= 3


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.id)
def test_silence_throughout_ends_the_call_within_patience(entry):
    talk = play(entry.scenario, SILENT)
    assert talk.outcome in ("hung_up", "escalated")
    assert len(talk.trace) <= entry.scenario.persona.patience + 1


def test_scenarios_list_json_and_check_cover_the_library(capsys):
    assert main(["scenarios", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == SERVICE | MANAGER
    for row in rows:
        assert row["valid"] is True and row["audience"] in ("service", "manager") and 1 <= row["difficulty"] <= 5
    assert main(["scenarios", "check", *map(str, sorted(library_dir().glob("*.yaml")))]) == 0


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.id)
def test_the_expected_moves_alone_resolve_and_empty_replies_never_do(entry):
    def run(reply):
        talk = Conversation(entry.scenario)
        while not talk.finished:
            talk.respond(reply(talk.node))
        return talk

    expected = run(lambda node: Signals(frozenset(node.expect), {"empathy": 70.0}))
    assert expected.outcome == "resolved" and len(expected.trace) >= 6, [s.explain() for s in expected.trace]
    assert run(lambda node: Signals(frozenset(), {"empathy": 30.0})).outcome in ("escalated", "hung_up")
