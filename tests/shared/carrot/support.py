"""Helpers shared by the Carrot tests: a fixed clock and one-line compile-and-evaluate calls."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from shared.carrot import compile_expression, compile_filter, compile_template
from shared.carrot.parser import parse
from shared.carrot.printer import to_text

TODAY = date(2025, 1, 31)


def clock() -> date:
    """The tests' today: 2025-01-31 (a month end, to exercise month arithmetic)."""
    return TODAY


def value(text: str, record: Mapping[str, Any] | None = None) -> Any:
    """The value of an expression for a record."""
    return compile_expression(text, clock=clock).evaluate(record or {})


def selects(text: str, record: Mapping[str, Any] | None = None) -> bool:
    """Whether a filter selects a record."""
    return compile_filter(text, clock=clock).matches(record or {})


def fill(text: str, record: Mapping[str, Any] | None = None) -> str:
    """A template filled in for a record."""
    result = compile_template(text, clock=clock).evaluate(record or {})
    assert isinstance(result, str)
    return result


def canonical(text: str, *, filter_mode: bool = False) -> str:
    """The canonical text of an expression: shows how the parser grouped it."""
    return to_text(parse(text, filter_mode=filter_mode))
