"""What Home shows, gathered off the GUI thread: the library, the learner's sessions and the recommendation."""

from __future__ import annotations

import logging
from dataclasses import dataclass

_LOGGER = logging.getLogger(__name__)

RECENT = 8
"""Sessions listed under "Recent sessions"."""


@dataclass(frozen=True)
class HomeData:
    entries: list
    """Every scenario file (rehearse.scenarios.library.Entry), valid or not."""
    recommendation: object | None
    """rehearse.scenarios.adaptive.Recommendation, or None when there is no valid scenario."""
    recommendation_problem: str | None
    sessions: list
    """The learner's sessions with their scores (rehearse.app.progress.SessionScores), oldest first."""
    titles: dict[str, str]


def load(learner: str) -> HomeData:
    from rehearse.app.progress import as_history, session_scores
    from rehearse.scenarios.adaptive import recommend
    from rehearse.scenarios.library import entries
    from rehearse.store import SessionStore

    found = entries()
    scenarios = [e.scenario for e in found if e.scenario]
    store = SessionStore()
    sessions = session_scores(store, learner)
    try:
        rec, problem = recommend(scenarios, as_history(sessions)), None
    except ValueError as exc:
        rec, problem = None, str(exc)
    return HomeData(found, rec, problem, sessions, {s.id: s.title for s in scenarios})
