"""Conditions on negative numbers (loudness in dBFS) and precise errors for malformed input."""

import pytest

from rehearse.scenarios import conditions
from rehearse.scenarios.schema import ScenarioError, parse


def test_a_negative_threshold_compares():
    node = conditions.parse("loudness_db < -20 and not blamed")
    assert conditions.evaluate(node, set(), {"loudness_db": -25.0})
    assert not conditions.evaluate(node, set(), {"loudness_db": -12.0})


def test_a_bad_character_is_pointed_at_not_the_space_before_it():
    with pytest.raises(conditions.ConditionError, match=r"unexpected character '\$' at position 12"):
        conditions.parse("empathy >= $5")


BROKEN = """
id: tiny
title: Tiny
audience: service
difficulty: 0
persona: {name: Sam, role: customer}
context: {caller: Sam, facts: [a fact], goal: be kind}
start: opening
nodes:
  opening:
    say: Hello?
    expect: [[acknowledge]]
    branches: [{goto: done}]
  done:
    outcome: resolved
    say: Bye.
"""


def test_a_nested_expect_item_and_difficulty_zero_are_reported_not_crashed_on():
    with pytest.raises(ScenarioError) as error:
        parse(BROKEN, "tiny.yaml")
    text = "\n".join(error.value.problems)
    assert "difficulty" in text and "from 1 (easy) to 5 (hard)" in text
    assert "nodes.opening.expect.0" in text
