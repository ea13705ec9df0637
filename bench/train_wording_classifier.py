"""Fit and cross-validate the learned wording layer (`rehearse/coach/classifier.py`).

    python bench/train_wording_classifier.py            # leave-one-set-out on the fresh sets (~1 h)
    python bench/train_wording_classifier.py --fit      # fit on every set but HELD_OUT, write the weights

MiniLM's top `--k` layers and a move head are fine-tuned on the labeled replies in tests/data (AdamW,
binary cross-entropy with positive weights, `--epochs` passes). The head also sees the phrase rules'
hits, and those must come from rules that had never seen the reply, or the model would learn to trust
rules tuned on it: blind sets 1-7 use the rules of the commit that first scored them, the tuning set
the rules blind set 1 was scored with, and the sets written for the learned layer (set8-set17, never
used to tune a rule) today's rules. Cross-validation holds out each fresh set in turn (`FRESH`) and
trains on all the others. The shipped weights are fitted on everything except `HELD_OUT`, which stays
unseen so that tests and bench/coach_eval.py can score the shipped model honestly.
"""

from __future__ import annotations

import argparse
import functools
import logging
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.coach import classifier, wording  # noqa: E402
from rehearse.coach.agreement import move_agreement  # noqa: E402

LABELED = ROOT / "tests" / "data"
FIRST_SCORED_WITH = {  # the commit that added the blind set, whose rules had never seen it
    "coach_replies_blind": "daab4a5", "coach_replies_blind2": "9ab4da1", "coach_replies_blind3": "2b1b3c2",
    "coach_replies_blind4": "4b19394", "coach_replies_blind5": "41c8502", "coach_replies_blind6": "93abc60",
    "coach_replies_blind7": "c5f77a5",
}
TUNING_SET = "coach_replies"
FRESH = tuple(f"coach_replies_set{i}" for i in range(8, 18))
"""Written from tests/data/LABELING.md by people who never saw the rules; no rule was tuned on them."""
SETS = (TUNING_SET, *FIRST_SCORED_WITH, *FRESH)
HELD_OUT = classifier.HELD_OUT_SET
K, EPOCHS, BATCH, LEARNING_RATE, HEAD_LEARNING_RATE = 6, 8, 16, 5e-5, 3e-3
_LOGGER = logging.getLogger(__name__)


def load_sets(names=SETS) -> tuple[list[str], list[set[str]], np.ndarray]:
    texts, labels, groups = [], [], []
    for g, name in enumerate(names):
        for case in yaml.safe_load((LABELED / f"{name}.yaml").read_text(encoding="utf-8")):
            texts.append(case["text"])
            labels.append(set(case["moves"]))
            groups.append(g)
    return texts, labels, np.array(groups)


@functools.lru_cache(maxsize=None)
def rules_at(commit: str) -> types.ModuleType:
    """`wording` as it was at `commit` (its own moves.yaml)."""
    name = f"_wording_{commit}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    show = lambda path: subprocess.run(["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True,  # noqa: E731
                                       capture_output=True, text=True).stdout
    exec(compile(show("rehearse/coach/wording.py"), name, "exec"), module.__dict__)
    rules_yaml = yaml.safe_load(show("rehearse/coach/data/moves.yaml"))
    module._read_yaml = lambda: rules_yaml
    return module


def matrix(moves: list[set[str]]) -> np.ndarray:
    return np.array([[m in s for m in wording.VOCABULARY] for s in moves], dtype=bool).reshape(-1, len(wording.VOCABULARY))


def fresh_rule_hits(texts: list[str], groups: np.ndarray, names=SETS) -> np.ndarray:
    """Each reply's rule hits from rules that had never seen its set (see the module docstring)."""
    hits = np.zeros((len(texts), len(wording.VOCABULARY)), bool)
    for g, name in enumerate(names):
        commit = FIRST_SCORED_WITH.get(name) or (FIRST_SCORED_WITH["coach_replies_blind"] if name == TUNING_SET else None)
        detect = rules_at(commit).detect if commit else wording.detect
        rows = np.flatnonzero(groups == g)
        hits[rows] = matrix([{h.move for h in detect(texts[i])} for i in rows])
    return hits


def lower_states(texts: list[str], k: int):
    """States entering the top `k` layers for every reply, padded to one length, and the mask."""
    torch = classifier._torch()
    parts = [classifier.lower_states(texts[i:i + 64], k) for i in range(0, len(texts), 64)]
    length = max(mask.shape[1] for _, mask in parts)
    pad = lambda t: torch.nn.functional.pad(t, (0, 0, 0, length - t.shape[1]) if t.dim() == 3 else (0, length - t.shape[1]))  # noqa: E731
    return torch.cat([pad(s) for s, _ in parts]), torch.cat([pad(m) for _, m in parts])


def train(states, mask, rules: np.ndarray, y: np.ndarray, rows: np.ndarray, k: int, epochs: int, seed: int = 0):
    """Fine-tune a fresh `classifier.top_model(k)` on `rows`; returns it in eval mode."""
    torch = classifier._torch()
    torch.manual_seed(seed)
    order = np.random.default_rng(seed)
    model = classifier.top_model(k)
    rules_t, y_t = torch.tensor(rules, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    optimizer = torch.optim.AdamW([{"params": model.layers.parameters(), "lr": LEARNING_RATE},
                                   {"params": model.head.parameters(), "lr": HEAD_LEARNING_RATE}], weight_decay=0.01)
    positive = y_t[rows].mean(0).clamp(0.02, 0.5)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - positive) / positive).sqrt())
    model.train()
    for epoch in range(epochs):
        shuffled = order.permutation(rows)
        for start in range(0, len(rows), BATCH):
            batch = shuffled[start:start + BATCH]
            length = int(mask[batch].sum(1).max())
            loss = loss_of(model(states[batch, :length], mask[batch, :length], rules_t[batch]), y_t[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        _LOGGER.info("epoch %d: loss %.3f", epoch + 1, loss.item())
    return model.eval()


def predict(model, states, mask, rules: np.ndarray, rows: np.ndarray) -> np.ndarray:
    torch = classifier._torch()
    with torch.inference_mode():
        logits = model(states[rows], mask[rows], torch.tensor(rules[rows], dtype=torch.float32))
    return torch.sigmoid(logits).numpy()


def scores(labels: list[set[str]], predicted: np.ndarray) -> tuple[float, float, float]:
    detected = [[m for m, on in zip(wording.VOCABULARY, row) if on] for row in predicted]
    _, total = move_agreement(zip(labels, detected), wording.VOCABULARY)
    return total.precision or 0.0, total.recall or 0.0, total.f1 or 0.0


def cross_validate(k: int, epochs: int, held_out: list[str]) -> None:
    texts, labels, groups = load_sets()
    rules = fresh_rule_hits(texts, groups)
    states, mask = lower_states(texts, k)
    y = matrix(labels)
    print(f"\nleave-one-set-out, top {k} layers, {epochs} epochs; micro P / R / F1 on the held-out set")
    print(f"{'held-out set':<22} {'n':>4}  {'rules':<19} {'rules OR learned':<19} {'learned alone':<19}")
    rows = []
    for name in held_out:
        test = np.flatnonzero(groups == SETS.index(name))
        started = time.perf_counter()
        model = train(states, mask, rules, y, np.flatnonzero(groups != SETS.index(name)), k, epochs)
        p = predict(model, states, mask, rules, test)
        held = [labels[i] for i in test]
        row = [scores(held, rules[test]), scores(held, rules[test] | classifier.learned(p)), scores(held, p >= classifier.THRESHOLD)]
        rows.append(row)
        cells = ["{:.2f} / {:.2f} / {:.3f}".format(*r) for r in row]
        print(f"{name:<22} {len(test):>4}  {cells[0]:<19} {cells[1]:<19} {cells[2]:<19}"
              f" ({time.perf_counter() - started:.0f} s)", flush=True)
    means = np.mean([[r[2] for r in row] for row in rows], axis=0)
    print(f"{'mean F1':<28} {means[0]:.3f}{'':<15} {means[1]:.3f}{'':<15} {means[2]:.3f}")


def fit(k: int, epochs: int, path: Path) -> None:
    texts, labels, groups = load_sets()
    rules = fresh_rule_hits(texts, groups)
    states, mask = lower_states(texts, k)
    model = train(states, mask, rules, matrix(labels), np.flatnonzero(groups != SETS.index(HELD_OUT)), k, epochs)
    classifier.save(model, k, path)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB), fitted without {HELD_OUT}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit on every set but HELD_OUT and write the weights")
    parser.add_argument("--k", type=int, default=K, help="top layers to fine-tune")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--hold", nargs="+", choices=FRESH, default=list(FRESH), metavar="SET",
                        help="fresh sets to hold out in turn (default: all; ~6 min each)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.fit:
        fit(args.k, args.epochs, Path(classifier.weights_path()))
    else:
        cross_validate(args.k, args.epochs, args.hold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
