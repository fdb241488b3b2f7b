"""Ages on the command line: ``7d``, ``12h``, ``30m`` or combinations such as ``1d12h``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import click

_PART = re.compile(r"(\d+)([dhm])")
_WHOLE = re.compile(r"(?:\d+[dhm])+")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_duration(text: str) -> timedelta | None:
    """The age a text such as ``7d`` or ``1d12h`` names; None when it is not one."""
    cleaned = text.strip().lower()
    if not _WHOLE.fullmatch(cleaned):
        return None
    age = timedelta()
    for amount, unit in _PART.findall(cleaned):
        age += timedelta(**{_UNITS[unit]: int(amount)})
    return age


class Duration(click.ParamType[timedelta, Any]):
    """A click parameter holding an age; a malformed one is a usage error (exit 2)."""

    name = "age"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        age = parse_duration(str(value))
        if age is None:
            self.fail(
                f"{value!r} is not an age; write days, hours or minutes like 7d, 12h, 30m or 1d12h",
                param,
                ctx,
            )
        return age
