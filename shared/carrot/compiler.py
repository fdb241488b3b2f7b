"""From syntax tree to Python closures: each node becomes one function of the record.

Evaluation never walks the tree: the dispatch on node type happens once, here. Literals are
bound (and lower-cased for ``:`` and ``=``) at compile time, ``&&``/``||`` chains are flattened,
and common shapes (a field compared with a literal) get specialised closures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from shared.carrot import nodes as n
from shared.carrot.dates import resolve_relative
from shared.carrot.functions import FUNCTIONS
from shared.carrot.is_filters import IS_FILTERS
from shared.carrot.operators import ARITHMETIC, negate
from shared.carrot.paths import Record, get_key, path_getter
from shared.carrot.relations import compile_compare, compile_equals, compile_match
from shared.carrot.values import describe, is_blank, render
from shared.errors import CarrotTypeError

Fn = Callable[[Record], Any]
Clock = Callable[[], date]

_BOOLEAN_OPS = frozenset({"&&", "||", "=", "!=", "<", "<=", ">", ">="})


def returns_bool(node: n.Tree) -> bool:
    """Whether the node's closure always returns a bool (so callers may skip ``bool()``)."""
    match node:
        case n.Match() | n.HasValue() | n.HasNoValue() | n.IsFilter():
            return True
        case n.Unary(op="!"):
            return True
        case n.Binary(op=op):
            return op in _BOOLEAN_OPS
        case n.Literal(value=value):
            return isinstance(value, bool)
    return False


class Compiler:
    """Compiles the nodes of one text; ``text`` gives error messages the expression's source."""

    def __init__(self, text: str, clock: Clock) -> None:
        self.text = text
        self.clock = clock

    def snippet(self, node: n.Tree) -> str:
        """The source text of a node."""
        start, end = node.span
        return self.text[start:end].strip() or self.text.strip()

    def type_error(self, node: n.Tree, problem: str, *values: Any) -> CarrotTypeError:
        """A CarrotTypeError naming the expression, the problem and the values met."""
        shown = ", ".join(describe(value) for value in values)
        got = f" (got {shown})" if values else ""
        return CarrotTypeError(
            f"cannot evaluate `{self.snippet(node)}` in {self.text!r}: {problem}{got}; "
            "fix the data or convert it with date(), number() or string()"
        )

    def compile(self, node: n.Tree) -> Fn:
        """The closure computing ``node`` for a record."""
        match node:
            case n.Literal(value=value):
                return lambda _record: value
            case n.RelativeDate():
                return self.relative_date(node)
            case n.ListLit(items=items):
                fns = [self.compile(item) for item in items]
                return lambda record: [fn(record) for fn in fns]
            case n.Path():
                return path_getter(node)
            case n.Member(target=target, name=name):
                get_target = self.compile(target)
                return lambda record: get_key(get_target(record), name)
            case n.Index():
                return self.index(node)
            case n.Call():
                return self.call(node)
            case n.Unary():
                return self.unary(node)
            case n.Binary():
                return self.binary(node)
            case n.Match() | n.HasValue() | n.HasNoValue():
                return compile_match(node, self.compile(node.left))
            case n.IsFilter(names=names):
                return self.is_filter(names)
            case n.Ternary() | n.Elvis() | n.PostfixIf():
                return self.choice(node)
            case n.Template():
                return self.template(node)
        raise TypeError(f"not an expression node: {node!r}")  # unreachable for parsed trees

    def relative_date(self, node: n.RelativeDate) -> Fn:
        spec, clock = node.spec, self.clock

        def relative(_record: Record) -> date:
            try:
                return resolve_relative(spec, clock())
            except ValueError as exc:
                raise self.type_error(node, str(exc)) from None

        return relative

    def index(self, node: n.Index) -> Fn:
        get_target, get_index = self.compile(node.target), self.compile(node.index)

        def index(record: Record) -> Any:
            target, position = get_target(record), get_index(record)
            if isinstance(target, list | tuple | str) and type(position) is int:
                return target[position] if -len(target) <= position < len(target) else None
            if isinstance(position, str):
                return get_key(target, position)
            return None

        return index

    def call(self, node: n.Call) -> Fn:
        spec = FUNCTIONS[node.name.lower()]
        impl = partial(spec.impl, self.clock) if spec.needs_clock else spec.impl
        args = [self.compile(arg) for arg in node.args]
        if spec.needs_record:
            return self._call_with_record(node, impl, args)
        if len(args) == 1:
            (only,) = args

            def call_one(record: Record) -> Any:
                value = only(record)
                try:
                    return impl(value)
                except (ValueError, OverflowError) as exc:
                    raise self.type_error(node, str(exc), value) from None

            return call_one

        def call(record: Record) -> Any:
            values = [arg(record) for arg in args]
            try:
                return impl(*values)
            except (ValueError, OverflowError) as exc:
                raise self.type_error(node, str(exc), *values) from None

        return call

    def _call_with_record(self, node: n.Call, impl: Callable[..., Any], args: list[Fn]) -> Fn:
        def call(record: Record) -> Any:
            values = [arg(record) for arg in args]
            try:
                return impl(record, *values)
            except (ValueError, OverflowError) as exc:
                raise self.type_error(node, str(exc), *values) from None

        return call

    def unary(self, node: n.Unary) -> Fn:
        operand = self.compile(node.operand)
        if node.op == "!":
            return lambda record: not operand(record)

        def negative(record: Record) -> Any:
            value = operand(record)
            try:
                return negate(value)
            except ValueError as exc:
                raise self.type_error(node, str(exc), value) from None

        return negative

    def binary(self, node: n.Binary) -> Fn:
        op = node.op
        if op in ("&&", "||"):
            return self.logic(node)
        left, right = self.compile(node.left), self.compile(node.right)
        if op in ("=", "!="):
            return compile_equals(op, node, left, right)
        if op in ("<", "<=", ">", ">="):
            return compile_compare(op, node, left, right, self.type_error)
        apply = ARITHMETIC[op]

        def arithmetic(record: Record) -> Any:
            first, second = left(record), right(record)
            try:
                return apply(first, second)
            except (ValueError, OverflowError) as exc:
                raise self.type_error(node, str(exc), first, second) from None

        return arithmetic

    def logic(self, node: n.Binary) -> Fn:
        operands = _flatten(node)
        fns = [self.compile(operand) for operand in operands]
        exact = all(returns_bool(operand) for operand in operands)
        if len(fns) == 2:
            first, second = fns
            if node.op == "&&":
                if exact:
                    return lambda record: first(record) and second(record)
                return lambda record: bool(first(record) and second(record))
            if exact:
                return lambda record: first(record) or second(record)
            return lambda record: bool(first(record) or second(record))
        if node.op == "&&":
            return lambda record: all(fn(record) for fn in fns)
        return lambda record: any(fn(record) for fn in fns)

    def is_filter(self, names: tuple[str, ...]) -> Fn:
        predicates = [IS_FILTERS[name].build(self.clock) for name in names]
        if len(predicates) == 1:
            return predicates[0]
        return lambda record: any(predicate(record) for predicate in predicates)

    def choice(self, node: n.Ternary | n.Elvis | n.PostfixIf) -> Fn:
        if isinstance(node, n.Ternary):
            cond, then, otherwise = map(self.compile, (node.cond, node.then, node.otherwise))
            return lambda record: then(record) if cond(record) else otherwise(record)
        if isinstance(node, n.Elvis):
            left, right = self.compile(node.left), self.compile(node.right)

            def elvis(record: Record) -> Any:
                value = left(record)
                return right(record) if is_blank(value) else value

            return elvis
        value, cond = self.compile(node.value), self.compile(node.cond)
        return lambda record: value(record) if cond(record) else None

    def template(self, node: n.Template) -> Fn:
        parts = [self.part(part) for part in node.parts]
        if not parts:
            return lambda _record: ""
        if len(parts) == 1:
            return parts[0]
        return lambda record: "".join([part(record) for part in parts])

    def part(self, part: n.Text | n.Output | n.IfBlock) -> Callable[[Record], str]:
        if isinstance(part, n.Text):
            text = part.text
            return lambda _record: text
        if isinstance(part, n.Output):
            expr = self.compile(part.expr)
            return lambda record: render(expr(record)) or ""
        arms = [(self.compile(arm.cond), self.template(arm.body)) for arm in part.branches]
        otherwise = self.template(part.otherwise) if part.otherwise else (lambda _record: "")

        def choose(record: Record) -> str:
            for cond, body in arms:
                if cond(record):
                    return str(body(record))
            return str(otherwise(record))

        return choose


def _flatten(node: n.Binary) -> list[n.Node]:
    """The operands of a chain of the same ``&&`` or ``||``, left to right."""
    out: list[n.Node] = []
    stack: list[n.Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, n.Binary) and current.op == node.op:
            stack.extend((current.right, current.left))
        else:
            out.append(current)
    return out
