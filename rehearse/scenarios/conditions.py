"""The small condition language of scenario branches.

    acknowledged and not blamed
    empathy >= 60 or (apologized and next_step)
    interrupted
    no_answer

Names are the coach's moves (`acknowledge`, or the past tense `acknowledged`), the flags
`interrupted` and `no_answer`, and numeric facts (`empathy`, `wpm`, ...) compared with
`< <= > >= == !=`. Parsed once into a tree; never passed to `eval`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

MAX_LENGTH = 1_000
"""Longest condition, in characters."""
MAX_NESTING = 30
"""Most `not`s and brackets around one name."""
MAX_NUMBER = 15
"""Longest number in a comparison, in characters."""

_TOKEN = re.compile(r"\s*(?:(-?\d+(?:\.\d+)?)|(<=|>=|==|!=|<|>)|([A-Za-z_][A-Za-z_0-9]*)|(\()|(\)))")

ALIASES = {
    "acknowledged": "acknowledge",
    "apologized": "apologize",
    "apologised": "apologize",
    "owned": "own",
    "reassured": "reassure",
    "explained": "explain",
    "asked": "ask",
    "used_name": "use_name",
    "blamed": "blame",
    "dismissed": "dismiss",
    "cited_policy": "policy",
    "used_jargon": "jargon",
}


class ConditionError(ValueError):
    """A condition cannot be parsed; the message says where."""


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Compare:
    name: str
    op: str
    value: float


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str
    operands: tuple[Node, ...]


Node = Name | Compare | Not | BoolOp


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            while text[pos].isspace():  # point at the offending character, not the space before it
                pos += 1
            raise ConditionError(f"unexpected character {text[pos]!r} at position {pos + 1} in {text!r}")
        out.append(match.group(0).strip())
        pos = match.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise ConditionError(f"{self.text!r} ends too early")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()!r} in {self.text!r}")
        return node

    def expr(self) -> Node:
        return self._chain("or", self.term)

    def term(self) -> Node:
        return self._chain("and", self.factor)

    def _chain(self, op: str, sub) -> Node:
        operands = [sub()]
        while self.peek() == op:
            self.take()
            operands.append(sub())
        return operands[0] if len(operands) == 1 else BoolOp(op, tuple(operands))

    def factor(self) -> Node:
        token = self.take()
        if token in ("not", "("):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise ConditionError(f"more than {MAX_NESTING} 'not's and brackets nested; simplify the condition")
            if token == "not":
                node = Not(self.factor())
            else:
                node = self.expr()
                if self.take() != ")":
                    raise ConditionError(f"missing ')' in {self.text!r}")
            self.depth -= 1
            return node
        if not re.fullmatch(r"[A-Za-z_]\w*", token) or token in ("and", "or"):
            raise ConditionError(f"expected a name, 'not' or '(' but found {token!r} in {self.text!r}")
        if self.peek() in ("<", "<=", ">", ">=", "==", "!="):
            op = self.take()
            value = self.take()
            if len(value) > MAX_NUMBER:
                raise ConditionError(
                    f"the number after {token} {op} is too long ({len(value):,} characters; at most {MAX_NUMBER})"
                )
            try:
                return Compare(canonical(token), op, float(value))
            except ValueError:
                raise ConditionError(f"expected a number after {token} {op} in {self.text!r}") from None
        return Name(canonical(token))


def parse(text: str) -> Node:
    """Parse a condition; raises `ConditionError` with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be non-empty text")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"a condition may be at most {MAX_LENGTH:,} characters long, not {len(text):,}")
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    """Every name a condition refers to (for validation)."""
    if isinstance(node, (Name, Compare)):
        return {node.name}
    if isinstance(node, Not):
        return names(node.operand)
    return set().union(*(names(n) for n in node.operands))


def uses(node: Node) -> set[tuple[str, bool]]:
    """Each name with whether it is compared with a number (for validation)."""
    if isinstance(node, Name):
        return {(node.name, False)}
    if isinstance(node, Compare):
        return {(node.name, True)}
    if isinstance(node, Not):
        return uses(node.operand)
    return set().union(*(uses(n) for n in node.operands))


_OPS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def evaluate(node: Node, flags: set[str], numbers: Mapping[str, float | None]) -> bool:
    """True when the condition holds. A comparison with an unmeasured number is false."""
    if isinstance(node, Name):
        return node.name in flags
    if isinstance(node, Compare):
        value = numbers.get(node.name)
        return value is not None and _OPS[node.op](float(value), node.value)
    if isinstance(node, Not):
        return not evaluate(node.operand, flags, numbers)
    results = (evaluate(n, flags, numbers) for n in node.operands)
    return all(results) if node.op == "and" else any(results)
