"""A learner's progress from the store: per-session scores, and the next scenario to practise (`rehearse next`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean

from rehearse.scenarios.adaptive import PastSession, Recommendation, recommend


@dataclass(frozen=True)
class SessionScores:
    """One saved session with the mean score per dimension over its turns (the active takes)."""

    session: dict
    """The store's session row."""
    scores: dict[str, float] = field(default_factory=dict)
    turns: int = 0


def session_scores(store, learner: str | None = None) -> list[SessionScores]:
    """The learner's sessions (everyone's when None), oldest first, with their mean scores."""
    out = []
    for session in store.sessions(learner):
        per_dim: dict[str, list[float]] = {}
        turns = store.turns(session["id"])
        for turn in turns:
            for dim, value in ((turn["feedback"] or {}).get("scores") or {}).items():
                if isinstance(value, (int, float)):
                    per_dim.setdefault(dim, []).append(float(value))
        out.append(SessionScores(session, {dim: fmean(values) for dim, values in per_dim.items()}, len(turns)))
    return out


def history(store, learner: str) -> list[PastSession]:
    """The learner's sessions, oldest first, as the recommender reads them."""
    return as_history(session_scores(store, learner))


def as_history(sessions: list[SessionScores]) -> list[PastSession]:
    return [
        PastSession(s.session["scenario_id"], s.session["outcome"], s.scores, s.session.get("difficulty"))
        for s in sessions
    ]


def next_scenario(store, learner: str, audience: str | None = None) -> Recommendation:
    """The scenario and level this learner should practise next, with the reason."""
    from rehearse.scenarios.library import entries

    scenarios = [e.scenario for e in entries() if e.scenario]
    return recommend(scenarios, history(store, learner), audience)
