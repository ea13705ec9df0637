"""Every library scenario, best and worst path, spoken: Piper-synthesized replies go through the real
speech-to-text, the coach, the engine and the store, as a learner's recorded answers would."""

from __future__ import annotations

import pytest

from rehearse.app.session import Session
from rehearse.scenarios.library import entries
from tests.unit.test_scenario_coach import PHRASES, WORST

pytestmark = pytest.mark.slow


def best_reply(session: Session) -> str:
    """A reply with every move the current node expects, addressing the persona by first name."""
    first_name = session.scenario.persona.name.split()[0]
    phrases = {**PHRASES, "use_name": f"Okay, {first_name}."}
    return " ".join(phrases[m] for m in session.conversation.node.expect)


@pytest.mark.parametrize("entry", [e for e in entries() if e.scenario], ids=lambda e: e.id)
def test_spoken_best_path_resolves_and_worst_path_hangs_up(entry, stt, tts, store, synth_reply):
    best = Session(entry.scenario, stt, tts, store, learner="best", seed=3)
    while not best.finished:
        best.answer(synth_reply(best_reply(best), rate=0.8))
    best.close()
    trace = [s.explain() for s in best.conversation.trace]
    assert best.conversation.outcome == "resolved" and len(best.turns) >= 6, trace

    worst = Session(entry.scenario, stt, tts, store, learner="worst", seed=3)
    while not worst.finished:
        worst.answer(synth_reply(WORST, rate=0.8))
    worst.close()
    assert worst.conversation.outcome == "hung_up", [s.explain() for s in worst.conversation.trace]
    assert [s["outcome"] for s in store.sessions()] == ["resolved", "hung_up"]
    assert len(store.turns(best.id)) == len(best.turns)
