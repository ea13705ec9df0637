"""What the review screens show, gathered off the GUI thread (no Qt here): who the user is, the filtered
session list, a learner's progress, a session's ratings and comments, and the calibration."""

from __future__ import annotations

from dataclasses import dataclass, field

from rehearse.app.gui.replay.data import scenario_titles
from rehearse.store.listing import SessionFilter, SessionList


@dataclass(frozen=True)
class Reviewer:
    """The window's user: the name set on Home, with the role and team the store's people table gives it.
    A name that is not in the table is a learner (a single learner's own machine)."""

    name: str
    role: str = "learner"
    team: str | None = None

    @property
    def is_trainer(self) -> bool:
        return self.role == "trainer"


def who(name: str) -> Reviewer:
    from rehearse.store import SessionStore

    person = SessionStore().person(name)
    return Reviewer(name, person["role"], person["team"]) if person else Reviewer(name)


@dataclass(frozen=True)
class Listed:
    """One answer to the Replay page's filters."""

    found: SessionList
    choices: dict[str, list[str]]
    """learner, scenario and ending -> the values saved sessions have."""
    titles: dict[str, str]


def find_sessions(where: SessionFilter) -> Listed:
    from rehearse.store import SessionStore

    store = SessionStore()
    return Listed(store.find_sessions(where), store.filter_choices(), scenario_titles())


@dataclass(frozen=True)
class Tried:
    scenario_id: str
    title: str
    played: int
    last_overall: float | None
    best_overall: float | None
    last_ending: str


@dataclass(frozen=True)
class Progress:
    learner: str
    sessions: list[dict]
    """The learner's sessions, oldest first, with `scores` and `overall` (store.session_scores)."""
    tried: list[Tried]
    untried: list[tuple[str, str]]
    """(scenario id, title) of the library's scenarios the learner has not played, by title."""
    learners: list[str] = field(default_factory=list)
    """Everyone with saved sessions (the learner picker)."""


def ending(session: dict) -> str:
    return (session["outcome"] or session["status"]).replace("_", " ")


def progress(learner: str | None) -> Progress:
    """`learner`'s progress; None: the first learner (by name) with saved sessions who is not a trainer."""
    from rehearse.store import SessionStore

    store = SessionStore()
    learners = store.filter_choices()["learner"]
    if learner is None:
        trainers = {p["name"] for p in store.people() if p["role"] == "trainer"}
        learner = next((name for name in learners if name not in trainers), "")
    sessions = store.session_scores(learner)
    titles = scenario_titles()
    by_scenario: dict[str, list[dict]] = {}
    for session in sessions:
        by_scenario.setdefault(session["scenario_id"], []).append(session)
    tried = []
    for scenario_id, played in by_scenario.items():
        scored = [s["overall"] for s in played if s["overall"] is not None]
        tried.append(
            Tried(
                scenario_id,
                titles.get(scenario_id, scenario_id),
                len(played),
                played[-1]["overall"],
                max(scored) if scored else None,
                ending(played[-1]),
            )
        )
    tried.sort(key=lambda t: t.title)
    untried = sorted(((i, t) for i, t in titles.items() if i not in by_scenario), key=lambda pair: pair[1])
    return Progress(learner, sessions, tried, untried, learners)


@dataclass(frozen=True)
class SessionReviews:
    session_id: str
    ratings: list[dict]
    """Every rating of the session's turns (turn index, take, author, dimension, score), oldest first."""
    comments: list[dict]
    """Every comment (turn index, take, author, at_seconds into the turn, text), by turn and moment."""


def session_reviews(session_id: str) -> SessionReviews:
    from rehearse.store import SessionStore

    store = SessionStore()
    return SessionReviews(session_id, store.ratings_for(session_id), store.comments_for(session_id))


def latest_ratings(ratings: list[dict], turn_id: int, author: str | None = None) -> dict[str, float]:
    """Dimension -> the latest score given to one turn (by `author`, or by anyone when None)."""
    latest: dict[str, float] = {}
    for row in sorted(ratings, key=lambda r: r["id"]):
        if row["turn_id"] == turn_id and (author is None or row["author"] == author):
            latest[row["dimension"]] = float(row["score"])
    return latest


def save_ratings(session_id: str, turn_id: int, author: str, scores: dict[str, float]) -> SessionReviews:
    """One rating row per dimension given; returns the session's reviews as now saved."""
    from rehearse.store import SessionStore

    store = SessionStore()
    for dimension, score in scores.items():
        store.add_rating(turn_id, author, dimension, score)
    return session_reviews(session_id)


def save_comment(session_id: str, turn_id: int, author: str, at_seconds: float, text: str) -> SessionReviews:
    from rehearse.store import SessionStore

    SessionStore().add_comment(turn_id, author, at_seconds, text)
    return session_reviews(session_id)


@dataclass(frozen=True)
class CalibrationView:
    calibration: object
    """store.calibration.Calibration."""
    team: str | None
    """The team whose learners' ratings it covers; None: every session this login can read."""
    sessions: dict[str, str]
    """Session id -> its scenario title and day, for the sessions of the largest disagreements."""


def calibration(reviewer: Reviewer) -> CalibrationView:
    """Trainer ratings against the coach's scores (store.calibration) over the reviewer's team when the people
    table lists learners in it, else over every session."""
    from rehearse.store import SessionStore
    from rehearse.store.calibration import calibrate

    store = SessionStore()
    team = reviewer.team
    if team is not None and not any(p["role"] == "learner" for p in store.people(team)):
        team = None
    result = calibrate(store.rated_turns(team=team))
    titles = scenario_titles()
    sessions = {}
    for pair in result.most_disagreed:
        session = store.session(pair.session_id)
        if session is not None and pair.session_id not in sessions:
            when = session["started_at"].astimezone().strftime("%d %b") if session["started_at"] else ""
            sessions[pair.session_id] = f"{titles.get(session['scenario_id'], session['scenario_id'])}, {when}"
    return CalibrationView(result, team, sessions)
