"""Leave-one-set-out evaluation of the learned wording layer (`rehearse/coach/classifier.py`), and its fit.

    python bench/train_wording_classifier.py                 # CV table (rules | rules OR classifier | classifier)
    python bench/train_wording_classifier.py --fit           # write the weights to rehearse/coach/data/

Each of the 8 labeled sets in tests/data is held out in turn; the classifier (per-move logistic
regression, `classifier.feature_layout()`) is fitted on the other 7 and its per-move thresholds are
the F1-optimal ones on out-of-fold probabilities from an inner leave-one-set-out over those 7: the
held-out set never chooses anything. The phrase rules were tuned on the blind sets 1-6 after each was
first scored, so by default every set's rule hits (features and the "rules" column alike) come from
rules that saw neither it nor the held-out set (`fresh_rule_hits`); `--current-rules` uses today's
rules everywhere (honest only for blind7). The tuning set has no rules that never saw it. `--fit`
writes the weights fitted on all sets and those fitted without blind7 (for an honest test).
Sentence embeddings are cached in /tmp.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import logging
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rehearse.coach import classifier, examples, wording  # noqa: E402
from rehearse.coach.agreement import move_agreement  # noqa: E402

LABELED = ROOT / "tests" / "data"
SETS = ("coach_replies", "coach_replies_blind", "coach_replies_blind2", "coach_replies_blind3",
        "coach_replies_blind4", "coach_replies_blind5", "coach_replies_blind6", "coach_replies_blind7")
FIRST_SCORED_WITH = {  # the commit that added the set, whose rules had never seen it
    "coach_replies_blind": "daab4a5", "coach_replies_blind2": "9ab4da1", "coach_replies_blind3": "2b1b3c2",
    "coach_replies_blind4": "4b19394", "coach_replies_blind5": "41c8502", "coach_replies_blind6": "93abc60",
    "coach_replies_blind7": "c5f77a5",
}
C = 0.1
MIN_POSITIVES = 4
CACHE = Path("/tmp/rehearse_wording_embeddings.npz")
_LOGGER = logging.getLogger(__name__)
HELD_OUT_FOR_TESTS = "coach_replies_blind7"


def load_sets() -> tuple[list[str], list[set[str]], np.ndarray]:
    texts, labels, groups = [], [], []
    for g, name in enumerate(SETS):
        for case in yaml.safe_load((LABELED / f"{name}.yaml").read_text(encoding="utf-8")):
            texts.append(case["text"])
            labels.append(set(case["moves"]))
            groups.append(g)
    return texts, labels, np.array(groups)


def sentence_vectors(texts: list[str]) -> list[np.ndarray]:
    """Each reply's sentence embeddings, cached in /tmp by the texts' hash."""
    split = [wording.sentences(t) for t in texts]
    key = hashlib.sha1("\x00".join("\x01".join(s) for s in split).encode()).hexdigest()
    if CACHE.is_file():
        with np.load(CACHE) as data:
            if str(data["key"]) == key:
                flat, counts = data["flat"], data["counts"]
                return np.split(flat, np.cumsum(counts)[:-1])
    flat = examples.encode([s for parts in split for s in parts])
    counts = np.array([len(p) for p in split])
    np.savez(CACHE, key=key, flat=flat, counts=counts)
    return np.split(flat, np.cumsum(counts)[:-1])


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


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Coefficients and intercept on the raw features (scaling folded in), or None if too few positives."""
    if y.sum() < MIN_POSITIVES or (1 - y).sum() < MIN_POSITIVES:
        return None
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(scaler.transform(x), y)
    coef = model.coef_[0] / scaler.scale_
    return coef, float(model.intercept_[0] - coef @ scaler.mean_)


def probabilities(x_train, y_train, x_test) -> np.ndarray:
    """(test replies, moves) probabilities; NaN for a move with too few positives to fit."""
    out = np.full((len(x_test), y_train.shape[1]), np.nan)
    for j in range(y_train.shape[1]):
        model = fit(x_train, y_train[:, j])
        if model is not None:
            out[:, j] = 1.0 / (1.0 + np.exp(-(x_test @ model[0] + model[1])))
    return out


def out_of_fold(x, y, groups) -> np.ndarray:
    out = np.full(y.shape, np.nan)
    for g in np.unique(groups):
        out[groups == g] = probabilities(x[groups != g], y[groups != g], x[groups == g])
    return out


def best_threshold(p: np.ndarray, y: np.ndarray, rules: np.ndarray | None) -> float:
    """The F1-optimal threshold for one move (`rules`: OR-ed with the rules; inf: never fire)."""
    base = rules if rules is not None else np.zeros_like(y)
    best, best_f1 = np.inf, _f1(base, y)
    if np.isnan(p).any():
        return best
    for t in np.unique(p):
        f1 = _f1(base | (p >= t), y)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = int((pred & y).sum())
    total = int(pred.sum() + y.sum())
    return 2 * tp / total if total else 0.0


def matrix(moves: list[set[str]]) -> np.ndarray:
    return np.array([[m in s for m in wording.VOCABULARY] for s in moves], dtype=bool).reshape(-1, len(wording.VOCABULARY))


def scores(labels: list[set[str]], predicted: np.ndarray) -> tuple[float, float, float]:
    detected = [[m for m, on in zip(wording.VOCABULARY, row) if on] for row in predicted]
    _, total = move_agreement(zip(labels, detected), wording.VOCABULARY)
    return total.precision or 0.0, total.recall or 0.0, total.f1 or 0.0


def fresh_rule_hits(texts, groups, held_out: int | None) -> tuple[np.ndarray, bool]:
    """Rule hits where each set is judged by rules that never saw it, nor the held-out set.

    Blind set j uses the rules it was first scored with, or those of the held-out set when that set is
    older; the tuning set uses the first blind set's rules (written from it: no rules are fresh for it).
    Returns the hits and whether the held-out set's own hits are fresh.
    """
    commits = [FIRST_SCORED_WITH.get(name, FIRST_SCORED_WITH[SETS[1]]) for name in SETS]
    limit = len(SETS) if held_out is None else max(held_out, 1)
    hits = np.zeros((len(texts), len(wording.VOCABULARY)), bool)
    for g in range(len(SETS)):
        module = _rules(commits[min(max(g, 1), limit)])
        rows = np.flatnonzero(groups == g)
        hits[rows] = matrix([{h.move for h in module.detect(texts[i])} for i in rows])
    return hits, held_out != 0


@functools.lru_cache(maxsize=None)
def _rules(commit: str) -> types.ModuleType:
    return rules_at(commit)


def _found(hits: np.ndarray) -> list[set[str]]:
    return [{m for m, on in zip(wording.VOCABULARY, row) if on} for row in hits]


def cross_validate(texts, labels, groups, vectors, current_rules: bool) -> list[dict]:
    y = matrix(labels)
    current = matrix([{h.move for h in wording.detect(t)} for t in texts])
    results = []
    for g, name in enumerate(SETS):
        if current_rules:
            rule_hits, clean = current, name == SETS[-1]
        else:
            rule_hits, clean = fresh_rule_hits(texts, groups, g)
        x = classifier.features(vectors, _found(rule_hits))
        train, test = groups != g, groups == g
        inner = out_of_fold(x[train], y[train], groups[train])
        fresh = groups[train] != 0  # OR thresholds are chosen where the rules did not see the replies
        p = np.nan_to_num(probabilities(x[train], y[train], x[test]), nan=-1.0)
        both, alone = np.zeros(p.shape, bool), np.zeros(p.shape, bool)
        for j in range(y.shape[1]):
            t_or = best_threshold(inner[fresh, j], y[train][fresh, j], rule_hits[train][fresh, j])
            both[:, j] = rule_hits[test, j] | (p[:, j] >= t_or)
            alone[:, j] = p[:, j] >= best_threshold(inner[:, j], y[train, j], None)
        held = [labels[i] for i in np.flatnonzero(test)]
        results.append({"set": name, "replies": int(test.sum()), "clean_rules": clean,
                        "rules": scores(held, rule_hits[test]), "or": scores(held, both), "alone": scores(held, alone)})
        _LOGGER.info("%s done", name)
    return results


def print_table(results: list[dict], title: str) -> None:
    print(f"\n{title}\nmicro P / R / F1 on the held-out set")
    print(f"{'held-out set':<22} {'n':>4}  {'rules':<19} {'rules OR classifier':<19} {'classifier alone':<19}")
    for r in results:
        mark = "" if r["clean_rules"] else "  (rules tuned on this set)"
        cells = ["{:.2f} / {:.2f} / {:.3f}".format(*r[k]) for k in ("rules", "or", "alone")]
        print(f"{r['set']:<22} {r['replies']:>4}  {cells[0]:<19} {cells[1]:<19} {cells[2]:<19}{mark}")
    for label, subset in (("mean, all 8", results), ("mean, blind 1-7", results[1:])):
        means = [np.mean([r[k][2] for r in subset]) for k in ("rules", "or", "alone")]
        print(f"{label:<27}  F1 {means[0]:.3f}{'':<12} F1 {means[1]:.3f}{'':<12} F1 {means[2]:.3f}")


def fit_and_save(texts, labels, groups, vectors, held_out: int | None, path: Path) -> None:
    """Fit on every set but `held_out` (None: all), thresholds as in `cross_validate`; write the weights."""
    keep = groups != held_out
    texts, labels, groups = [t for t, k in zip(texts, keep) if k], [lab for lab, k in zip(labels, keep) if k], groups[keep]
    vectors = [v for v, k in zip(vectors, keep) if k]
    y = matrix(labels)
    rule_hits, _ = fresh_rule_hits(texts, groups, held_out)
    x = classifier.features(vectors, _found(rule_hits))
    inner = out_of_fold(x, y, groups)
    fresh = groups != 0
    coef = np.zeros((y.shape[1], x.shape[1]), np.float32)
    intercept, thresholds = np.zeros(y.shape[1], np.float32), np.full(y.shape[1], np.inf, np.float32)
    for j in range(y.shape[1]):
        model = fit(x, y[:, j])
        if model is not None:
            coef[j], intercept[j] = model
            thresholds[j] = best_threshold(inner[fresh, j], y[fresh, j], rule_hits[fresh, j])
    np.savez_compressed(path, moves=np.array(wording.VOCABULARY), coef=coef, intercept=intercept,
                        thresholds=thresholds, layout=np.array(classifier.feature_layout()))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB); thresholds: "
          + ", ".join(f"{m} {t:.2f}" for m, t in zip(wording.VOCABULARY, thresholds)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit on all sets and write the weights")
    parser.add_argument("--current-rules", action="store_true", help="today's rules for every held-out set")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    texts, labels, groups = load_sets()
    started = time.perf_counter()
    vectors = sentence_vectors(texts)
    _LOGGER.info("embeddings ready in %.1f s", time.perf_counter() - started)
    if args.fit:
        data = ROOT / "rehearse" / "coach" / "data"
        fit_and_save(texts, labels, groups, vectors, None, data / classifier.WEIGHTS)
        fit_and_save(texts, labels, groups, vectors, SETS.index(HELD_OUT_FOR_TESTS),
                     data / classifier.WEIGHTS_WITHOUT_BLIND7)
        return 0
    results = cross_validate(texts, labels, groups, vectors, args.current_rules)
    print_table(results, f"leave-one-set-out, C={C}, {'today' if args.current_rules else 'fresh'} rules")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
