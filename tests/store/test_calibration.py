"""Calibration: trainer ratings against the coach's scores, read from a real database written through the store."""

from __future__ import annotations

import json
import uuid

import pytest
from scipy.stats import pearsonr, spearmanr

from rehearse.app.cli import main
from rehearse.store import SessionStore
from rehearse.store.calibration import calibrate, lines
from tests.store.helpers import add_turn

COACH = [80, 35, 60, 90, 20]  # the coach's empathy score of each turn
TRAINER = [75, 50, 40, 95, 10]  # the trainer's


@pytest.fixture()
def store(store_url, tmp_path):
    store = SessionStore(url=store_url, folder=tmp_path)
    yield store
    store.close()


def _rated_session(store, learner: str, trainer: str, coach: list, trainer_scores: list) -> list[int]:
    sid = store.start_session(learner, "internet-outage", seed=0)
    ids = []
    for index, (auto, rating) in enumerate(zip(coach, trainer_scores, strict=True), start=1):
        turn = add_turn(store, sid, index, audio=False, verdict={"scores": {"empathy": auto, "pace": 50.0}})
        store.add_rating(turn, trainer, "empathy", rating)
        ids.append(turn)
    return ids


def test_agreement_per_dimension_matches_the_textbook_formulas(store):
    turns = _rated_session(store, "sam", "tess", COACH, TRAINER)
    store.add_rating(turns[0], "tess", "pace", 50)  # one pace pair: too few for a correlation
    store.add_rating(turns[1], "tess", "warmth", 70)  # a dimension the coach does not score
    result = calibrate(store.rated_turns())
    by_name = {a.dimension: a for a in result.dimensions}
    empathy = by_name["empathy"]
    assert empathy.n == 5
    assert empathy.spearman == pytest.approx(spearmanr(TRAINER, COACH).statistic, abs=1e-3)
    assert empathy.pearson == pytest.approx(pearsonr(TRAINER, COACH).statistic, abs=1e-3)
    assert empathy.mean_abs_difference == pytest.approx((5 + 15 + 20 + 5 + 10) / 5)
    assert empathy.bias == pytest.approx((-5 + 15 - 20 + 5 - 10) / 5)
    assert (by_name["pace"].n, by_name["pace"].spearman, by_name["pace"].mean_abs_difference) == (1, None, 0.0)
    assert (by_name["warmth"].n, by_name["warmth"].unscored) == (0, 1)
    worst = result.most_disagreed[0]
    assert (worst.index, worst.dimension, worst.rating, worst.automatic) == (3, "empathy", 40, 60)
    assert worst.difference == -20
    assert [p.index for p in result.most_disagreed[:2]] == [3, 2]


def test_a_later_rating_replaces_the_same_trainers_earlier_one_and_filters_apply(store):
    sam, alex = f"sam-{uuid.uuid4().hex[:6]}", f"alex-{uuid.uuid4().hex[:6]}"
    store.add_person(sam, "learner", "north", password="pw")
    store.add_person(alex, "learner", "south", password="pw")
    turns = _rated_session(store, sam, "tess", COACH, TRAINER)
    store.add_rating(turns[2], "tess", "empathy", 60)  # tess changes her mind: now agrees on turn 3
    _rated_session(store, alex, "tess", [50, 50, 50], [0, 100, 50])
    _rated_session(store, sam, "kim", COACH, COACH)
    north_tess = {a.dimension: a for a in calibrate(store.rated_turns(team="north", trainer="tess")).dimensions}
    assert north_tess["empathy"].n == 5
    assert north_tess["empathy"].mean_abs_difference == pytest.approx((5 + 15 + 0 + 5 + 10) / 5)
    assert calibrate(store.rated_turns(trainer="kim")).dimensions[0].mean_abs_difference == 0.0
    assert calibrate(store.rated_turns(team="south")).dimensions[0].n == 3
    assert calibrate(store.rated_turns(team="nobody")).dimensions == ()


def test_rehearse_calibrate_prints_the_table_and_json(store, tmp_path, capsys):
    _rated_session(store, "sam", "tess", COACH, TRAINER)
    store.close()
    assert main(["calibrate", "--db", store.url, "--data-dir", str(tmp_path), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["dimensions"][0]["dimension"] == "empathy"
    assert printed["dimensions"][0]["n"] == 5
    assert printed["most_disagreed"][0]["difference"] == -20
    assert main(["calibrate", "--db", store.url, "--data-dir", str(tmp_path), "--trainer", "tess"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[1].split()[:2] == ["empathy", "5"]
    assert "coach 60 (-20)" in text


def test_no_ratings_says_so():
    assert "no rated turns" in lines(calibrate([]))[0]
