"""Output of the operator commands, on the CLI's own consoles, made to read at 80 columns.

Lines are printed with soft wrapping so that run ids and commands stay whole for copying, and
without markup so that text from Okta or ChartHop (which may hold ``[brackets]``) prints as is.
Tables are compact by default (few columns, cells wrap at word boundaries, ids never cut);
``--wide`` prints every column at its natural width, ``--json`` everything.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import NoReturn

from rich.console import Console, RenderableType
from rich.measure import Measurement
from rich.table import Table

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


def compact_table() -> Table:
    """A borderless table for an 80-column terminal: columns two spaces apart, bold headings."""
    return Table(
        box=None,
        pad_edge=False,
        padding=(0, 2, 0, 0),
        header_style="bold",
        show_edge=False,
    )


def print_wide(renderable: RenderableType) -> None:
    """Print at the renderable's natural width (``--wide``): nothing is cut or folded to fit."""
    unbounded = console.options.update_width(10_000)
    natural = Measurement.get(console, unbounded, renderable).maximum
    # A console of its own: Console.print never renders wider than its console.
    wide = Console(file=console.file, width=max(natural, console.width), no_color=console.no_color)
    wide.print(renderable)


def short_duration(seconds: float | None) -> str:
    """``0.4s``, ``12.5s``, ``3m05s`` or ``1h02m``; empty for none."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
