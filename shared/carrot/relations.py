"""Closures for ``:``, ``=``/``!=`` and ``< <= > >=``, specialised for a literal on one side.

A field compared with a literal is the common shape of a filter clause, so the literal is
lower-cased (or kept as a number or date) once, and the closure handles the usual value type
inline before falling back to the general rules in values.py and operators.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from shared.carrot import nodes as n
from shared.carrot.dates import to_date
from shared.carrot.operators import ORDERINGS, compare
from shared.carrot.paths import FlatView, Record
from shared.carrot.values import equals, is_blank, matches_text, text_of
from shared.errors import CarrotTypeError

Fn = Callable[[Record], Any]
Predicate = Callable[[Record], bool]
TypeErrorFactory = Callable[..., CarrotTypeError]


def compile_match(node: n.Match | n.HasValue | n.HasNoValue, left: Fn) -> Predicate:
    """The closure for ``left:...``."""
    if isinstance(node, n.HasValue):
        return _has_value(left)
    if isinstance(node, n.HasNoValue):
        has_value = _has_value(left)
        return lambda record: not has_value(record)
    needles = tuple(alternative.lower() for alternative in node.alternatives)
    if len(needles) == 1:
        (needle,) = needles

        def match_one(record: Record) -> bool:
            value = left(record)
            kind = type(value)
            if kind is str:
                return needle in value.lower()
            if kind is dict or kind is FlatView:
                return needle in text_of(value).lower()
            return matches_text(value, needles)

        return match_one

    def match_any(record: Record) -> bool:
        value = left(record)
        kind = type(value)
        if kind is str or kind is dict or kind is FlatView:
            text = value.lower() if kind is str else text_of(value).lower()
            for candidate in needles:  # noqa: SIM110 - a loop beats any() on this hot path
                if candidate in text:
                    return True
            return False
        return matches_text(value, needles)

    return match_any


def _has_value(left: Fn) -> Predicate:
    def has_value(record: Record) -> bool:
        value = left(record)
        if type(value) is str:
            return value != ""
        return not is_blank(value)

    return has_value


def compile_equals(op: str, node: n.Binary, left: Fn, right: Fn) -> Predicate:
    """The closure for ``=`` or ``!=``."""
    right_constant, left_constant = _plain_constant(node.right), _plain_constant(node.left)
    if right_constant is not None:
        equal = _equals_constant(left, right_constant)
    elif left_constant is not None:
        equal = _equals_constant(right, left_constant)
    else:

        def equal(record: Record) -> bool:
            return equals(left(record), right(record))

    if op == "=":
        return equal
    return lambda record: not equal(record)


def _plain_constant(node: n.Node) -> tuple[Any, ...] | None:
    """The values of a literal (or list of literals) that are numbers or non-date strings."""
    items = node.items if isinstance(node, n.ListLit) else (node,)
    values: list[Any] = []
    for item in items:
        if not isinstance(item, n.Literal):
            return None
        value = item.value
        plain_text = isinstance(value, str) and to_date(value) is None
        if not (plain_text or type(value) is int or type(value) is float):
            return None
        values.append(value)
    return tuple(values) if values else None


def _equals_constant(get: Fn, constants: tuple[Any, ...]) -> Predicate:
    """``=`` against fixed values: strings by lower case, numbers directly, else general."""
    texts = frozenset(value.lower() for value in constants if isinstance(value, str))
    numbers = frozenset(value for value in constants if not isinstance(value, str))
    general = constants[0] if len(constants) == 1 else list(constants)

    def equals_constant(record: Record) -> bool:
        value = get(record)
        kind = type(value)
        if kind is str:
            if value.lower() in texts:
                return True
            if not numbers:
                return False
        elif kind is int or kind is float:
            if value in numbers:
                return True
            if not texts:
                return False
        elif kind is list:
            for item in value:
                if type(item) is str and item.lower() in texts:
                    return True
        elif kind is dict or kind is FlatView:
            return text_of(value).lower() in texts
        return equals(value, general)

    return equals_constant


def compile_compare(
    op: str, node: n.Binary, left: Fn, right: Fn, type_error: TypeErrorFactory
) -> Predicate:
    """The closure for ``< <= > >=``."""
    ordering = ORDERINGS[op]

    def general(first: Any, second: Any) -> bool:
        try:
            return compare(op, first, second)
        except ValueError as exc:
            raise type_error(node, str(exc), first, second) from None

    literal = node.right.value if isinstance(node.right, n.Literal) else None
    if isinstance(node.right, n.RelativeDate) or type(literal) is date:
        return _against_date(ordering, left, right, general)
    if type(literal) is int or type(literal) is float:

        def against_number(record: Record) -> bool:
            value = left(record)
            kind = type(value)
            if kind is int or kind is float:
                return ordering(value, literal)
            return general(value, literal)

        return against_number
    return lambda record: general(left(record), right(record))


def _against_date(
    ordering: Callable[[Any, Any], bool], left: Fn, right: Fn, general: Callable[[Any, Any], bool]
) -> Predicate:
    """A value compared with a date literal or relative date (read once per evaluation)."""

    def against_date(record: Record) -> bool:
        value = left(record)
        day = right(record)
        kind = type(value)
        if kind is date:
            return ordering(value, day)
        if kind is str:
            parsed = to_date(value)
            if parsed is not None:
                return ordering(parsed, day)
        return general(value, day)

    return against_date
