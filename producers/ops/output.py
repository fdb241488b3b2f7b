"""Plain lines for the operator commands, on the CLI's own consoles, never wrapped or styled.

Lines are printed with soft wrapping so that run ids and commands stay whole for copying, and
without markup so that text from Okta or ChartHop (which may hold ``[brackets]``) prints as is.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import NoReturn

from producers.cli_helpers import console, errors


def say(text: str) -> None:
    """Print one line on standard output."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def fail(text: str, code: int = 1) -> NoReturn:
    """Print an error on standard error and exit with ``code`` (1: a call failed, 2: usage)."""
    errors.print(text, markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def stamp(moment: datetime | None) -> str:
    """A time as ``YYYY-MM-DD HH:MM:SS`` in UTC; empty for none."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def clip(text: str, width: int = 60) -> str:
    """The first line of a text, cut to ``width`` characters with an ellipsis when longer."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"
