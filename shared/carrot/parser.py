"""The Carrot parser: a hand-written Pratt parser from text to the syntax tree in nodes.py.

Binding, tightest first (as ChartHop documents it): ``[]`` and ``.``; prefix ``!`` and ``-``;
``* / %``; ``+ -``; ``< <= > >=``; ``: = !=``; ``&&`` (and, in filters, clauses separated by
white space); ``||``; ternary ``? :`` and elvis ``?:`` (right to left); postfix ``if`` loosest.
Binary operators group left to right.

Choices where the docs are silent: a call needs ``(`` right after the name, and ``.``/``[``
right after what they apply to (``a [0]`` in a filter is two clauses). A ``!`` directly before a
match or comparison negates the whole of it, as ChartHop's own ``!department:accounting`` does
(``!title:vp`` is ``!(title:vp)``); ``is:manager`` is one term, so ``!is:manager`` negates the
built-in. A bare ``AND``, ``OR`` or ``NOT`` is an error naming ``&&``, ``||`` and ``!``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from shared.carrot import nodes as n
from shared.carrot.dates import is_relative
from shared.carrot.functions import FUNCTIONS
from shared.carrot.is_filters import IS_FILTERS
from shared.carrot.lexer import DATE, EOF, IDENT, NUM, OP, STR, Token, next_token, repr_text
from shared.carrot.match_rhs import ANY, NONE, scan_match_rhs, scan_names
from shared.errors import CarrotNameError, CarrotSyntaxError

LOWEST, IF, TERNARY, OR, AND, EQUALITY, COMPARE, ADD, MUL, PREFIX, ATOM = range(11)
INFIX: Final = {
    "?": TERNARY,
    "?:": TERNARY,
    "||": OR,
    "&&": AND,
    ":": EQUALITY,
    "=": EQUALITY,
    "!=": EQUALITY,
    "<": COMPARE,
    "<=": COMPARE,
    ">": COMPARE,
    ">=": COMPARE,
    "+": ADD,
    "-": ADD,
    "*": MUL,
    "/": MUL,
    "%": MUL,
}
KEYWORDS: Final = {"true": True, "false": False, "null": None}
# Words other query languages use for logic: a bare one here is almost surely meant as one.
WORD_OPERATORS: Final = {"and": "&&", "or": "||", "not": "!"}
MAX_NESTING: Final = 100  # parser recursion: far beyond any real filter, well inside Python's
MAX_TREE_DEPTH: Final = 200
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STARTS_OPERAND: Final = {NUM, STR, DATE, IDENT}


@dataclass(frozen=True, slots=True)
class Context:
    """How the current stretch of text reads."""

    juxtapose: bool  # clauses separated by white space are joined by AND (filters)
    no_colon: bool  # ':' ends the middle of a ternary rather than starting a match


_PLAIN: Final = Context(juxtapose=False, no_colon=False)


def parse(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    filter_mode: bool = False,
    end_shown: str = "end of text",
) -> n.Node:
    """The syntax tree of ``text[start:end]``; errors name columns of the whole ``text``."""
    parser = Parser(text, start, len(text) if end is None else end, filter_mode, end_shown)
    return parser.parse_all()


class Parser:
    """One parse of one stretch of text; not reused."""

    def __init__(self, text: str, start: int, end: int, filter_mode: bool, end_shown: str) -> None:
        self.text = text
        self.end = end
        self.filter_mode = filter_mode
        self.end_shown = end_shown
        self.nesting = 0
        self.last_end = start
        self.tok = next_token(text, start, end)

    # --- helpers -----------------------------------------------------------------------------

    def advance(self) -> Token:
        """Consume the current token and read the next."""
        tok = self.tok
        self.last_end = tok.end
        self.tok = next_token(self.text, tok.end, self.end)
        return tok

    def resume_at(self, pos: int) -> None:
        """Continue reading tokens at ``pos`` (after text read without the lexer)."""
        self.last_end = pos
        self.tok = next_token(self.text, pos, self.end)

    def shown(self, tok: Token) -> str:
        """The token as an error message names it."""
        return self.end_shown if tok.kind == EOF else tok.shown(self.text)

    def error(self, expected: str, tok: Token | None = None) -> CarrotSyntaxError:
        """A syntax error at ``tok`` (the current token by default)."""
        tok = tok or self.tok
        return CarrotSyntaxError(self.text, tok.start + 1, expected, self.shown(tok))

    def is_op(self, value: str) -> bool:
        """Whether the current token is the operator ``value``."""
        return self.tok.kind == OP and self.tok.value == value

    def expect(self, value: str, expected: str) -> Token:
        """Consume the operator ``value`` or fail saying what was expected."""
        if not self.is_op(value):
            raise self.error(expected)
        return self.advance()

    def span(self, first: Token) -> n.Span:
        """From the start of ``first`` to the end of the last token consumed."""
        return (first.start, self.last_end)

    # --- expressions -------------------------------------------------------------------------

    def parse_all(self) -> n.Node:
        """The whole stretch as one expression (or, in a filter, white-space-joined clauses)."""
        node = self.expression(LOWEST, Context(self.filter_mode, no_colon=False))
        if self.is_op(","):
            raise self.error(
                f"an operator or {self.end_shown} (alternatives take no space: title:vp,director)"
            )
        if self.tok.kind != EOF:
            raise self.error(f"an operator or {self.end_shown}")
        depth, deepest = n.deepest(node)
        if depth > MAX_TREE_DEPTH:
            column = getattr(deepest, "span", (0, 0))[0] + 1
            raise CarrotSyntaxError(
                self.text, column, f"at most {MAX_TREE_DEPTH} levels of operators", "more"
            )
        return node

    def expression(self, min_prec: int, ctx: Context) -> n.Node:
        """An expression whose operators all bind at least as tightly as ``min_prec``."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error(f"at most {MAX_NESTING} levels of nesting")
        try:
            first = self.tok
            left = self.prefix(ctx)
            while (step := self.infix(left, first, min_prec, ctx)) is not None:
                left = step
            return left
        finally:
            self.nesting -= 1

    def infix(self, left: n.Node, first: Token, min_prec: int, ctx: Context) -> n.Node | None:
        """``left`` extended by the operator at the current token, or None when it ends here."""
        tok = self.tok
        if tok.kind == OP and tok.value in INFIX:
            prec = INFIX[str(tok.value)]
            if prec < min_prec or (tok.value == ":" and ctx.no_colon):
                return None
            return self.operator(str(tok.value), prec, left, first, ctx)
        if tok.kind == IDENT and str(tok.value).lower() == "if":
            if min_prec > IF:
                return None
            self.advance()
            cond = self.expression(IF + 1, ctx)
            return n.PostfixIf(left, cond, self.span(first))
        if ctx.juxtapose and min_prec <= AND and self.starts_operand(tok):
            right = self.expression(AND + 1, ctx)
            return n.Binary("&&", left, right, self.span(first))
        return None

    @staticmethod
    def starts_operand(tok: Token) -> bool:
        """Whether the token can begin a clause (for white-space AND)."""
        if tok.kind == IDENT:
            return str(tok.value).lower() != "if"
        return tok.kind in _STARTS_OPERAND or (tok.kind == OP and tok.value in ("(", "[", "!"))

    def operator(self, op: str, prec: int, left: n.Node, first: Token, ctx: Context) -> n.Node:
        """The node for the infix operator ``op`` at the current token."""
        if op == ":":
            return self.match(left, first)
        operator_tok = self.advance()
        if op == "?":
            then = self.expression(TERNARY, Context(ctx.juxtapose, no_colon=True))
            column = operator_tok.start + 1
            self.expect(":", f"':' for the '?' in column {column}")
            otherwise = self.expression(TERNARY, ctx)
            return n.Ternary(left, then, otherwise, self.span(first))
        if op == "?:":
            return n.Elvis(left, self.expression(TERNARY, ctx), self.span(first))
        right = self.expression(prec + 1, ctx)
        return n.Binary(op, left, right, self.span(first))

    def match(self, left: n.Node, first: Token) -> n.Node:
        """``left:...``: a partial match, has-value or has-no-value."""
        colon = self.tok
        rhs = scan_match_rhs(self.text, colon.end, self.end)
        self.resume_at(rhs.end)
        span = self.span(first)
        if rhs.kind == ANY:
            return n.HasValue(left, span)
        if rhs.kind == NONE:
            return n.HasNoValue(left, span)
        return n.Match(left, rhs.alternatives, span)

    # --- operands ----------------------------------------------------------------------------

    def prefix(self, ctx: Context) -> n.Node:
        """An operand: a literal, a name, a call, a group, a list or a prefix operator."""
        tok = self.tok
        if tok.kind in (NUM, STR):
            self.advance()
            return self.postfix(n.Literal(tok.value, self.span(tok)))
        if tok.kind == DATE:
            return self.postfix(self.date_literal(tok))
        if tok.kind == IDENT:
            return self.name(tok)
        if tok.kind == OP and tok.value == "!":
            return self.negation(tok, ctx)
        if tok.kind == OP and tok.value == "-":
            self.advance()
            operand = self.expression(PREFIX, ctx)
            return n.Unary("-", operand, self.span(tok))
        if tok.kind == OP and tok.value == "(":
            return self.group(tok)
        if tok.kind == OP and tok.value == "[":
            return self.list_literal(tok)
        raise self.error("a value")

    def negation(self, tok: Token, ctx: Context) -> n.Node:
        """``!operand``; a ``!`` directly before a match or comparison negates the whole of it.

        ChartHop's own example ``directs>0 && !department:accounting`` means "not in
        accounting", so ``!field:value``, ``!field=x``, ``!field!=x`` and ``!field>x`` negate the
        match; before anything else ``!`` binds as tightly as its precedence says.
        """
        self.advance()
        operand_tok = self.tok
        operand = self.expression(PREFIX, ctx)
        if self.starts_match(ctx):
            while (step := self.infix(operand, operand_tok, EQUALITY, ctx)) is not None:
                operand = step
        return n.Unary("!", operand, self.span(tok))

    def starts_match(self, ctx: Context) -> bool:
        """Whether the current token is a match, equality or comparison operator."""
        if self.tok.kind != OP or INFIX.get(str(self.tok.value)) not in (EQUALITY, COMPARE):
            return False
        return not (self.tok.value == ":" and ctx.no_colon)

    def date_literal(self, tok: Token) -> n.Node:
        """A single-quoted date: absolute (a Literal) or relative."""
        spec = str(tok.value)
        self.advance()
        if _ISO_DATE.fullmatch(spec):
            try:
                return n.Literal(date.fromisoformat(spec), self.span(tok))
            except ValueError:
                raise self.error("a real calendar date", tok) from None
        if is_relative(spec):
            return n.RelativeDate(spec, self.span(tok))
        raise self.error("a date such as '2020-01-01' or a relative date such as '-30d'", tok)

    def name(self, tok: Token) -> n.Node:
        """A keyword, ``is:`` filter, call or field path."""
        word = str(tok.value)
        lowered = word.lower()
        following = self.text[tok.end] if tok.end < self.end else ""
        if lowered in KEYWORDS:
            self.advance()
            return self.postfix(n.Literal(KEYWORDS[lowered], self.span(tok)))
        if lowered == "if":
            raise self.error("a value")
        if lowered in WORD_OPERATORS and following not in ".[(:":
            symbol = WORD_OPERATORS[lowered]
            raise self.error(f"'{symbol}' (Carrot writes AND, OR, NOT as &&, ||, !)")
        if lowered == "is" and following == ":":
            return self.is_filter(tok)
        if following == "(":
            return self.postfix(self.call(tok))
        self.advance()
        return self.postfix(n.Path((word,), self.span(tok)))

    def is_filter(self, tok: Token) -> n.Node:
        """``is:name[,name...]``."""
        found, stop = scan_names(self.text, tok.end + 1, self.end)
        names: list[str] = []
        for word, offset in found:
            if word.lower() not in IS_FILTERS:
                known = ", ".join(f"is:{name}" for name in IS_FILTERS)
                raise CarrotNameError(
                    f"unknown built-in filter 'is:{word}' at column {offset + 1} in "
                    f"{self.text!r}; use one of {known}"
                )
            names.append(word.lower())
        self.resume_at(stop)
        return n.IsFilter(tuple(names), self.span(tok))

    def call(self, tok: Token) -> n.Node:
        """``name(arg, ...)``, checked against the function's arity and literal arguments."""
        spec = FUNCTIONS.get(str(tok.value).lower())
        if spec is None:
            known = ", ".join(f"{name}()" for name in (s.name for s in FUNCTIONS.values()))
            raise CarrotNameError(
                f"unknown function '{tok.value}' at column {tok.start + 1} in {self.text!r}; "
                f"use one of {known}"
            )
        self.advance()
        opening = self.advance()
        args = self.items(
            ")", f"')' or ',' in the call to {spec.name}() begun in column {opening.start + 1}"
        )
        if not spec.min_args <= len(args) <= spec.max_args:
            raise CarrotSyntaxError(
                self.text, tok.start + 1, f"{spec.arity} for {spec.name}()", f"{len(args)}"
            )
        for position, check in spec.checks.items():
            arg = args[position] if position < len(args) else None
            if isinstance(arg, n.Literal) and isinstance(arg.value, str):
                problem = check(arg.value)
                if problem is not None:
                    raise CarrotSyntaxError(
                        self.text, arg.span[0] + 1, problem, repr_text(arg.value)
                    )
        return n.Call(spec.name, args, self.span(tok))

    def items(self, closing: str, expected: str) -> tuple[n.Node, ...]:
        """Comma-separated expressions up to and including ``closing``."""
        out: list[n.Node] = []
        if not self.is_op(closing):
            out.append(self.expression(LOWEST, _PLAIN))
            while self.is_op(","):
                self.advance()
                out.append(self.expression(LOWEST, _PLAIN))
        self.expect(closing, expected)
        return tuple(out)

    def group(self, tok: Token) -> n.Node:
        """``( expression )``."""
        self.advance()
        inner = self.expression(LOWEST, Context(self.filter_mode, no_colon=False))
        self.expect(")", f"')' for the '(' in column {tok.start + 1}")
        return self.postfix(inner)

    def list_literal(self, tok: Token) -> n.Node:
        """``[a, b, c]``."""
        self.advance()
        items = self.items("]", f"']' or ',' in the list begun in column {tok.start + 1}")
        return self.postfix(n.ListLit(items, self.span(tok)))

    def postfix(self, node: n.Node) -> n.Node:
        """``node`` followed by ``.name`` and ``[index]`` written right after it."""
        while self.tok.kind == OP and self.tok.start == self.last_end:
            start = node.span[0]
            if self.tok.value == ".":
                self.advance()
                if self.tok.kind != IDENT:
                    raise self.error("a field name after '.'")
                name = str(self.advance().value)
                if isinstance(node, n.Path):
                    node = n.Path((*node.segments, name), (start, self.last_end))
                else:
                    node = n.Member(node, name, (start, self.last_end))
            elif self.tok.value == "[":
                opening = self.advance()
                index = self.expression(LOWEST, _PLAIN)
                self.expect("]", f"']' for the '[' in column {opening.start + 1}")
                node = self.indexed(node, index, (start, self.last_end))
            else:
                break
        return node

    @staticmethod
    def indexed(node: n.Node, index: n.Node, span: n.Span) -> n.Node:
        """``node[index]``: a longer path when both are plain, else an Index node."""
        if isinstance(node, n.Path) and isinstance(index, n.Literal):
            position = index.value
            if type(position) is int and position >= 0:
                return n.Path((*node.segments, position), span)
        return n.Index(node, index, span)
