"""Checks on the shape of a scenario: every branch lands, every node is reachable, every path can end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rehearse.scenarios.source import Problems

if TYPE_CHECKING:
    from rehearse.scenarios.schema import Scenario


def _reachable(scenario: Scenario, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        nid = todo.pop()
        if nid in seen or nid not in scenario.nodes:
            continue
        seen.add(nid)
        todo.extend(b.goto for b in scenario.nodes[nid].branches)
    return seen


def check(scenario: Scenario, problems: Problems) -> None:
    """Add a problem for each dangling branch, shadowed branch, unreachable node and path without an ending."""
    nodes = scenario.nodes
    for node in nodes.values():
        for i, branch in enumerate(node.branches):
            path = ("nodes", node.id, "branches", i)
            if branch.goto and branch.goto not in nodes:
                problems.add(path + ("goto",), f"dangling branch: no node named {branch.goto!r}")
            if i and node.branches[i - 1].when is None:
                problems.add(path, "never taken: the branch before it has no 'when', so it always wins")
        if node.branches and node.branches[-1].when is not None:
            problems.add(
                ("nodes", node.id, "branches", len(node.branches) - 1),
                "the last branch must have no 'when' (it is the otherwise case), so every reply leads somewhere",
            )
    if nodes[scenario.start].is_ending:
        problems.add(("start",), "the start node is an ending: the call would be over before it begins")
    seen = _reachable(scenario, scenario.start)
    # The engine itself may end the call (patience, turn cap) at the first ending of each outcome.
    seen |= {scenario.endings(outcome)[0].id for outcome in {n.outcome for n in scenario.endings()}}
    for nid in nodes:
        if nid not in seen:
            problems.add(("nodes", nid), f"unreachable: no branch from '{scenario.start}' leads here")
    if not scenario.endings():
        problems.add(("nodes",), "missing endings: add nodes with 'outcome: resolved', 'escalated' or 'hung_up'")
        return
    ends = _can_end(scenario)
    for nid in sorted(seen):
        if nid not in ends:
            problems.add(("nodes", nid), "dead end: no path from here reaches an ending")


def _can_end(scenario: Scenario) -> set[str]:
    """The nodes from which some path reaches an ending (one walk backwards from the endings)."""
    into: dict[str, list[str]] = {}
    for node in scenario.nodes.values():
        for branch in node.branches:
            into.setdefault(branch.goto, []).append(node.id)
    done = set()
    todo = [n.id for n in scenario.endings()]
    while todo:
        nid = todo.pop()
        if nid not in done:
            done.add(nid)
            todo.extend(into.get(nid, ()))
    return done
