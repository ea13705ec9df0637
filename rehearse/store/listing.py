"""Finding sessions for review, in the database: filtered and paged session lists with their mean scores,
the values the filters offer, a learner's scores per session over time, and who a person is.

A mixin of `SessionStore` (it uses the store's `_read`). Scores are each session's means kept on its row
(`store.session_scores`, computed from the turns' verdict JSON by the database: SQLite's json_extract,
PostgreSQL's ->), so neither a list nor a filter on the score parses any turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Float, and_, case, cast, func, null, or_, select

from rehearse.store.schema import people, sessions, turns

DIMENSIONS = ("empathy", "clarity", "pace", "calm")
"""The coach's scored dimensions, as each turn's verdict names them (`feedback.scores`)."""

ENDINGS = ("resolved", "escalated", "hung_up", "unfinished", "in_progress")
"""How a session ended: its outcome when it finished, else its status."""

PAGE = 200
"""Sessions a list query returns at most (the newest first); `SessionList.total` counts them all."""


@dataclass(frozen=True)
class SessionFilter:
    """What a session list shows; None (or empty) means any."""

    learner: str | None = None
    scenario: str | None = None
    since: datetime | None = None
    """Started at or after (aware, or UTC when naive)."""
    until: datetime | None = None
    """Started before."""
    ending: str | None = None
    """One of `ENDINGS`."""
    min_score: float | None = None
    """The session's overall score (the mean of its dimensions' means over the active turns) at least this;
    sessions without any score are left out."""


@dataclass(frozen=True)
class SessionList:
    rows: list[dict]
    """Session rows, newest first, each with `scores` ({dimension: mean}) and `overall` (None: not judged)."""
    total: int
    """How many sessions match (rows holds at most `PAGE` of them)."""


class Listing:
    def find_sessions(self, where: SessionFilter = SessionFilter(), limit: int = PAGE) -> SessionList:
        """The sessions matching `where`, newest first, at most `limit` of them, with their mean scores."""
        if where.ending is not None and where.ending not in ENDINGS:
            raise ValueError(f"a session ends {', '.join(ENDINGS)}; not {where.ending!r}")
        matching = select(sessions.c.id, sessions.c.started_at).where(*_conditions(where))
        if where.min_score is not None:  # the means kept on each session row (`store.session_scores`)
            matching = matching.where(sessions.c.mean_overall >= float(where.min_score))
        total = self._read(select(func.count().label("n")).select_from(matching.subquery()))[0]["n"]
        page = matching.order_by(sessions.c.started_at.desc(), sessions.c.id).limit(limit).subquery()
        from rehearse.store.db import _SESSION_COLUMNS

        rows = self._sessions(
            select(*_SESSION_COLUMNS)
            .join(page, page.c.id == sessions.c.id)
            .order_by(sessions.c.started_at.desc(), sessions.c.id)
        )
        return SessionList(self._with_scores(rows), int(total))

    def session_scores(self, learner: str) -> list[dict]:
        """The learner's sessions, oldest first, each with `scores` and `overall` (as `find_sessions`)."""
        from rehearse.store.db import _SESSION_COLUMNS

        rows = self._sessions(
            select(*_SESSION_COLUMNS).where(sessions.c.learner == learner).order_by(sessions.c.started_at)
        )
        return self._with_scores(rows)

    def filter_choices(self) -> dict[str, list[str]]:
        """The learners, scenario ids and endings that saved sessions have (each sorted)."""
        ending = func.coalesce(sessions.c.outcome, sessions.c.status)
        return {
            key: [r["v"] for r in self._read(select(column.label("v")).distinct().order_by("v"))]
            for key, column in (
                ("learner", sessions.c.learner),
                ("scenario", sessions.c.scenario_id),
                ("ending", ending),
            )
        }

    def person(self, name: str) -> dict | None:
        """The people row of `name` (role and team), or None when they were never added."""
        rows = self._read(select(people).where(people.c.name == name))
        return rows[0] if rows else None

    @staticmethod
    def _with_scores(rows: list[dict]) -> list[dict]:
        """`rows` with `scores` and `overall` from the means kept on each session row (`store.session_scores`)."""
        for row in rows:
            row["scores"] = {d: row[f"mean_{d}"] for d in DIMENSIONS if row.get(f"mean_{d}") is not None}
            row["overall"] = row.get("mean_overall")
        return rows


def _conditions(where: SessionFilter) -> list:
    conditions = []
    if where.learner:
        conditions.append(sessions.c.learner == where.learner)
    if where.scenario:
        conditions.append(sessions.c.scenario_id == where.scenario)
    if where.since is not None:
        conditions.append(sessions.c.started_at >= _utc(where.since))
    if where.until is not None:
        conditions.append(sessions.c.started_at < _utc(where.until))
    if where.ending:
        conditions.append(
            or_(
                sessions.c.outcome == where.ending,
                and_(sessions.c.outcome.is_(None), sessions.c.status == where.ending),
            )
        )
    return conditions


def _utc(moment: datetime) -> datetime:
    """The moment in UTC (the store's times are UTC; SQLite compares them as text, without the zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _turn_scores(dialect: str, session_ids):
    """The active turns of `session_ids` (a select of ids, or a list) with their verdict's scores, each verdict
    parsed once (materialized: SQLite would otherwise parse it again for every dimension)."""
    if dialect == "sqlite":  # a JSON array of the dimensions' scores; a damaged verdict gives NULL, not an error
        paths = [f"$.scores.{d}" for d in DIMENSIONS]
        scores = case((func.json_valid(turns.c.feedback) == 1, func.json_extract(turns.c.feedback, *paths)))
    else:
        scores = turns.c.feedback["scores"]
    return (
        select(turns.c.session_id, scores.label("scores"))
        .where(turns.c.session_id.in_(session_ids), turns.c.active.is_not(False))
        .cte("turn_scores")
        .prefix_with("MATERIALIZED")
    )


def _session_means(dialect: str, session_ids):
    """Per session among `session_ids`: each dimension's mean over the active turns, and `overall`, the mean
    of the dimensions that have one."""
    turn_scores = _turn_scores(dialect, session_ids)
    if dialect == "sqlite":
        values = [cast(func.json_extract(turn_scores.c.scores, f"$[{i}]"), Float) for i in range(len(DIMENSIONS))]
    else:
        values = [turn_scores.c.scores[d].as_float() for d in DIMENSIONS]
    per_session = (
        select(turn_scores.c.session_id, *[func.avg(v).label(d) for v, d in zip(values, DIMENSIONS, strict=True)])
        .group_by(turn_scores.c.session_id)
        .subquery()
    )
    columns = [per_session.c[d] for d in DIMENSIONS]
    judged = sum(case((c.is_(None), 0), else_=1) for c in columns)
    total = sum(func.coalesce(c, 0.0) for c in columns)
    overall = case((judged > 0, total / func.nullif(judged, 0)), else_=null())
    return select(per_session.c.session_id, *columns, cast(overall, Float).label("overall"))
