"""The learned wording layer (`rehearse.coach.classifier`) and its shipped weights.

Its generalization is measured on labeled sets it was not fitted on, with
`bench/train_wording_classifier.py` (numbers in docs/coach.md). The shipped weights were fitted on every
labeled set except `coach_replies_set13`, whose replies no rule and no weight has seen: scoring it here
is an honest check of what users get, against a floor (its score on fresh sets less a margin).
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from bench.train_wording_classifier import HELD_OUT, save
from rehearse.coach import classifier, wording
from rehearse.constants import VOCABULARY
from tests.agreement import move_agreement

DATA = Path(__file__).resolve().parents[1] / "data"
HELD_OUT_FLOOR = 0.82
HELD_OUT_GAIN = 0.10
"""The learned layer must add at least this much micro F1 to the rules alone on the held-out set."""

pytestmark = pytest.mark.slow


def test_shipped_weights_are_small_and_load():
    assert Path(classifier.weights_path()).stat().st_size < 24_000_000
    adapter = classifier.load_adapter()
    assert 1 <= adapter.k <= 6
    p = classifier.probabilities(["I'm so sorry, that's on us.", "ok"], [{"apologize"}, set()])
    assert p.shape == (2, len(VOCABULARY)) and ((p >= 0) & (p <= 1)).all()


def test_int8_weights_round_trip(tmp_path):
    model = classifier.top_model(1).eval()
    path = tmp_path / "adapter.npz"
    save([model], 1, path, fitted_on=["coach_replies"])
    adapter = classifier.load_adapter(str(path))
    assert adapter.fitted_on == ("coach_replies",)
    (loaded,) = adapter.models
    for name, tensor in model.state_dict().items():
        restored = loaded.state_dict()[name]
        assert np.allclose(restored.numpy(), tensor.numpy(), atol=float(tensor.abs().max()) / 100 + 1e-3), name


def test_held_out_set_with_the_shipped_weights():
    assert HELD_OUT not in classifier.load_adapter().fitted_on
    cases = yaml.safe_load((DATA / f"{HELD_OUT}.yaml").read_text(encoding="utf-8"))
    labels = [c["moves"] for c in cases]
    learned = [[h.move for h in classifier.detect(c["text"])] for c in cases]
    rules = [[h.move for h in wording.detect(c["text"])] for c in cases]
    _, combined = move_agreement(zip(labels, learned, strict=True), VOCABULARY)
    _, alone = move_agreement(zip(labels, rules, strict=True), VOCABULARY)
    assert combined.f1 >= HELD_OUT_FLOOR, (combined.precision, combined.recall)
    assert combined.f1 >= alone.f1 + HELD_OUT_GAIN
    assert learned == [[h.move for h in classifier.detect(c["text"])] for c in cases]


def test_learned_hits_name_their_source_and_need_a_name_for_use_name():
    text = "Look, it is what it is, the parcel turns up when it turns up."
    assert not wording.detect(text)  # a brush-off in words no phrase rule knows
    hits = classifier.detect(text)
    assert "dismiss" in {h.move for h in hits}
    assert all(h.source in ("rule", "example", "classifier") for h in hits)
    assert all(h.evidence == text for h in hits if h.source == "classifier")
    assert "use_name" not in {h.move for h in classifier.detect("Thanks for waiting, I'll check the order now.")}


def test_a_long_reply_is_judged_in_windows_of_whole_sentences():
    calm = "Thank you for walking me through the whole history of the account, it really helps me. " * 20
    text = calm + "That's not my problem, take it up with your bank."
    parts = classifier.windows(text)
    assert len(parts) > 1 and " ".join(parts) == " ".join(wording.sentences(text))
    assert "dismiss" in {h.move for h in classifier.detect(text)}
