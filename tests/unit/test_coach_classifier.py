"""The learned wording layer (`rehearse.coach.classifier`) and its shipped weights.

Its generalization is measured by leave-one-set-out cross-validation in
`bench/train_wording_classifier.py` (numbers in docs/coach.md). Here: the weights load and match the
features, predictions are deterministic, and on blind set 7, scored with the weights fitted WITHOUT
blind7 (`WEIGHTS_WITHOUT_BLIND7`), rules + classifier stays above a floor (that fold's cross-validated
score less a margin) and above the rules alone.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from rehearse.coach import classifier, wording
from rehearse.coach.agreement import move_agreement

DATA = Path(__file__).resolve().parents[1] / "data"
PACKAGE_DATA = Path(classifier.__file__).resolve().parent / "data"
BLIND7_FLOOR = 0.70


@pytest.mark.parametrize("name", [classifier.WEIGHTS, classifier.WEIGHTS_WITHOUT_BLIND7])
def test_weights_are_small_and_match_the_features(name):
    assert (PACKAGE_DATA / name).stat().st_size < 300_000
    weights = classifier.load_weights(name)
    assert weights.moves == wording.VOCABULARY
    assert weights.coef.shape == (len(wording.VOCABULARY), len(classifier.feature_layout()))
    assert np.isfinite(weights.coef).all() and np.isfinite(weights.intercept).all()
    assert np.isfinite(weights.thresholds).any()


def test_probabilities_are_deterministic_and_bounded():
    weights = classifier.load_weights()
    features = np.random.default_rng(0).normal(size=(5, weights.coef.shape[1])).astype(np.float32)
    first, second = weights.probabilities(features), weights.probabilities(features.copy())
    assert np.array_equal(first, second)
    assert first.shape == (5, len(weights.moves)) and ((first >= 0) & (first <= 1)).all()


@pytest.mark.slow
def test_blind7_with_weights_fitted_without_it():
    cases = yaml.safe_load((DATA / "coach_replies_blind7.yaml").read_text(encoding="utf-8"))
    both = [[h.move for h in classifier.detect(c["text"], weights=classifier.WEIGHTS_WITHOUT_BLIND7)] for c in cases]
    rules = [[h.move for h in wording.detect(c["text"])] for c in cases]
    _, combined = move_agreement(zip((c["moves"] for c in cases), both), wording.VOCABULARY)
    _, alone = move_agreement(zip((c["moves"] for c in cases), rules), wording.VOCABULARY)
    assert combined.f1 >= BLIND7_FLOOR and combined.f1 >= alone.f1
    assert both == [[h.move for h in classifier.detect(c["text"], weights=classifier.WEIGHTS_WITHOUT_BLIND7)]
                    for c in cases]
