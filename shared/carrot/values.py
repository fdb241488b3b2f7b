"""Carrot values: how they render as text, count as blank, and compare.

Values are Python ``None`` (null), ``bool``, ``int``/``float``, ``str``, ``datetime.date``,
lists and mappings. Records from ChartHop carry dates as strings, so a date-like string
(``YYYY-MM-DD...``) meeting a date is read as a date; a numeric string meeting a number is read
as a number. A mapping renders as its ``name`` (so ``department`` reads like ``department.name``),
else as its values joined by spaces.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.carrot.dates import to_date


def render(value: Any) -> str | None:
    """The value as the text an Okta profile attribute gets; None for null.

    Dates as YYYY-MM-DD, integral numbers without ``.0``, booleans as true/false, lists joined
    by ", " (nulls left out).
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return None
    if kind is dict:
        return _render_mapping(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return _render_float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(text for text in map(render, value) if text is not None)
    if isinstance(value, Mapping):
        return _render_mapping(value)
    return str(value)


def _render_float(value: float) -> str:
    if math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value)


def _render_mapping(value: Mapping[Any, Any]) -> str:
    if "name" in value:
        return render(value["name"]) or ""
    return " ".join(text for text in map(render, value.values()) if text)


def text_of(value: Any) -> str:
    """The value rendered as text, null as the empty string."""
    return render(value) or ""


def is_blank(value: Any) -> bool:
    """Whether the value is unset: null, an empty string, an empty list or mapping."""
    if value is None:
        return True
    kind = type(value)
    if kind is str or kind is list or kind is dict:
        return not value
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) == 0
    return False


def is_number(value: Any) -> bool:
    """Whether the value is an int or float (booleans are not numbers)."""
    kind = type(value)
    return kind is int or kind is float


def to_number(value: Any) -> int | float | None:
    """The value as a number: numbers as they are, numeric strings parsed; None otherwise."""
    kind = type(value)
    if kind is int or kind is float:
        return value  # type: ignore[no-any-return]
    if kind is str:
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def describe(value: Any) -> str:
    """The value with its kind, for error messages: ``date 2020-01-01``, ``string 'x'``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {render(value)}"
    if is_number(value):
        return f"number {render(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    if isinstance(value, list | tuple):
        return f"list of {len(value)}"
    if isinstance(value, Mapping):
        return f"object with keys {', '.join(map(str, list(value)[:5]))}"
    return type(value).__name__


def equals(left: Any, right: Any) -> bool:
    """Carrot ``=``: lists share a value; strings ignore case; null equals only the unset."""
    if left is None or right is None:
        return is_blank(left) and is_blank(right)
    if isinstance(left, list | tuple):
        if isinstance(right, list | tuple):
            return any(equals(item, other) for item in left for other in right)
        return any(equals(item, right) for item in left)
    if isinstance(right, list | tuple):
        return any(equals(left, item) for item in right)
    return _scalar_equals(left, right)


def _scalar_equals(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if isinstance(left, bool) or isinstance(right, bool):
        return text_of(left).lower() == text_of(right).lower()
    if is_number(left) or is_number(right):
        number = to_number(left)
        return number is not None and number == to_number(right)
    if isinstance(left, date) or isinstance(right, date):
        found = to_date(left)
        return found is not None and found == to_date(right)
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left == right
    if isinstance(left, Mapping | str) and isinstance(right, Mapping | str):
        return text_of(left).lower() == text_of(right).lower()
    return bool(left == right)


def order_pair(left: Any, right: Any) -> tuple[Any, Any]:
    """The two values in comparable form for ``< <= > >=``; ValueError when they cannot compare."""
    if is_number(left) and is_number(right):
        return left, right
    if isinstance(left, date) or isinstance(right, date):
        first_day, second_day = to_date(left), to_date(right)
        if first_day is None or second_day is None:
            raise ValueError("a date compares only with a date or a YYYY-MM-DD string")
        return first_day, second_day
    if is_number(left) or is_number(right):
        first, second = to_number(left), to_number(right)  # None for booleans too
        if first is None or second is None:
            raise ValueError("a number compares only with a number or a numeric string")
        return first, second
    if isinstance(left, str) and isinstance(right, str):
        return left.lower(), right.lower()
    raise ValueError("only numbers, dates and strings compare with < <= > >=")


def matches_text(value: Any, needles: tuple[str, ...]) -> bool:
    """Carrot ``:``: whether the value's text contains any lower-case needle (any list item)."""
    if value is None:
        return False
    if type(value) is str:
        text = value.lower()
    elif isinstance(value, list | tuple):
        return any(matches_text(item, needles) for item in value)
    else:
        text = text_of(value).lower()
    return any(needle in text for needle in needles)
