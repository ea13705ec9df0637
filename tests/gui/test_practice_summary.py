"""The session summary: built ahead while the session runs (hidden), shown at the end with every judged turn."""

from __future__ import annotations

from collections import namedtuple

import pytest
from PySide6.QtWidgets import QLabel, QStackedWidget

from rehearse.app import events
from rehearse.app.gui.practice.summary import SummaryView
from rehearse.coach.feedback import judge_text

pytest.importorskip("pytestqt")

Judged = namedtuple("Judged", "index take feedback")
"""The parts of a turn's result (`TurnResult`) the summary reads; the verdicts are the coach's own."""

REPLIES = (
    "Calm down, that is not my problem.",
    "I'm so sorry about this. I'll book a technician today and call you back by five.",
)


def judged(turns: int) -> list[Judged]:
    return [Judged(i + 1, 1, judge_text(REPLIES[i % 2])) for i in range(turns)]


def line(view: SummaryView, dim: str) -> tuple[list, list]:
    x, y = view.lines[dim].getData()
    return ([] if x is None else list(x)), ([] if y is None else list(y))


@pytest.fixture()
def stack(qtbot):
    """The summary as the practice page holds it: a hidden page behind the call."""
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.resize(1000, 700)
    stack.addWidget(QLabel("the call"))
    view = SummaryView()
    stack.addWidget(view)
    stack.show()
    return stack, view


def ended(turns: int) -> events.SessionEnded:
    return events.SessionEnded("s1", "finished", "resolved", turns, "sqlite://", closing_line="Thanks, bye.")


def test_the_turns_are_plotted_ahead_while_hidden_and_the_end_shows_every_judged_turn(qtbot, stack):
    holder, view = stack
    view.prepare(judged(2))  # while the customer speaks
    qtbot.waitUntil(lambda: "empathy" in view.lines and line(view, "empathy")[0] == [1.0, 2.0], timeout=10_000)
    assert not view.isVisible()
    assert view.trend.width() > 300  # laid out at the size it will be shown

    results = judged(3)
    shown = []
    view.show_session(ended(3), results, None, then=lambda: (holder.setCurrentWidget(view), shown.append(True)))
    qtbot.waitUntil(lambda: bool(shown), timeout=5_000)
    assert view.isVisible()
    x, y = line(view, "empathy")
    assert x == [1.0, 2.0, 3.0] and y == [float(r.feedback.scores["empathy"]) for r in results]
    # typed words leave pace and calm unjudged: no line, not in the legend
    assert line(view, "pace") == ([], []) and "pace" not in view.legend.text()
    assert "empathy" in view.legend.text()
    assert "Resolved" in view.ending.text() and "Thanks, bye." in view.ending.text()
    moments = [view.moments.itemAt(i).widget() for i in range(view.moments.count())]
    texts = [w.text() for w in moments if isinstance(w, QLabel)]
    assert any("Best: turn 2" in t for t in texts) and any("Worst: turn" in t for t in texts)


def test_a_session_stopped_before_anything_was_built_ahead_is_summarized_too(qtbot, stack):
    holder, view = stack
    results = judged(1)
    shown = []
    view.show_session(ended(1), results, None, then=lambda: (holder.setCurrentWidget(view), shown.append(True)))
    qtbot.waitUntil(lambda: bool(shown), timeout=5_000)
    assert line(view, "empathy") == ([1.0], [float(results[0].feedback.scores["empathy"])])
    assert any("Best: turn 1" in view.moments.itemAt(i).widget().text() for i in range(view.moments.count()))
