"""How well the automatic scores agree with trainers' ratings, per dimension, over the rated turns.

Pure computation on rows (`SessionStore.rated_turns` reads them); no Qt, usable by the window and the CLI.

Each pair is one trainer's latest rating of one turn on one dimension, against the score the coach gave that
turn on the same dimension (turns the coach did not score on it are counted apart, not paired).
The headline agreement is Spearman's rank correlation: trainers often rate on a coarse 1–5 scale (mapped to
0–100, so many ties), and what matters is whether the coach orders replies as the trainer does, not whether
the two scales are linear in each other; Spearman is also less swayed by one outlying turn. Pearson's r is
given beside it. The mean absolute difference says how far apart the scores are on the 0–100 scale, and the
bias (trainer minus coach, averaged) which way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import rankdata

MOST_DISAGREED = 5
"""How many of the turns with the largest difference are listed."""


@dataclass(frozen=True)
class Pair:
    """One trainer rating beside the coach's score of the same turn and dimension."""

    turn_id: int
    session_id: str
    learner: str
    index: int
    take: int
    dimension: str
    trainer: str
    rating: float
    automatic: float

    @property
    def difference(self) -> float:
        """Trainer minus coach: positive when the coach scored the turn lower than the trainer."""
        return self.rating - self.automatic


@dataclass(frozen=True)
class Agreement:
    """Trainer ratings against automatic scores on one dimension."""

    dimension: str
    n: int
    """Rated turns with an automatic score on this dimension."""
    spearman: float | None
    """Rank correlation (None under 3 pairs, or when either side has a single value)."""
    pearson: float | None
    mean_abs_difference: float | None
    bias: float | None
    """Mean of trainer minus coach: positive when the coach scores lower than trainers."""
    unscored: int
    """Ratings of turns the coach did not score on this dimension (not judged, or a trainer-only dimension)."""


@dataclass(frozen=True)
class Calibration:
    dimensions: tuple[Agreement, ...]
    most_disagreed: tuple[Pair, ...]
    """The pairs with the largest absolute difference, largest first."""

    def to_dict(self) -> dict:
        return {
            "dimensions": [asdict(a) for a in self.dimensions],
            "most_disagreed": [asdict(p) | {"difference": round(p.difference, 3)} for p in self.most_disagreed],
        }


def calibrate(rows: list[dict], most_disagreed: int = MOST_DISAGREED) -> Calibration:
    """Agreement per dimension from rated-turn rows (keys as `SessionStore.rated_turns` gives them:
    turn_id, session_id, learner, index, take, dimension, author, score, created_at and automatic)."""
    latest: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda r: (r["created_at"], r["rating_id"])):
        latest[(row["turn_id"], row["dimension"], row["author"])] = row  # a later rating replaces an earlier one
    pairs, unscored = [], {}
    for row in latest.values():
        if row["automatic"] is None:
            unscored[row["dimension"]] = unscored.get(row["dimension"], 0) + 1
            continue
        pairs.append(
            Pair(
                turn_id=row["turn_id"],
                session_id=row["session_id"],
                learner=row["learner"],
                index=row["index"],
                take=row["take"],
                dimension=row["dimension"],
                trainer=row["author"],
                rating=float(row["score"]),
                automatic=float(row["automatic"]),
            )
        )
    names = sorted({p.dimension for p in pairs} | set(unscored))
    agreements = tuple(
        _agreement(name, [p for p in pairs if p.dimension == name], unscored.get(name, 0)) for name in names
    )
    ranked = sorted(pairs, key=lambda p: (-abs(p.difference), p.session_id, p.index, p.dimension))
    return Calibration(agreements, tuple(ranked[:most_disagreed]))


def _agreement(dimension: str, pairs: list[Pair], unscored: int) -> Agreement:
    rating = np.array([p.rating for p in pairs])
    automatic = np.array([p.automatic for p in pairs])
    difference = rating - automatic
    return Agreement(
        dimension=dimension,
        n=len(pairs),
        spearman=_correlation(rankdata(rating), rankdata(automatic)) if pairs else None,
        pearson=_correlation(rating, automatic),
        mean_abs_difference=_round(np.abs(difference).mean()) if pairs else None,
        bias=_round(difference.mean()) if pairs else None,
        unscored=unscored,
    )


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return _round(np.corrcoef(a, b)[0, 1])


def _round(value) -> float:
    return round(float(value), 3)


def lines(calibration: Calibration) -> list[str]:
    """The calibration as a table for the terminal."""
    if not calibration.dimensions:
        return ["no rated turns yet: trainers rate turns in the window's review"]
    out = [f"{'dimension':<12} {'n':>4} {'spearman':>9} {'pearson':>8} {'mean |diff|':>12} {'bias':>7}"]
    for a in calibration.dimensions:
        out.append(
            f"{a.dimension:<12} {a.n:>4} {_shown(a.spearman, 2):>9} {_shown(a.pearson, 2):>8} "
            f"{_shown(a.mean_abs_difference, 1):>12} {_shown(a.bias, 1, sign=True):>7}"
            + (f"  ({a.unscored} rating(s) of turns the coach did not score)" if a.unscored else "")
        )
    out.append("bias: trainer minus coach (positive: the coach scores lower than the trainer)")
    if any(a.spearman is None and a.n for a in calibration.dimensions):
        out.append("-: no correlation under 3 rated turns, or when one side gives every turn the same score")
    if calibration.most_disagreed:
        out += ["", "Largest disagreements:"]
        for p in calibration.most_disagreed:
            out.append(
                f"  {p.session_id[:8]} turn {p.index}"
                + (f" take {p.take}" if p.take > 1 else "")
                + f"  {p.learner:<12} {p.dimension:<10} trainer {p.trainer} {p.rating:.0f}, "
                f"coach {p.automatic:.0f} ({p.difference:+.0f})"
            )
    return out


def _shown(value: float | None, digits: int, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
