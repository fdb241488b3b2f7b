"""Okta's search and filter expressions (SCIM-like), parsed into predicates over flat records.

Grammar: ``expr := term (or term)*``, ``term := factor (and factor)*``, ``factor := "(" expr ")"
| attribute op "value" | attribute pr``; op is one of eq, sw, co, gt, ge, lt, le.
A record maps dotted attribute names ("status", "profile.login") to values; a list value matches
when any element does. Search compares strings case-insensitively, filter case-sensitively.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.errors import OktaError

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

_TOKEN: Final = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.]*))')
_COMPARISONS: Final = frozenset({"eq", "sw", "co", "gt", "ge", "lt", "le"})


def invalid(expression: str, why: str) -> OktaError:
    """The 400 E0000031 answer Okta gives for an expression it cannot use."""
    return OktaError(
        status=400,
        error_code="E0000031",
        error_summary="Invalid search criteria.",
        error_causes=[f"{why} in: {expression}"],
    )


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "str", "word"
    text: str


def _tokens(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise invalid(expression, f"unexpected character at {position + 1}")
        opening, closing, literal, word = match.groups()
        if opening:
            tokens.append(_Token("(", "("))
        elif closing:
            tokens.append(_Token(")", ")"))
        elif literal is not None:
            tokens.append(_Token("str", re.sub(r"\\(.)", r"\1", literal)))
        else:
            tokens.append(_Token("word", word))
        position = match.end()
    return tokens


def _compare(op: str, actual: Any, wanted: str, fold: bool) -> bool:
    if isinstance(actual, list):
        return any(_compare(op, item, wanted, fold) for item in actual)
    if actual is None:
        return False
    left = str(actual).lower() if isinstance(actual, bool) else str(actual)
    right = wanted
    if fold:
        left, right = left.casefold(), right.casefold()
    outcomes = {
        "eq": left == right,
        "sw": left.startswith(right),
        "co": right in left,
        "gt": left > right,
        "ge": left >= right,
        "lt": left < right,
        "le": left <= right,
    }
    return outcomes[op]


class _Parser:
    def __init__(self, expression: str, fold: bool, allowed: Collection[str] | None) -> None:
        self.expression = expression
        self.tokens = _tokens(expression)
        self.position = 0
        self.fold = fold
        self.allowed = allowed

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise invalid(self.expression, "unexpected end")
        self.position += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.position += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self.expr()
        if self.peek() is not None:
            raise invalid(self.expression, f"unexpected {self.take().text!r}")
        return predicate

    def expr(self) -> Predicate:
        terms = [self.term()]
        while self.keyword("or"):
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else lambda r: any(t(r) for t in terms)

    def term(self) -> Predicate:
        factors = [self.factor()]
        while self.keyword("and"):
            factors.append(self.factor())
        return factors[0] if len(factors) == 1 else lambda r: all(f(r) for f in factors)

    def factor(self) -> Predicate:
        token = self.take()
        if token.kind == "(":
            inner = self.expr()
            if self.take().kind != ")":
                raise invalid(self.expression, "missing )")
            return inner
        if token.kind != "word":
            raise invalid(self.expression, f"expected an attribute, found {token.text!r}")
        attribute = token.text
        if self.allowed is not None and attribute not in self.allowed:
            raise invalid(self.expression, f"{attribute} cannot be used here")
        op = self.take().text.lower()
        if op == "pr":
            return lambda r: r.get(attribute) not in (None, "", [])
        if op not in _COMPARISONS:
            raise invalid(self.expression, f"unknown operator {op!r}")
        value = self.take()
        if value.kind != "str":
            raise invalid(self.expression, f"expected a quoted value after {op}")
        fold = self.fold
        return lambda r: _compare(op, r.get(attribute), value.text, fold)


def parse_search(expression: str) -> Predicate:
    """A predicate for a ``search`` expression (string values compared ignoring case)."""
    return _Parser(expression, fold=True, allowed=None).parse()


def parse_filter(expression: str, allowed: Collection[str]) -> Predicate:
    """A predicate for a ``filter`` expression over the ``allowed`` attributes (case-sensitive)."""
    return _Parser(expression, fold=False, allowed=allowed).parse()
