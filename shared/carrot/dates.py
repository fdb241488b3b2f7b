"""Dates in Carrot: reading date-like values, relative dates, and Java-style date patterns.

A relative date is an optional anchor then signed offsets, case-insensitive:
``today``, ``yearStart``, ``quarterStart``, ``monthStart``, ``weekStart`` (Monday), ``yearEnd``,
``quarterEnd``, ``monthEnd``; offsets ``+N`` or ``-N`` with a unit ``d`` (days), ``w`` (weeks),
``m`` (months), ``q`` (quarters, 3 months), ``y`` (years). ``-30d``, ``+1m``, ``today+1m``,
``yearStart+2q``, ``monthEnd-1d``. Month steps keep the day, clamped to the month's last day.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Final

_RELATIVE: Final = re.compile(r"\s*([A-Za-z]*)((?:\s*[+-]\s*[0-9]+\s*[dwmqyDWMQY])*)\s*")
_OFFSET: Final = re.compile(r"([+-])\s*([0-9]+)\s*([dwmqyDWMQY])")
_MONTHS_PER_UNIT: Final = {"m": 1, "q": 3, "y": 12}
_DAYS_PER_UNIT: Final = {"d": 1, "w": 7}


def to_date(value: Any) -> date | None:
    """The value as a date: a date, or a string starting ``YYYY-MM-DD``; None otherwise."""
    if type(value) is date:
        return value
    if value is None:
        return None
    if isinstance(value, str):
        return _parse_iso(value) if len(value) >= 10 and value[4] == "-" else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


@lru_cache(maxsize=4096)
def _parse_iso(text: str) -> date | None:
    if len(text) > 10 and text[10] not in "T ":
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def is_relative(spec: str) -> bool:
    """Whether ``spec`` is a relative date (an anchor, offsets, or both)."""
    found = _RELATIVE.fullmatch(spec)
    if not found or not (found.group(1) or found.group(2)):
        return False
    return not found.group(1) or found.group(1).lower() in _ANCHORS


@lru_cache(maxsize=1024)
def resolve_relative(spec: str, base: date) -> date:
    """The date ``spec`` names relative to ``base``; raises ValueError when it is not one."""
    found = _RELATIVE.fullmatch(spec)
    if not found or not is_relative(spec):
        raise ValueError(
            f"{spec!r} is not a date: write YYYY-MM-DD, or a relative date such as "
            "'-30d', 'today+1m' or 'yearStart+2q'"
        )
    anchor = found.group(1).lower() or "today"
    day = _ANCHORS[anchor](base)
    try:
        for sign, amount, unit in _OFFSET.findall(found.group(2)):
            step = int(amount) * (-1 if sign == "-" else 1)
            day = _shift(day, step, unit.lower())
    except OverflowError:
        raise ValueError(
            f"relative date {spec!r} from {base.isoformat()} is out of range"
        ) from None
    return day


def _shift(day: date, step: int, unit: str) -> date:
    if unit in _DAYS_PER_UNIT:
        return day + timedelta(days=step * _DAYS_PER_UNIT[unit])
    return add_months(day, step * _MONTHS_PER_UNIT[unit])


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of month clamped to the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


_ANCHORS: Final[dict[str, Callable[[date], date]]] = {
    "today": lambda day: day,
    "yearstart": lambda day: date(day.year, 1, 1),
    "quarterstart": _quarter_start,
    "monthstart": lambda day: date(day.year, day.month, 1),
    "weekstart": lambda day: day - timedelta(days=day.weekday()),
    "yearend": lambda day: date(day.year, 12, 31),
    "quarterend": lambda day: _month_end(add_months(_quarter_start(day), 2)),
    "monthend": _month_end,
}
