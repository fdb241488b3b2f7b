"""Java-style date patterns for ``formatDate``: ``"MMMM d, yyyy"`` gives ``"January 5, 2025"``.

Letters: ``y`` year (``yy`` two digits), ``M``/``L`` month (``M``, ``MM``, ``MMM`` Jan,
``MMMM`` January), ``d`` day of month, ``D`` day of year, ``E`` weekday (``EEE`` Mon,
``EEEE`` Monday), ``u`` weekday number (1 is Monday), ``Q`` quarter (``QQQ`` Q1).
Text in single quotes is literal, ``''`` is a quote; other letters are errors, other characters
are literal. Names are English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Final

Piece = Callable[[date], str]

_RUN: Final = re.compile(r"''|'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
# Spelled out rather than read from ``calendar`` so that the process locale cannot change them.
_MONTHS: Final = (
    "", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_MONTHS_SHORT: Final = tuple(name[:3] for name in _MONTHS)
_DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS_SHORT: Final = tuple(name[:3] for name in _DAYS)
SUPPORTED: Final = "y, M, L, d, D, E, u, Q and 'quoted text'"


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> tuple[Piece, ...]:
    """The pattern as pieces that each render part of a date; ValueError names a bad letter."""
    pieces: list[Piece] = []
    pos = 0
    while pos < len(pattern):
        found = _RUN.match(pattern, pos)
        if found is None:  # an unclosed quote
            raise ValueError(f"date pattern {pattern!r} has an unclosed quote at {pos + 1}")
        run = found.group()
        pieces.append(_piece(run, pattern))
        pos = found.end()
    return tuple(pieces)


def format_date(day: date, pattern: str) -> str:
    """``day`` written with a Java-style pattern."""
    return "".join(piece(day) for piece in compile_pattern(pattern))


def _piece(run: str, pattern: str) -> Piece:
    if run == "''":
        return lambda _day: "'"
    if run.startswith("'"):
        literal = run[1:-1].replace("''", "'")
        return lambda _day: literal
    letter, width = run[0], len(run)
    if not letter.isalpha():
        return lambda _day: run
    maker = _LETTERS.get(letter)
    if maker is None:
        raise ValueError(
            f"date pattern {pattern!r} uses {letter!r}, which formatDate does not support; "
            f"use {SUPPORTED}"
        )
    return maker(width)


def _number(width: int, read: Callable[[date], int]) -> Piece:
    return lambda day: str(read(day)).zfill(width)


def _year(width: int) -> Piece:
    if width == 2:
        return lambda day: str(day.year % 100).zfill(2)
    return _number(width, lambda day: day.year)


def _month(width: int) -> Piece:
    if width >= 4:
        return lambda day: _MONTHS[day.month]
    if width == 3:
        return lambda day: _MONTHS_SHORT[day.month]
    return _number(width, lambda day: day.month)


def _weekday(width: int) -> Piece:
    if width >= 4:
        return lambda day: _DAYS[day.weekday()]
    return lambda day: _DAYS_SHORT[day.weekday()]


def _quarter(width: int) -> Piece:
    if width >= 3:
        return lambda day: f"Q{(day.month - 1) // 3 + 1}"
    return _number(width, lambda day: (day.month - 1) // 3 + 1)


_LETTERS: Final[dict[str, Callable[[int], Piece]]] = {
    "y": _year,
    "M": _month,
    "L": _month,
    "d": lambda width: _number(width, lambda day: day.day),
    "D": lambda width: _number(width, lambda day: day.timetuple().tm_yday),
    "E": _weekday,
    "u": lambda width: _number(width, lambda day: day.isoweekday()),
    "Q": _quarter,
}
