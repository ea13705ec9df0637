"""Every library scenario driven by written replies that the real coach judges (wording only, no audio)."""

from __future__ import annotations

import pytest

from rehearse.coach.feedback import judge_text
from rehearse.scenarios.engine import Conversation, Signals
from rehearse.scenarios.library import entries

PHRASES = {
    "acknowledge": "I completely understand how frustrating this is.",
    "apologize": "I'm really sorry about that.",
    "own": "I'll take care of this myself.",
    "reassure": "Don't worry, we will get this sorted out for you.",
    "explain": "Let me explain what happened and what it means for you.",
    "next_step": "I'll send you a confirmation by the end of today.",
    "ask": "Can you tell me a bit more about what happened?",
    "use_name": "Okay, Sam.",
}
WORST = "Calm down. You should have read the email we sent you. That's our policy, it's not my problem."


def signals(text: str) -> Signals:
    verdict = judge_text(text)
    return Signals(frozenset(verdict.moves), dict(verdict.scores))


@pytest.mark.parametrize("entry", [e for e in entries() if e.scenario], ids=lambda e: e.id)
def test_replies_with_the_expected_moves_resolve_and_a_rude_one_hangs_up(entry):
    talk = Conversation(entry.scenario, seed=3)
    while not talk.finished:
        talk.respond(signals(" ".join(PHRASES[m] for m in talk.node.expect)))
    assert talk.outcome == "resolved" and len(talk.trace) >= 6, [s.explain() for s in talk.trace]

    talk = Conversation(entry.scenario, seed=3)
    while not talk.finished:
        talk.respond(signals(WORST))
    assert talk.outcome == "hung_up", [s.explain() for s in talk.trace]
