"""Compiling Carrot text once into a reusable, thread-safe evaluator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from shared.carrot import nodes as n
from shared.carrot.compiler import Compiler, returns_bool
from shared.carrot.is_filters import IS_FILTERS
from shared.carrot.parser import parse
from shared.carrot.templates import is_template, parse_template

Clock = Callable[[], date]
"""Gives today's date; ``today()``, relative dates and the ``is:`` date filters read it."""

Record = Mapping[str, Any]


class Compiled:
    """Carrot text compiled once, evaluated for any number of records, from any thread.

    ``text`` is the source, ``kind`` one of filter, expression or template, ``ast`` the syntax
    tree, ``fields`` the dotted field paths the text reads (built-in filters included).
    ``evaluate(record)`` gives the value (a str for templates); ``matches(record)`` gives its
    truthiness. Both are plain functions bound at compile time, holding no per-call state.
    """

    __slots__ = ("ast", "evaluate", "fields", "kind", "matches", "text")

    text: str
    kind: str
    ast: n.Node
    fields: frozenset[str]
    evaluate: Callable[[Record], Any]
    matches: Callable[[Record], bool]

    def __init__(self, text: str, kind: str, ast: n.Node, clock: Clock) -> None:
        self.text = text
        self.kind = kind
        self.ast = ast
        self.fields = fields_read(ast)
        evaluate = Compiler(text, clock).compile(ast)
        self.evaluate = evaluate
        if returns_bool(ast):
            self.matches = evaluate
        else:
            self.matches = lambda record: bool(evaluate(record))

    def __repr__(self) -> str:
        return f"Compiled({self.kind}, {self.text!r})"


def fields_read(ast: n.Tree) -> frozenset[str]:
    """The dotted field paths a tree reads, including those read by ``is:`` filters."""
    found: set[str] = set()
    for node in n.walk(ast):
        if isinstance(node, n.Path):
            found.add(node.dotted)
        elif isinstance(node, n.IsFilter):
            for name in node.names:
                found.update(IS_FILTERS[name].fields)
    return frozenset(found)


def compile_filter(text: str, *, clock: Clock | None = None) -> Compiled:
    """A filter: an expression whose clauses may be joined by white space (AND)."""
    return Compiled(text, "filter", parse(text, filter_mode=True), clock or date.today)


def compile_expression(text: str, *, clock: Clock | None = None) -> Compiled:
    """An expression giving a value."""
    return Compiled(text, "expression", parse(text), clock or date.today)


def compile_template(text: str, *, clock: Clock | None = None) -> Compiled:
    """A template giving text: ``{{ expr }}`` outputs and ``{% if %}`` blocks."""
    return Compiled(text, "template", parse_template(text), clock or date.today)


def compile_source(text: str, *, clock: Clock | None = None) -> Compiled:
    """A profile field's source: a template if it contains ``{{`` or ``{%``, else an expression."""
    if is_template(text):
        return compile_template(text, clock=clock)
    return compile_expression(text, clock=clock)
