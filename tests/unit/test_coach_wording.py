"""Wording moves against the labeled replies in tests/data/coach_replies.yaml (phrase rules only: fast)."""

from pathlib import Path

import pytest
import yaml

from rehearse.coach import wording
from rehearse.constants import VOCABULARY
from tests.agreement import move_agreement

CASES = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "coach_replies.yaml").read_text())


def _agreement(cases):
    return move_agreement(((c["moves"], [h.move for h in wording.detect(c["text"])]) for c in cases), VOCABULARY)


def test_labeled_set_is_big_and_covers_every_move():
    assert len(CASES) >= 80
    for move in VOCABULARY:
        assert sum(move in c["moves"] for c in CASES) >= 3, move
    assert all(set(c["moves"]) <= set(VOCABULARY) for c in CASES)


def test_overall_f1_on_labeled_replies():
    per_move, total = _agreement(CASES)
    detail = {m.move: (m.precision, m.recall) for m in per_move}
    assert total.f1 >= 0.85, detail
    for m in per_move:
        assert m.f1 is not None and m.f1 >= 0.6, (m.move, detail)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("I'm sorry you feel that way.", {"dismiss"}, {"apologize"}),
        ("Sorry if that upset you.", {"dismiss"}, {"apologize"}),
        ("I'm so sorry about the outage.", {"apologize"}, {"dismiss"}),
        ("I'm sorry about that, but you should have restarted it.", {"apologize", "blame"}, set()),
        ("What do you want me to do about it?", {"dismiss"}, {"ask"}),
        ("Could you tell me when it started?", {"ask"}, {"dismiss"}),
        ("Thanks for waiting, Priya.", {"use_name", "acknowledge"}, set()),
        ("Okay, I can check that.", set(), {"use_name"}),
        ("Your ONT lost sync with the OLT.", {"jargon"}, set()),
        ("Let me stop you there.", {"interrupt"}, set()),
        ("The weather is nice.", set(), set(VOCABULARY)),
    ],
)
def test_specific_cases(text, present, absent):
    moves = {h.move for h in wording.detect(text)}
    assert present <= moves, moves
    assert not (absent & moves), moves


def test_customer_name_is_recognised_anywhere():
    assert "use_name" in {h.move for h in wording.detect("thanks jo for waiting", customer_name="Jo")}


def test_evidence_quotes_the_reply():
    hits = {h.move: h.evidence for h in wording.detect("That must be really frustrating. I'll call you by noon.")}
    assert "frustrating" in hits["acknowledge"]
    assert "call" in hits["next_step"] or "by noon" in hits["next_step"]


def test_rules_file_rejects_unknown_moves(monkeypatch):
    monkeypatch.setattr(wording, "_read_yaml", lambda: {"moves": {"flatter": {"weight": 1, "patterns": []}}})
    wording.load_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match="unknown move 'flatter'"):
            wording.load_rules()
    finally:
        wording.load_rules.cache_clear()


def test_sentences_do_not_split_after_honorifics():
    assert wording.sentences("I'm sorry, Mrs. Alvarez. I will call Dr. Lee.") == [
        "I'm sorry, Mrs. Alvarez.",
        "I will call Dr. Lee.",
    ]
