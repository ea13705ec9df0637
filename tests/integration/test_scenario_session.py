"""A library scenario end to end: synthesized replies through the real models, the coach, the engine and the store."""

from __future__ import annotations

import pytest

from rehearse.app.session import Session
from rehearse.scenarios.library import find

pytestmark = pytest.mark.slow

BEST = [
    "I'm so sorry about that, Marcus. I can see both payments here, and I understand how worrying that must be.",
    "That was our mistake, not yours. Our payment system took the debit a second time by error. "
    "I'll make sure it's fixed.",
    "I'll refund the second payment today, and it will be back in your account within three to five working days.",
    "I'm sorry, that's on us. I'll credit your account with the twenty-five pounds for the bank fee today.",
    "You'll see a refund from us, dated today. Let me explain: it shows as a credit, not a new payment.",
    "I've fixed the retry on your account, so it won't happen again. "
    "I'll personally make sure next month you're charged once.",
]
WORST = [
    "Calm down. You should have checked your bank before you called us.",
    "That's not my problem. It's our policy, we can't do anything about bank fees.",
    "Like I said, it's your fault.",
]


def run(scenario_id, replies, stt, tts, store, synth_reply):
    session = Session(find(scenario_id), stt, tts, store, learner="e2e", seed=1)
    for text in replies:
        if session.finished:
            break
        session.answer(synth_reply(text))
    session.close()
    return session


def test_best_replies_resolve_the_double_charge(stt, tts, store, synth_reply):
    session = run("billing-double-charge", BEST, stt, tts, store, synth_reply)
    trace = [s.explain() for s in session.conversation.trace]
    assert session.conversation.outcome == "resolved", trace
    assert len(session.turns) == 6
    assert session.conversation.mood < find("billing-double-charge").persona.mood
    saved = store.turns(session.id)
    assert [t["step"]["goto"] for t in saved][-1] == "resolved"
    assert all(t["step"]["condition"] for t in saved)


def test_worst_replies_make_the_customer_hang_up(stt, tts, store, synth_reply):
    session = run("billing-double-charge", WORST, stt, tts, store, synth_reply)
    assert session.conversation.outcome == "hung_up", [s.explain() for s in session.conversation.trace]
    assert store.session(session.id)["outcome"] == "hung_up"


@pytest.mark.slow
def test_typed_session_judges_paraphrases_once_the_models_load(tts, store):
    reply = "Look, it is what it is, the parcel turns up when it turns up."
    moves = {}
    for paraphrases in (False, True):
        session = Session(find("late-gift-delivery"), None, tts, store, paraphrases=paraphrases)
        moves[paraphrases] = session.answer_text(reply).feedback.moves
        session.close()
    assert "dismiss" not in moves[False] and "dismiss" in moves[True]


def test_lines_synthesized_ahead_are_usable_one_by_one(tts, store):
    import threading

    session = Session(find("late-gift-delivery"), None, tts, store)
    lines = session.conversation.upcoming()
    assert len({line.text for line in lines}) >= 2

    class StopAfterFirstLine(threading.Event):
        def is_set(self):
            return bool(session._ahead)

    session.synthesize_ahead(lines, cancel=StopAfterFirstLine())
    assert list(session._ahead) == [lines[0].text]  # kept although the second line was cancelled
    session.synthesize_ahead(lines)
    assert set(session._ahead) == {line.text for line in lines}
    session.close()


def test_a_reply_in_german_is_kept_with_its_voice_judged_and_its_words_not(stt, tts, store, realspeech):
    from rehearse.audio.files import load_reply

    audio = load_reply(realspeech / "emotion" / "emo_emodb_03_a02_angry.wav")
    session = Session(find("billing-double-charge"), stt, tts, store, learner="e2e", seed=1)
    turn = session.answer(audio, transcript=stt.transcribe(audio))  # as live practice passes its transcript
    session.close()
    assert turn.feedback.scores["empathy"] is None and turn.feedback.scores["calm"] is not None
    assert "sounds like German" in turn.feedback.not_judged[0]
    assert "sounds like German" in store.turns(session.id)[0]["feedback"]["not_judged"][0]
