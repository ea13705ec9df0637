"""Call-level figures from who spoke when."""

import pytest

from rehearse.app.calls.figures import Segment, call_figures, overtalk, silences, talk_seconds


def _call():
    return [
        Segment("A", "agent", 0.0, 4.0),
        Segment("B", "customer", 3.5, 10.0),  # starts 0.5 s before the agent ends: the customer cut in
        Segment("A", "agent", 9.0, 12.0),  # the agent cuts in for 1 s
        Segment("A", "agent", 16.5, 20.0),  # after 4.5 s of silence
        Segment("B", "customer", 19.9, 22.0),  # 0.1 s overlap: an ordinary hand-over
    ]


def test_talk_time_counts_each_party_once():
    assert talk_seconds(_call(), "agent") == pytest.approx(4.0 + 3.0 + 3.5)
    assert talk_seconds(_call(), "customer") == pytest.approx(6.5 + 2.1)


def test_overtalk_says_who_cut_in_and_ignores_a_hand_over():
    events = overtalk(_call())
    assert [(e.who, e.start, e.end) for e in events] == [("customer", 3.5, 4.0), ("agent", 9.0, 10.0)]


def test_silences_longer_than_three_seconds():
    assert silences(_call()) == [(12.0, 16.5)]


def test_call_figures():
    figures = call_figures(_call())
    assert figures["talk_ratio"] == pytest.approx(10.5 / (10.5 + 8.6), abs=0.001)
    assert figures["overtalk"]["agent_interrupted"] == {"count": 1, "seconds": 1.0}
    assert figures["overtalk"]["customer_interrupted"] == {"count": 1, "seconds": 0.5}
    assert figures["silences"]["count"] == 1 and figures["silences"]["seconds"] == 4.5
