"""Carrot's arithmetic and comparison operators, as plain functions of two values.

``+`` adds numbers, adds days to a date (or to a YYYY-MM-DD string), joins text when either side
is a string (null joins as ""), and concatenates lists. ``-`` subtracts numbers, days from a date,
or a date from a date (giving days). ``* / %`` work on numbers. Numeric strings count as numbers
except for ``+``. Null on either side of arithmetic gives null. Comparisons with null, or with an
empty string, are false; a list on either side compares each item. A value an operator cannot use
raises ValueError, which the compiler reports as CarrotTypeError with the expression's text.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Final

from shared.carrot.dates import to_date
from shared.carrot.values import describe, is_blank, is_number, order_pair, text_of, to_number

Operator = Callable[[Any, Any], Any]
ORDERINGS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _date_of(value: Any) -> date | None:
    return to_date(value) if isinstance(value, date | str) else None


def add(left: Any, right: Any) -> Any:
    """``left + right``."""
    left_kind, right_kind = type(left), type(right)
    if (left_kind is int or left_kind is float) and (right_kind is int or right_kind is float):
        return left + right
    if left_kind is str and right_kind is str:
        return left + right
    if left is None or right is None:
        other = right if left is None else left
        return other if isinstance(other, str) else None
    if is_number(right) and (day := _date_of(left)) is not None:
        return day + timedelta(days=right)
    if is_number(left) and (day := _date_of(right)) is not None:
        return day + timedelta(days=left)
    if isinstance(left, str) or isinstance(right, str):
        return text_of(left) + text_of(right)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return [*left, *right]
    raise ValueError("'+' adds numbers, adds days to a date, or joins text")


def subtract(left: Any, right: Any) -> Any:
    """``left - right``."""
    if is_number(left) and is_number(right):
        return left - right
    if left is None or right is None:
        return None
    day = _date_of(left)
    if day is not None:
        if is_number(right):
            return day - timedelta(days=right)
        other = _date_of(right)
        if other is not None:
            return (day - other).days
        kind = describe(right).split()[0]
        raise ValueError(f"a date minus a {kind}: subtract a number of days or another date")
    if isinstance(right, date):
        raise ValueError("only a date can have a date subtracted from it")
    return _numbers(left, right, "'-'", operator.sub)


def multiply(left: Any, right: Any) -> Any:
    """``left * right``."""
    if is_number(left) and is_number(right):
        return left * right
    return _numbers(left, right, "'*'", operator.mul)


def divide(left: Any, right: Any) -> Any:
    """``left / right``; dividing by zero is an error."""
    return _numbers(left, right, "'/'", _checked(operator.truediv))


def modulo(left: Any, right: Any) -> Any:
    """``left % right``; zero on the right is an error."""
    return _numbers(left, right, "'%'", _checked(operator.mod))


def _checked(apply: Operator) -> Operator:
    def run(left: Any, right: Any) -> Any:
        if right == 0:
            raise ValueError("division by zero")
        return apply(left, right)

    return run


def _numbers(left: Any, right: Any, name: str, apply: Operator) -> Any:
    if left is None or right is None:
        return None
    first, second = to_number(left), to_number(right)
    if first is None or second is None:
        raise ValueError(f"{name} works on numbers (or numeric text)")
    return apply(first, second)


def negate(value: Any) -> Any:
    """``-value``."""
    if value is None:
        return None
    number = to_number(value)
    if number is None:
        raise ValueError("'-' negates numbers (or numeric text)")
    return -number


def compare(op: str, left: Any, right: Any) -> bool:
    """``left < right`` and friends, with Carrot's null, list and date-string rules."""
    if left is None or right is None:
        return False
    if isinstance(left, list | tuple):
        return any(compare(op, item, right) for item in left)
    if isinstance(right, list | tuple):
        return any(compare(op, left, item) for item in right)
    if is_blank(left) or is_blank(right):
        return False
    first, second = order_pair(left, right)
    return ORDERINGS[op](first, second)


ARITHMETIC: Final[dict[str, Operator]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": modulo,
}
