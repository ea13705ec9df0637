"""Which coaching moves a reply's words contain.

Two layers, both data a trainer can edit: phrase rules (`data/moves.yaml`, regular expressions
matched sentence by sentence) and example sentences (`data/exemplars.yaml`, matched by sentence
embeddings in `coach.examples`) for paraphrases the rules miss. Names and acronyms are found on the
original casing. A non-apology ("I'm sorry you feel that way") counts as dismissing only, and a
question that dismisses or interrupts is not a clarifying question.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from rehearse.constants import VOCABULARY


@dataclass(frozen=True)
class MoveHit:
    """One detected move and the words that showed it."""

    move: str
    evidence: str
    source: str = "rule"
    """"rule" (a phrase rule or the name/acronym finder) or "example" (a paraphrase of an example)."""


@dataclass(frozen=True)
class MoveRule:
    weight: float
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Lexicon:
    """Word lists from `moves.yaml` used on the original casing."""

    not_names: frozenset[str]
    plain_acronyms: frozenset[str]


def _read_yaml() -> dict:
    text = resources.files("rehearse.coach").joinpath("data/moves.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.cache
def load_rules() -> dict[str, MoveRule]:
    """The phrase rules from `coach/data/moves.yaml`, compiled."""
    data = _read_yaml()
    macros = {k: str(v) for k, v in (data.get("macros") or {}).items()}
    rules: dict[str, MoveRule] = {}
    for section in ("moves", "anti_moves"):
        for name, entry in (data.get(section) or {}).items():
            if name not in VOCABULARY:
                raise ValueError(f"moves.yaml: unknown move '{name}' (known: {', '.join(VOCABULARY)})")
            patterns = []
            for raw in entry.get("patterns") or ():
                for key, value in macros.items():
                    raw = raw.replace("{" + key + "}", value)
                try:
                    patterns.append(re.compile(raw, re.IGNORECASE))
                except re.error as exc:
                    raise ValueError(f"moves.yaml: bad pattern for '{name}': {raw!r} ({exc})") from exc
            rules[name] = MoveRule(float(entry["weight"]), tuple(patterns))
    return rules


@functools.cache
def load_lexicon() -> Lexicon:
    data = _read_yaml()
    moves, anti = data.get("moves") or {}, data.get("anti_moves") or {}
    return Lexicon(
        frozenset(str(w).lower() for w in (moves.get("use_name") or {}).get("not_names", ())),
        frozenset(str(w).upper() for w in (anti.get("jargon") or {}).get("plain_acronyms", ())),
    )


_CONTRACTIONS = {
    "i am": "i'm",
    "you are": "you're",
    "we are": "we're",
    "they are": "they're",
    "it is": "it's",
    "that is": "that's",
    "there is": "there's",
    "here is": "here's",
    "what is": "what's",
    "i will": "i'll",
    "we will": "we'll",
    "you will": "you'll",
    "it will": "it'll",
    "i would": "i'd",
    "do not": "don't",
    "does not": "doesn't",
    "did not": "didn't",
    "can not": "can't",
    "cannot": "can't",
    "should not": "shouldn't",
    "is not": "isn't",
    "was not": "wasn't",
    "i have": "i've",
    "we have": "we've",
    "you have": "you've",
    "will not": "won't",
    "are not": "aren't",
    "have not": "haven't",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
}
_CONTRACTION_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in _CONTRACTIONS) + r")\b")
_SENTENCE_END = re.compile(r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bMx\.)(?<=[.!?;])\s+")


def normalize(text: str) -> str:
    """Lower-case, straight apostrophes, contracted forms ("i am" -> "i'm"), single spaces."""
    text = re.sub(r"\s+", " ", text.replace("\u2019", "'").lower()).strip()
    return _CONTRACTION_RE.sub(lambda m: _CONTRACTIONS[m.group(1)], text)


_CLAUSE_START = re.compile(
    r"\s+(?=(?:(?:and|so|but|okay|ok|now) )?(?:(?:can|could|would|do|did|have) you"
    r"|i (?:will|'ll|am going to|'m going to)"
    r"|we (?:will|'ll|are going to|'re going to)|let me|what (?:i|we) (?:can|will|need))\b)",
    re.IGNORECASE,
)
_LONG_RUN = 12
"""Unpunctuated runs of this many words or more are also split before a new clause (questions, commitments)."""


def sentences(text: str) -> list[str]:
    """The reply split into sentences (original casing kept).

    Whisper often leaves long stretches without punctuation; those are split before the words that
    open a question or a commitment, so each clause is judged on its own.
    """
    out = []
    for part in _SENTENCE_END.split(text.replace("\u2019", "'").strip()):
        part = part.strip()
        if len(part.split()) >= _LONG_RUN and not re.search(r"[,;:]", part):
            out.extend(p.strip() for p in _CLAUSE_START.split(part))
        elif part:
            out.append(part)
    return [s for s in out if s]


def clauses(sentence: str) -> list[str]:
    """The sentence and, when it has several, its clauses of three or more words (for paraphrase matching)."""
    parts = [p for p in re.split(r"[,:]\s+|\s+(?:and|but|so)\s+", sentence) if len(p.split()) >= 3]
    return [sentence] + (parts if len(parts) > 1 else [])


_THIRD_PERSON = r"(?! (?:is|was|has|will|and|from|said|says|would|can)\b|'s\b)"
"""After an honorific and a name, words that make it a mention ("Dr Singh is running late"), not a vocative."""
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? ([A-Z][a-z'-]+)\b" + _THIRD_PERSON)
_SPOKEN_HONORIFIC = re.compile(r"\b(?:mister|missus|mr|mrs) ([a-z][a-z'-]+)\b" + _THIRD_PERSON, re.IGNORECASE)
_VOCATIVE_AFTER = re.compile(
    r"\b(?:[Ss]orry|[Tt]hanks|[Tt]hank you|[Hh]i|[Hh]ello|[Hh]ey|[Mm]orning|[Aa]fternoon|patience|waiting|holding"
    r"|calling|again|evening)(?: there)? ([A-Z][a-z'-]+)\b(?! [A-Z][a-z])"
)
_VOCATIVE_START = re.compile(r"^(?:(?:Hi|Hello|Hey|Okay|OK|Right|Well|Thanks|Look|So|Yes|No),? )?([A-Z][a-z'-]+),")
_VOCATIVE_END = re.compile(r"(?:,|\b(?:you|thanks|Thanks|sorry|Sorry|there|Hi|Hello|Hey)) ([A-Z][a-z'-]+)[.!?]?$")
_VOCATIVE_BEFORE_CLAUSE = re.compile(r"\b(?:that|this|now|again) ([A-Z][a-z'-]+)(?= I\b| we\b|[.!?]?$)")
_VOCATIVE_MID = re.compile(r", ([A-Z][a-z'-]+),")
_FUNCTION_WORDS = frozenset("a an the and or but so to of for in on at is was be i you we it this that".split())
_ACRONYM = re.compile(r"\b[A-Z]{2,5}s?\b")


def find_name(sentence: str, customer_name: str | None = None) -> str | None:
    """The name the learner addressed the person by, if any.

    With `customer_name` known, only that person's name counts: the full name, the first name, or an
    honorific with the last name ("Ms Reyes"); another capitalised word is not taken for a name.
    """
    if customer_name:
        return _customer_name_in(sentence, customer_name)
    honorific = _HONORIFIC.search(sentence)
    if honorific:
        return honorific.group(0)
    not_names = load_lexicon().not_names
    spoken = _SPOKEN_HONORIFIC.search(sentence)
    if spoken and spoken.group(1).lower() not in not_names and spoken.group(1).lower() not in _FUNCTION_WORDS:
        return spoken.group(0)
    for pattern in (_VOCATIVE_START, _VOCATIVE_MID, _VOCATIVE_END, _VOCATIVE_AFTER, _VOCATIVE_BEFORE_CLAUSE):
        found = pattern.search(sentence)
        if found and found.group(1).lower() not in not_names and not found.group(1).lower().endswith("ly"):
            return found.group(1)
    return None


def _customer_name_in(sentence: str, customer_name: str) -> str | None:
    parts = customer_name.split()
    forms = [customer_name, parts[0]]
    if len(parts) > 1:
        forms.append(rf"(?:mr|mrs|ms|miss|mister|missus|dr|doctor)\.? {re.escape(parts[-1])}")
    for form in forms:
        pattern = form if form.startswith("(?:") else re.escape(form)
        found = re.search(rf"\b{pattern}\b", sentence, re.IGNORECASE)
        if found:
            return found.group(0)
    return None


def find_acronym(sentence: str) -> str | None:
    plain = load_lexicon().plain_acronyms
    for found in _ACRONYM.finditer(sentence):
        word = found.group(0)
        if word.endswith("s") and word[:-1].isupper():
            word = word.rstrip("s")
        if word not in plain:
            return found.group(0)
    return None


def _rule_hits(sentence: str, customer_name: str | None) -> dict[str, str]:
    clean = normalize(sentence)
    hits: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    for name, rule in load_rules().items():
        for pattern in rule.patterns:
            found = pattern.search(clean)
            if found:
                hits[name] = found.group(0).strip() or clean
                spans[name] = found.span()
                break
    name = find_name(sentence, customer_name)
    if name:
        hits["use_name"] = name
    if "jargon" not in hits:
        acronym = find_acronym(sentence)
        if acronym:
            hits["jargon"] = acronym
    if "ask" in hits:
        hits["ask"] = sentence if hits["ask"].strip() in ("?", "") else hits["ask"]
        blaming_question = re.match(r"(?:why|didn'?t you|shouldn'?t you)", hits.get("blame", ""))
        if "dismiss" in hits or "interrupt" in hits or blaming_question:
            del hits["ask"]
    if "blame" in hits:  # a reason given for blaming is not an explanation
        hits.pop("explain", None)
    if {"blame", "policy"} & hits.keys():  # a deadline missed or a rule's time limit is not a next step
        if "next_step" in hits and not re.match(r"(?:i|we|let)\b", hits["next_step"]):
            del hits["next_step"]
    if "next_step" in hits and "interrupt" in hits and hits["next_step"] in hits["interrupt"]:
        del hits["next_step"]  # "let me get a word in" is no next step
    if "apologize" in hits and "interrupt" in hits:  # "sorry to cut you off" apologizes for the interruption
        del hits["apologize"]
    if "apologize" in hits and "dismiss" in hits:  # "I'm sorry you feel that way", "sorry, but nothing I can do"
        (a0, a1), (d0, d1) = spans.get("apologize", (0, 0)), spans.get("dismiss", (0, 0))
        if (a0 < d1 and d0 < a1) or "sorry" in hits["dismiss"] or re.search(r"\bsorry,? but\b", clean):
            del hits["apologize"]
    return hits


def detect(text: str, semantic: bool = False, customer_name: str | None = None) -> tuple[MoveHit, ...]:
    """Moves found in `text`, in vocabulary order, each with the words that showed it.

    `semantic` adds paraphrase matching against `data/exemplars.yaml` (loads the embedding model on
    first use, see `coach.examples`). `customer_name` is recognised wherever it appears.
    """
    found: dict[str, MoveHit] = {}
    per_sentence = [(s, _rule_hits(s, customer_name)) for s in sentences(text)]
    for _, hits in per_sentence:
        for move, words in hits.items():
            found.setdefault(move, MoveHit(move, words))
    if semantic:
        from rehearse.coach import examples

        candidates = [
            c
            for s, hits in per_sentence
            if not {"dismiss", "blame", "interrupt", "policy", "ask"} & hits.keys()
            for c in clauses(s)
        ]
        for match in examples.match(candidates):
            if match.move not in found:
                found[match.move] = MoveHit(match.move, match.sentence, "example")
    return tuple(found[m] for m in VOCABULARY if m in found)
