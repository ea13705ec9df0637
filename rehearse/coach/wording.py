"""Which coaching moves a reply's words contain, from the editable phrase file `data/moves.yaml`."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

MOVES = ("acknowledge", "apologize", "own", "reassure", "explain", "next_step", "ask", "use_name")
ANTI_MOVES = ("blame", "policy", "dismiss", "jargon", "interrupt")
VOCABULARY = MOVES + ANTI_MOVES


@dataclass(frozen=True)
class MoveHit:
    """One detected move and the words that showed it."""

    move: str
    evidence: str


@dataclass(frozen=True)
class MoveRule:
    weight: float
    patterns: tuple[re.Pattern, ...]


@functools.lru_cache(maxsize=None)
def load_rules() -> dict[str, MoveRule]:
    """The phrase rules from `coach/data/moves.yaml`, compiled."""
    text = resources.files("rehearse.coach").joinpath("data/moves.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules: dict[str, MoveRule] = {}
    for section in ("moves", "anti_moves"):
        for name, entry in (data.get(section) or {}).items():
            if name not in VOCABULARY:
                raise ValueError(f"moves.yaml: unknown move '{name}' (known: {', '.join(VOCABULARY)})")
            rules[name] = MoveRule(float(entry["weight"]), tuple(re.compile(p, re.IGNORECASE) for p in entry["patterns"]))
    return rules


_CONTRACTIONS = {
    "i am": "i'm", "you are": "you're", "we are": "we're", "they are": "they're", "it is": "it's",
    "that is": "that's", "there is": "there's", "here is": "here's", "what is": "what's",
    "i will": "i'll", "we will": "we'll", "you will": "you'll", "it will": "it'll", "i would": "i'd",
    "do not": "don't", "does not": "doesn't", "did not": "didn't", "can not": "can't", "cannot": "can't",
    "should not": "shouldn't", "is not": "isn't", "was not": "wasn't", "i have": "i've", "we have": "we've",
}
_CONTRACTION_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in _CONTRACTIONS) + r")\b")


def normalize(text: str) -> str:
    """Lower-case, straight apostrophes, contracted forms ("i am" -> "i'm"), single spaces."""
    text = re.sub(r"\s+", " ", text.replace("\u2019", "'").lower()).strip()
    return _CONTRACTION_RE.sub(lambda m: _CONTRACTIONS[m.group(1)], text)


def detect(text: str) -> tuple[MoveHit, ...]:
    """Moves found in `text`, in vocabulary order, each with the phrase that showed it.

    An apology inside a dismissal ("I'm sorry you feel that way") counts as dismissing only.
    """
    clean = normalize(text)
    rules = load_rules()
    spans: dict[str, tuple[int, int, str]] = {}
    for name in VOCABULARY:
        rule = rules.get(name)
        for pattern in rule.patterns if rule else ():
            match = pattern.search(clean)
            if match:
                spans[name] = (match.start(), match.end(), match.group(0).strip())
                break
    if "apologize" in spans and "dismiss" in spans:
        a, d = spans["apologize"], spans["dismiss"]
        if a[0] < d[1] and d[0] < a[1]:
            del spans["apologize"]
    return tuple(MoveHit(name, spans[name][2]) for name in VOCABULARY if name in spans)
